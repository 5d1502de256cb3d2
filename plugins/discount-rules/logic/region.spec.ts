import { describe, expect, it } from 'vitest';

import { mobileSpellings } from './mobile-variants';
import { addressInRegion, provinceCode, provinceCodes } from './region';
import { IranianMobile } from '../../../src/iran/mobile';
import { bestCandidate } from './exclusive';

describe('region', () => {
    it('recognises provinces by code, Persian (Arabic keyboard too) and English name', () => {
        expect(provinceCode('IR-23')).toBe('IR-23');
        expect(provinceCode('تهران')).toBe('IR-23');
        expect(provinceCode('استان اصفهان')).toBe('IR-10');
        expect(provinceCode('آذربايجان شرقي')).toBe('IR-03'); // Arabic yeh
        expect(provinceCode('tehran')).toBe('IR-23');
        expect(provinceCode('Atlantis')).toBeUndefined();
    });

    it('matches the shipping address by province and, when listed, city', () => {
        const tehranOnly = { provinces: provinceCodes(['Tehran']), cities: [] };
        expect(addressInRegion({ province: 'تهران', city: 'تهران' }, tehranOnly)).toBe(true);
        expect(addressInRegion({ province: 'اصفهان', city: 'اصفهان' }, tehranOnly)).toBe(false);
        expect(addressInRegion(undefined, tehranOnly)).toBe(false);
        const shemiranat = { provinces: ['IR-23'], cities: ['شمیرانات'] };
        expect(addressInRegion({ province: 'تهران', city: 'شميرانات' }, shemiranat)).toBe(true);
        expect(addressInRegion({ province: 'تهران', city: 'تهران' }, shemiranat)).toBe(false);
    });
});

describe('mobile spellings', () => {
    it('covers the formats a number is stored in', () => {
        expect(mobileSpellings('09123456789' as IranianMobile)).toEqual([
            '09123456789',
            '+989123456789',
            '989123456789',
            '00989123456789',
            '9123456789',
            '۰۹۱۲۳۴۵۶۷۸۹',
        ]);
    });
});

describe('exclusivity', () => {
    it('picks the lowest total; ties go to the earlier candidate (the combinable set)', () => {
        const stack = { promotions: ['a', 'b'], total: 900 };
        expect(bestCandidate([stack, { promotions: ['x'], total: 800 }]).promotions).toEqual(['x']);
        expect(bestCandidate([stack, { promotions: ['x'], total: 900 }]).promotions).toEqual(['a', 'b']);
        expect(
            bestCandidate([stack, { promotions: ['x'], total: 850 }, { promotions: ['y'], total: 850 }])
                .promotions,
        ).toEqual(['x']);
    });
});
