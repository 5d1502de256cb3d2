const PERSIAN_ZERO = 0x06f0;
const ARABIC_INDIC_ZERO = 0x0660;

/** Converts Persian (۰-۹) and Arabic-Indic (٠-٩) digits to ASCII digits; other characters are kept. */
export function toAsciiDigits(input: string): string {
    return input.replace(/[\u06F0-\u06F9\u0660-\u0669]/g, ch => {
        const code = ch.charCodeAt(0);
        const zero = code >= PERSIAN_ZERO ? PERSIAN_ZERO : ARABIC_INDIC_ZERO;
        return String(code - zero);
    });
}

/** Converts ASCII digits to Persian digits, for text shown to shoppers. */
export function toPersianDigits(input: string | number): string {
    return String(input).replace(/[0-9]/g, d => String.fromCharCode(PERSIAN_ZERO + Number(d)));
}

/**
 * Normalises Persian text typed on Arabic keyboards: Arabic yeh/kaf to Persian, digits to ASCII,
 * zero-width non-joiners and runs of white space to one space.
 */
export function normalizePersianText(input: string): string {
    return toAsciiDigits(input)
        .replace(/[\u064A\u0649]/g, '\u06CC') // ي ى -> ی
        .replace(/\u0643/g, '\u06A9') // ك -> ک
        .replace(/[\u0629]/g, '\u0647') // ة -> ه
        .replace(/[\u200C\u200F\u200E\u00A0]/g, ' ')
        .replace(/\s+/g, ' ')
        .trim();
}
