import { isValidJalaaliDate, toGregorian } from 'jalaali-js';

import { toAsciiDigits } from '../../../src/iran/digits';

import { instantOfWallTime } from './tehran-time';

export interface JalaliDate {
    jy: number;
    jm: number;
    jd: number;
}

/** Parses `1406/01/13` (also `1406-1-13`, Persian digits); `undefined` if it is not a plausible Jalali date. */
export function parseJalaliDate(input: string): JalaliDate | undefined {
    const m = /^(\d{4})[/-](\d{1,2})[/-](\d{1,2})$/.exec(toAsciiDigits(input).trim());
    if (!m) {
        return undefined;
    }
    const [jy, jm, jd] = [Number(m[1]), Number(m[2]), Number(m[3])];
    // Years outside 1300–1499 are almost surely Gregorian dates typed by mistake (2027/03/21 is valid Jalali).
    return jy >= 1300 && jy < 1500 && isValidJalaaliDate(jy, jm, jd) ? { jy, jm, jd } : undefined;
}

export function jalaliToGregorian(date: JalaliDate): { year: number; month: number; day: number } {
    const g = toGregorian(date.jy, date.jm, date.jd);
    return { year: g.gy, month: g.gm, day: g.gd };
}

/**
 * A campaign period of whole Jalali days in `timeZone`: from the first moment of `from` to the last moment of
 * `to` (both inclusive). Returns `[start, endExclusive)`.
 */
export function jalaliPeriod(timeZone: string, from: JalaliDate, to: JalaliDate): { start: Date; end: Date } {
    const s = jalaliToGregorian(from);
    const e = jalaliToGregorian(to);
    // The day after `to`, via UTC arithmetic on the calendar date (no time zone involved).
    const next = new Date(Date.UTC(e.year, e.month - 1, e.day + 1));
    return {
        start: instantOfWallTime(timeZone, s.year, s.month, s.day),
        end: instantOfWallTime(timeZone, next.getUTCFullYear(), next.getUTCMonth() + 1, next.getUTCDate()),
    };
}
