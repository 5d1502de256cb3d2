import { describe, expect, it } from 'vitest';

import { jalaliPeriod, jalaliToGregorian, parseJalaliDate } from './jalali';

describe('Jalali dates', () => {
    it('converts Nowruz 1406 to 21 March 2027', () => {
        expect(jalaliToGregorian({ jy: 1406, jm: 1, jd: 1 })).toEqual({ year: 2027, month: 3, day: 21 });
        expect(jalaliToGregorian({ jy: 1405, jm: 1, jd: 1 })).toEqual({ year: 2026, month: 3, day: 21 });
        expect(jalaliToGregorian({ jy: 1403, jm: 12, jd: 30 })).toEqual({ year: 2025, month: 3, day: 20 });
    });

    it('parses Persian digits and rejects invalid dates', () => {
        expect(parseJalaliDate('۱۴۰۶/۰۱/۱۳')).toEqual({ jy: 1406, jm: 1, jd: 13 });
        expect(parseJalaliDate('1406-1-1')).toEqual({ jy: 1406, jm: 1, jd: 1 });
        expect(parseJalaliDate('1406/12/30')).toBeUndefined(); // 1406 is not a leap year
        expect(parseJalaliDate('1406/13/01')).toBeUndefined();
        expect(parseJalaliDate('2027-03-21')).toBeUndefined();
    });

    it('turns 1406/01/01–1406/01/13 into whole Tehran days', () => {
        const { start, end } = jalaliPeriod(
            'Asia/Tehran',
            { jy: 1406, jm: 1, jd: 1 },
            { jy: 1406, jm: 1, jd: 13 },
        );
        expect(start.toISOString()).toBe('2027-03-20T20:30:00.000Z'); // 2027-03-21 00:00 Tehran
        expect(end.toISOString()).toBe('2027-04-02T20:30:00.000Z'); // 2027-04-03 00:00 Tehran (exclusive)
    });
});
