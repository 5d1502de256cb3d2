import { normalizePersianText } from '../../../src/iran/digits';
import { IRAN_PROVINCES } from '../../../src/iran/provinces';

function normalize(text: string): string {
    return normalizePersianText(text)
        .toLowerCase()
        .replace(/^(استان|province of)\s+/, '')
        .replace(/\s+province$/, '');
}

const PROVINCE_BY_NAME = new Map<string, string>();
for (const p of IRAN_PROVINCES) {
    for (const name of [p.code, p.fa, p.en]) {
        PROVINCE_BY_NAME.set(normalize(name), p.code);
    }
}

/** The ISO code (`IR-23`) of a province written as a code, a Persian or an English name; else `undefined`. */
export function provinceCode(input: string | null | undefined): string | undefined {
    return input ? PROVINCE_BY_NAME.get(normalize(input)) : undefined;
}

/** The province codes among `inputs` (names or codes, as entered by the merchant); unknown entries dropped. */
export function provinceCodes(inputs: string[]): string[] {
    return inputs.map(provinceCode).filter((c): c is string => !!c);
}

export interface RegionRule {
    /** Province codes; empty means any province. */
    provinces: string[];
    /** City names; empty means any city. */
    cities: string[];
}

/** Whether a shipping address lies in the region: province (by code or name) and, if given, city. */
export function addressInRegion(
    address: { province?: string | null; city?: string | null } | undefined,
    rule: RegionRule,
): boolean {
    if (!address) {
        return false;
    }
    if (rule.provinces.length) {
        const code = provinceCode(address.province);
        if (!code || !rule.provinces.includes(code)) {
            return false;
        }
    }
    if (rule.cities.length) {
        const city = address.city ? normalize(address.city) : '';
        return rule.cities.some(c => normalize(c) === city);
    }
    return true;
}
