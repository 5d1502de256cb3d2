import { toAsciiDigits } from '../../../src/iran/digits';

/** One step of a volume discount: from `threshold` (items, or Rial) on, `percent` off. */
export interface Tier {
    threshold: number;
    percent: number;
}

/**
 * Parses tier lines written `threshold:percent`, e.g. `3:5`, `10:15`, `5,000,000:10` (Persian digits and
 * thousands separators allowed). Malformed lines are returned in `invalid` and otherwise ignored.
 */
export function parseTiers(lines: string[]): { tiers: Tier[]; invalid: string[] } {
    const tiers: Tier[] = [];
    const invalid: string[] = [];
    for (const line of lines) {
        const m = /^([\d,٬_ ]+)\s*[:=]\s*(\d+(?:\.\d+)?)\s*[%٪]?$/.exec(toAsciiDigits(line).trim());
        const threshold = m ? Number(m[1].replace(/[,٬_ ]/g, '')) : NaN;
        const percent = m ? Number(m[2]) : NaN;
        if (Number.isFinite(threshold) && threshold > 0 && percent > 0 && percent <= 100) {
            tiers.push({ threshold, percent });
        } else {
            invalid.push(line);
        }
    }
    return { tiers, invalid };
}

/** The tier with the highest threshold that `value` reaches; only that one applies. */
export function bestTier(tiers: Tier[], value: number): Tier | undefined {
    let best: Tier | undefined;
    for (const tier of tiers) {
        if (value >= tier.threshold && (!best || tier.threshold > best.threshold)) {
            best = tier;
        }
    }
    return best;
}
