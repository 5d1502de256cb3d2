import { describe, expect, it } from 'vitest';

import { isUndeliverableAddress } from './email-sender';

describe('isUndeliverableAddress', () => {
    it('recognises addresses under the reserved .invalid domain (RFC 6761)', () => {
        expect(isUndeliverableAddress('09123456789@phone.invalid')).toBe(true);
        expect(isUndeliverableAddress('Sara <09123456789@PHONE.INVALID>')).toBe(true);
        expect(isUndeliverableAddress(' x@a.b.invalid. ')).toBe(true);
    });

    it('lets every other address through', () => {
        expect(isUndeliverableAddress('sara@example.ir')).toBe(false);
        expect(isUndeliverableAddress('invalid@shop.ir')).toBe(false);
        expect(isUndeliverableAddress('x@invalid.shop.ir')).toBe(false);
    });
});
