import { toAsciiDigits } from '../../../src/iran/digits';

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

/** Parses `HH:mm` (Persian digits allowed) to minutes after midnight; `undefined` if malformed. */
export function parseClockTime(input: string): number | undefined {
    const m = /^(\d{1,2}):(\d{2})$/.exec(toAsciiDigits(input).trim());
    if (!m) {
        return undefined;
    }
    const hour = Number(m[1]);
    const minute = Number(m[2]);
    return hour <= 23 && minute <= 59 ? hour * 60 + minute : undefined;
}

export const WEEKDAY_CODES = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'] as const;
export type WeekdayCode = (typeof WEEKDAY_CODES)[number];

/**
 * A recurring weekly window: on each listed day from `from` to `to` (minutes after midnight, both inclusive,
 * so `23:59` covers the whole last minute). When `to` is before `from` the window runs past midnight into the
 * next day, and the listed day is the day it starts. `from === to` means the whole listed day.
 */
export interface WeeklyWindow {
    days: WeekdayCode[];
    from: number;
    to: number;
}

export function isInWeeklyWindow(window: WeeklyWindow, now: WallTime): boolean {
    const day = WEEKDAY_CODES[now.weekday];
    const previousDay = WEEKDAY_CODES[(now.weekday + 6) % 7];
    const minute = now.hour * 60 + now.minute;
    if (window.from === window.to) {
        return window.days.includes(day);
    }
    if (window.from < window.to) {
        return window.days.includes(day) && minute >= window.from && minute <= window.to;
    }
    return (
        (window.days.includes(day) && minute >= window.from) ||
        (window.days.includes(previousDay) && minute <= window.to)
    );
}
