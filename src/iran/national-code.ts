import { toAsciiDigits } from './digits';

/** Validates an Iranian national code (کد ملی): 10 digits with a mod-11 check digit. */
export function isValidNationalCode(input: string): boolean {
    const code = toAsciiDigits(input).replace(/[\s-]/g, '');
    if (!/^\d{10}$/.test(code) || /^(\d)\1{9}$/.test(code)) {
        return false;
    }
    const digits = [...code].map(Number);
    const sum = digits.slice(0, 9).reduce((acc, d, i) => acc + d * (10 - i), 0) % 11;
    const check = digits[9];
    return sum < 2 ? check === sum : check === 11 - sum;
}

/** Normalises and validates an Iranian postal code (10 digits). Returns `undefined` when invalid. */
export function normalizePostalCode(input: string): string | undefined {
    const code = toAsciiDigits(input).replace(/[\s-]/g, '');
    return /^[1-9]\d{9}$/.test(code) && !/^(\d)\1{9}$/.test(code) ? code : undefined;
}
