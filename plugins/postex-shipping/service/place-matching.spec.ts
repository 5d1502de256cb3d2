import { describe, expect, it } from 'vitest';

import { pickService } from './postex-quote.service';
import { canonicalProvinceName, normalizePlaceName } from './place-matching';

describe('place names', () => {
    it('matches names typed with Arabic yeh/kaf, extra spaces, ZWNJ and a "شهر"/"استان" prefix', () => {
        expect(normalizePlaceName('مركز  كرمان')).toBe(normalizePlaceName('مرکز کرمان'));
        expect(normalizePlaceName('شهر تهران')).toBe('تهران');
        expect(normalizePlaceName('استان فارس')).toBe('فارس');
        expect(normalizePlaceName('شهرستان فارس')).toBe('شهرستان فارس');
        expect(normalizePlaceName('سيستان\u200Cو بلوچستان')).toBe('سیستان و بلوچستان');
    });

    it('accepts a province by Persian name, English name or ISO code', () => {
        const fars = canonicalProvinceName('فارس');
        expect(canonicalProvinceName('Fars')).toBe(fars);
        expect(canonicalProvinceName('ir-07')).toBe(fars);
        expect(canonicalProvinceName('Atlantis')).toBe('atlantis');
    });
});

describe('pickService', () => {
    const s = (courierCode: string, serviceType: string, totalPrice: number) => ({
        courierCode,
        courierName: courierCode,
        serviceType,
        serviceName: serviceType,
        slaDays: 1,
        slaHours: 0,
        vat: 0,
        discountAmount: 0,
        initPrice: totalPrice,
        totalPrice,
    });
    const services = [s('TIPAX', 'EXPRESS', 900), s('POST', 'PISHTAZ', 500), s('POST', 'SEFARESHI', 400)];

    it('takes the cheapest service matching the filter', () => {
        expect(pickService(services, '', '')?.serviceType).toBe('SEFARESHI');
        expect(pickService(services, 'POST', 'PISHTAZ')?.totalPrice).toBe(500);
        expect(pickService(services, 'TIPAX', '')?.serviceType).toBe('EXPRESS');
        expect(pickService(services, 'CHAPAR', '')).toBeUndefined();
    });
});
