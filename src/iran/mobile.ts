import { toAsciiDigits } from './digits';

/** Canonical Iranian mobile number format used everywhere in this project: `09xxxxxxxxx`. */
export type IranianMobile = string & { readonly __brand: 'IranianMobile' };

const MOBILE_PATTERN = /^(?:\+98|0098|98|0)?(9\d{9})$/;

/**
 * Normalises what people type (`0912 345 6789`, `+98-912-345-6789`, `۰۹۱۲۳۴۵۶۷۸۹`, `00989123456789`, ...)
 * to `09xxxxxxxxx`. Returns `undefined` for anything that is not an Iranian mobile number.
 */
export function normalizeIranianMobile(input: string): IranianMobile | undefined {
    const compact = toAsciiDigits(input).replace(/[\s\-().\u200C\u200E\u200F]/g, '');
    const match = MOBILE_PATTERN.exec(compact);
    return match ? (`0${match[1]}` as IranianMobile) : undefined;
}

/** `09123456789` -> `0912***6789`, for logs and support screens. */
export function maskMobile(mobile: string): string {
    return mobile.length >= 8 ? `${mobile.slice(0, 4)}***${mobile.slice(-4)}` : '***';
}
