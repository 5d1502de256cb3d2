import { toAsciiDigits } from '../../../src/iran/digits';
import type { WallTime } from '../../../src/iran/wall-time';

// Shared with other plugins (src/iran); re-exported for this plugin's modules.
export { instantOfWallTime, wallTimeIn } from '../../../src/iran/wall-time';
export type { WallTime } from '../../../src/iran/wall-time';

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
