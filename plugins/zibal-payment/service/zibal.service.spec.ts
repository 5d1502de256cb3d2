import { describe, expect, it } from 'vitest';

import { payableAmount } from './zibal.service';

describe('payableAmount', () => {
    it("is the order's totalWithTax in money units (Rial x 100)", () => {
        expect(payableAmount({ totalWithTax: 3_950_000_000 })).toBe(3_950_000_000);
    });

    it('refuses totals that are not whole, safe, non-negative Rial amounts', () => {
        expect(() => payableAmount({ totalWithTax: 3_950_000_050 })).toThrow(RangeError);
        expect(() => payableAmount({ totalWithTax: 10.5 })).toThrow(RangeError);
        expect(() => payableAmount({ totalWithTax: -100 })).toThrow(RangeError);
        expect(() => payableAmount({ totalWithTax: Number.MAX_SAFE_INTEGER + 2 })).toThrow(RangeError);
    });
});
