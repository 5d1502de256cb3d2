import { IRAN_PROVINCES } from '../../../src/iran/provinces';
import { normalizePersianText } from '../../../src/iran/digits';

/** Normalises a place name for matching: Persian normalisation, lower case, no "استان"/"شهر" prefix. */
export function normalizePlaceName(input: string | null | undefined): string {
    return normalizePersianText(input ?? '')
        .toLowerCase()
        .replace(/^(استان|province of|شهرستان شهر|شهر)\s+/, '')
        .replace(/\s*(province|استان)$/, '')
        .trim();
}

/**
 * The Persian name of a province as the shopper may have typed it: its Persian name, its English name or its
 * ISO code (`IR-23`). Returns the normalised Persian name, or the normalised input when it is none of these.
 */
export function canonicalProvinceName(input: string | null | undefined): string {
    const normalized = normalizePlaceName(input);
    const known = IRAN_PROVINCES.find(
        p =>
            normalizePlaceName(p.fa) === normalized ||
            p.en.toLowerCase() === normalized ||
            p.code.toLowerCase() === normalized,
    );
    return known ? normalizePlaceName(known.fa) : normalized;
}
