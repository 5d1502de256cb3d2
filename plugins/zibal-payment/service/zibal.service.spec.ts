import { describe, expect, it } from 'vitest';

import { orderAmountInRial } from './zibal.service';

describe('orderAmountInRial', () => {
    it("sends the order's totalWithTax as is: one Vendure money unit is one Rial", () => {
        expect(orderAmountInRial({ totalWithTax: 39_500_000 })).toBe(39_500_000);
    });

    it('refuses amounts that are not whole, safe, positive integers', () => {
        expect(() => orderAmountInRial({ totalWithTax: 10.5 })).toThrow(RangeError);
        expect(() => orderAmountInRial({ totalWithTax: -1 })).toThrow(RangeError);
        expect(() => orderAmountInRial({ totalWithTax: Number.MAX_SAFE_INTEGER + 2 })).toThrow(RangeError);
    });
});
