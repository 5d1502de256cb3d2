import { describe, expect, it } from 'vitest';

import { bestTier, parseTiers } from './tiers';

describe('volume tiers', () => {
    const { tiers } = parseTiers(['3:5', '5:10', '10:15']);

    it('applies only the best tier reached', () => {
        expect(bestTier(tiers, 2)).toBeUndefined();
        expect(bestTier(tiers, 3)?.percent).toBe(5);
        expect(bestTier(tiers, 4)?.percent).toBe(5);
        expect(bestTier(tiers, 5)?.percent).toBe(10);
        expect(bestTier(tiers, 99)?.percent).toBe(15);
    });

    it('does not depend on the order the tiers were entered in', () => {
        expect(bestTier(parseTiers(['10:15', '3:5', '5:10']).tiers, 6)?.percent).toBe(10);
    });

    it('reads amounts with separators and Persian digits, and reports malformed rows', () => {
        const parsed = parseTiers(['50,000,000:10', '۱۰۰٬۰۰۰٬۰۰۰ : ۲۰٪', 'ten:5', '3:150', '']);
        expect(parsed.tiers).toEqual([
            { threshold: 50_000_000, percent: 10 },
            { threshold: 100_000_000, percent: 20 },
        ]);
        expect(parsed.invalid).toEqual(['ten:5', '3:150', '']);
    });
});
