import { describe, expect, it } from 'vitest';

import { instantOfWallTime, isInWeeklyWindow, parseClockTime, wallTimeIn, WeeklyWindow } from './tehran-time';

const TZ = 'Asia/Tehran';
const at = (iso: string) => wallTimeIn(TZ, new Date(iso));

describe('Tehran time', () => {
    it('reads the Tehran wall clock at +03:30 from the tz database', () => {
        // 2026-11-26 is a Thursday; 14:30 UTC is 18:00 in Tehran.
        expect(at('2026-11-26T14:30:00Z')).toMatchObject({
            year: 2026,
            month: 11,
            day: 26,
            weekday: 4,
            hour: 18,
            minute: 0,
        });
        // 21:00 UTC is already 00:30 of Friday in Tehran.
        expect(at('2026-11-26T21:00:00Z')).toMatchObject({ day: 27, weekday: 5, hour: 0, minute: 30 });
    });

    it('finds the instant of a Tehran wall time', () => {
        expect(instantOfWallTime(TZ, 2027, 3, 21).toISOString()).toBe('2027-03-20T20:30:00.000Z');
        expect(instantOfWallTime(TZ, 2026, 11, 26, 18, 0).toISOString()).toBe('2026-11-26T14:30:00.000Z');
    });

    it('still knows the summer time Iran had before 2022', () => {
        // 2021-07-01 12:00 Tehran was +04:30.
        expect(instantOfWallTime(TZ, 2021, 7, 1, 12, 0).toISOString()).toBe('2021-07-01T07:30:00.000Z');
    });

    it('parses HH:mm with Persian digits and rejects nonsense', () => {
        expect(parseClockTime('18:00')).toBe(1080);
        expect(parseClockTime('۲۳:۵۹')).toBe(1439);
        expect(parseClockTime('24:00')).toBeUndefined();
        expect(parseClockTime('6pm')).toBeUndefined();
    });
});

describe('weekly windows', () => {
    const thuFriEvening: WeeklyWindow = { days: ['thu', 'fri'], from: 18 * 60, to: 23 * 60 + 59 };

    it('is open on Thursday 18:00 and 23:59 Tehran time, closed at 17:59 and on Saturday', () => {
        expect(isInWeeklyWindow(thuFriEvening, at('2026-11-26T14:30:00Z'))).toBe(true); // Thu 18:00
        expect(isInWeeklyWindow(thuFriEvening, at('2026-11-26T20:29:00Z'))).toBe(true); // Thu 23:59
        expect(isInWeeklyWindow(thuFriEvening, at('2026-11-26T14:29:00Z'))).toBe(false); // Thu 17:59
        expect(isInWeeklyWindow(thuFriEvening, at('2026-11-28T15:00:00Z'))).toBe(false); // Sat 18:30
    });

    it('uses the Tehran day, not the UTC day, near midnight', () => {
        // Saturday 00:10 Tehran is still Friday 20:40 UTC: not in a Friday-evening window.
        const friday = at('2026-11-27T20:40:00Z');
        expect(friday.weekday).toBe(6);
        expect(isInWeeklyWindow(thuFriEvening, friday)).toBe(false);
    });

    it('runs past midnight into the next day, counted from the start day', () => {
        const lateThu: WeeklyWindow = { days: ['thu'], from: 22 * 60, to: 2 * 60 };
        expect(isInWeeklyWindow(lateThu, at('2026-11-26T19:00:00Z'))).toBe(true); // Thu 22:30
        expect(isInWeeklyWindow(lateThu, at('2026-11-26T22:00:00Z'))).toBe(true); // Fri 01:30
        expect(isInWeeklyWindow(lateThu, at('2026-11-26T22:31:00Z'))).toBe(false); // Fri 02:01
        expect(isInWeeklyWindow(lateThu, at('2026-11-25T22:00:00Z'))).toBe(false); // Thu 01:30 (Wed night)
    });

    it('treats from = to as the whole day', () => {
        expect(isInWeeklyWindow({ days: ['fri'], from: 0, to: 0 }, at('2026-11-27T10:00:00Z'))).toBe(true);
    });
});
