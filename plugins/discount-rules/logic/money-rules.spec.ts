import { describe, expect, it } from 'vitest';

import { cappedPercentage, cheapestUnits } from './money-rules';

describe('cap', () => {
    // Money units: Rial x 100.
    it('caps a percentage at the maximum amount ("20% up to 500,000 Toman")', () => {
        expect(cappedPercentage(1_000_000_000, 20, 500_000_000)).toBe(200_000_000);
        expect(cappedPercentage(3_900_000_000, 20, 500_000_000)).toBe(500_000_000);
    });

    it('means no cap when the cap is 0, and rounds to a whole Rial', () => {
        expect(cappedPercentage(3_900_000_000, 20, 0)).toBe(780_000_000);
        // 7% of 333 Rial is 23.31 Rial: 23 Rial.
        expect(cappedPercentage(33_300, 7, 0)).toBe(2_300);
    });
});

describe('cheapest item', () => {
    it('discounts the floor(Q/N) cheapest units across lines with mixed quantities', () => {
        const units = cheapestUnits(
            [
                { id: 'a', unitPrice: 1000, quantity: 2 },
                { id: 'b', unitPrice: 300, quantity: 1 },
                { id: 'c', unitPrice: 500, quantity: 4 },
            ],
            3,
        );
        // 7 items, every 3 -> 2 cheapest units: b (300) and one of c (500).
        expect(Object.fromEntries(units)).toEqual({ b: 1, c: 1 });
    });

    it('takes several units of one line when it is the cheapest', () => {
        const units = cheapestUnits(
            [
                { id: 'a', unitPrice: 1000, quantity: 3 },
                { id: 'c', unitPrice: 500, quantity: 3 },
            ],
            2,
        );
        expect(Object.fromEntries(units)).toEqual({ c: 3 });
    });

    it('gives nothing below N items, and breaks price ties by line order', () => {
        expect(cheapestUnits([{ id: 'a', unitPrice: 1, quantity: 2 }], 3).size).toBe(0);
        const tie = cheapestUnits(
            [
                { id: 'x', unitPrice: 700, quantity: 1 },
                { id: 'y', unitPrice: 700, quantity: 1 },
            ],
            2,
        );
        expect(Object.fromEntries(tie)).toEqual({ x: 1 });
    });
});
