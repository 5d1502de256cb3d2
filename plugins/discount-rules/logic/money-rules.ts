import { roundToWholeRial } from '../../../src/iran/money';

/**
 * `percent` of `base` (money units), rounded to a whole Rial like every amount, at most `cap` (a cap of 0 or
 * less means no cap). Positive result: the discount, which actions return negated.
 */
export function cappedPercentage(base: number, percent: number, cap: number): number {
    const discount = roundToWholeRial((base * percent) / 100);
    return cap > 0 ? Math.min(discount, cap) : discount;
}

export interface PricedLine {
    id: string;
    /** Price of one unit, in money units (Rial x 100). */
    unitPrice: number;
    quantity: number;
}

/**
 * "For every N items the cheapest gets X% off": with Q items in the order, the floor(Q / N) cheapest units
 * (across lines, mixed quantities) are discounted. Returns how many units of each line are discounted (lines
 * without any are absent). Equal prices: the earlier line goes first, so the result is stable.
 */
export function cheapestUnits(lines: PricedLine[], everyN: number): Map<string, number> {
    const result = new Map<string, number>();
    if (everyN < 1) {
        return result;
    }
    const total = lines.reduce((sum, l) => sum + l.quantity, 0);
    let remaining = Math.floor(total / everyN);
    const byPrice = lines.map((line, index) => ({ line, index }));
    byPrice.sort((a, b) => a.line.unitPrice - b.line.unitPrice || a.index - b.index);
    for (const { line } of byPrice) {
        if (remaining <= 0) {
            break;
        }
        const units = Math.min(line.quantity, remaining);
        remaining -= units;
        result.set(line.id, units);
    }
    return result;
}
