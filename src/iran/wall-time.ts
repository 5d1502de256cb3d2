import { toJalaali } from 'jalaali-js';

/** A wall-clock reading in one time zone. `weekday`: 0 = Sunday … 6 = Saturday (like `Date#getUTCDay`). */
export interface WallTime {
    year: number;
    month: number;
    day: number;
    weekday: number;
    hour: number;
    minute: number;
    second: number;
}

const WEEKDAYS: Record<string, number> = { Sun: 0, Mon: 1, Tue: 2, Wed: 3, Thu: 4, Fri: 5, Sat: 6 };
const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(timeZone: string): Intl.DateTimeFormat {
    let f = formatters.get(timeZone);
    if (!f) {
        f = new Intl.DateTimeFormat('en-US', {
            timeZone,
            hourCycle: 'h23',
            weekday: 'short',
            year: 'numeric',
            month: 'numeric',
            day: 'numeric',
            hour: 'numeric',
            minute: 'numeric',
            second: 'numeric',
        });
        formatters.set(timeZone, f);
    }
    return f;
}

/** What a clock in `timeZone` shows at `instant`; the offset comes from the tz database, never hard-coded. */
export function wallTimeIn(timeZone: string, instant: Date): WallTime {
    const parts: Record<string, string> = {};
    for (const p of formatter(timeZone).formatToParts(instant)) {
        parts[p.type] = p.value;
    }
    return {
        year: Number(parts.year),
        month: Number(parts.month),
        day: Number(parts.day),
        weekday: WEEKDAYS[parts.weekday],
        hour: Number(parts.hour),
        minute: Number(parts.minute),
        second: Number(parts.second),
    };
}

/** The instant at which a clock in `timeZone` shows the given date and time. */
export function instantOfWallTime(
    timeZone: string,
    year: number,
    month: number,
    day: number,
    hour = 0,
    minute = 0,
): Date {
    const wanted = Date.UTC(year, month - 1, day, hour, minute);
    let guess = wanted;
    // Two rounds settle the offset even when the first guess lands on the other side of an offset change.
    for (let i = 0; i < 2; i++) {
        const w = wallTimeIn(timeZone, new Date(guess));
        const shown = Date.UTC(w.year, w.month - 1, w.day, w.hour, w.minute, w.second);
        guess += wanted - shown;
    }
    return new Date(guess);
}

/** The first instant of the calendar day `instant` falls on in `timeZone` (e.g. "today" in Tehran). */
export function startOfDayIn(timeZone: string, instant: Date): Date {
    const w = wallTimeIn(timeZone, instant);
    return instantOfWallTime(timeZone, w.year, w.month, w.day);
}

/** The Jalali date of `instant` in `timeZone`, as `1405/09/11` (ASCII digits; the Admin UI shows Persian ones). */
export function jalaliDateIn(timeZone: string, instant: Date): string {
    const w = wallTimeIn(timeZone, instant);
    const { jy, jm, jd } = toJalaali(w.year, w.month, w.day);
    return `${jy}/${String(jm).padStart(2, '0')}/${String(jd).padStart(2, '0')}`;
}
