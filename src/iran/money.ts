import { BigIntMoneyStrategy } from '@vendure/core';

/**
 * How this project stores Iranian money, the way Vendure documents money for every currency: an integer in the
 * currency's **minor unit**. ISO 4217 gives IRR two decimals, so **1 Rial = 100 money units** (215,000,000 Rial is
 * stored as 21,500,000,000), and every storefront, the email plugin and third-party plugins show it correctly by
 * dividing by 100 as Vendure tells them to. Toman (= 10 Rial) is a display concern of the storefront.
 */
export const MINOR_UNITS_PER_RIAL = 100;
export const RIAL_PER_TOMAN = 10;

/**
 * Vendure's money strategy for IRR shops: `bigint` columns (Rial amounts × 100 overflow 32-bit integers at
 * 21 million Rial), precision 2, and **every amount rounded to a whole Rial**. Vendure rounds each price,
 * tax, discount and shipping amount through `round()`, and sums rounded amounts into totals, so whatever a
 * shopper sees or pays is a whole number of Rials: a line is rounded once (unit amount × quantity, Vendure's
 * default since 3.1), to the nearest Rial, halves towards +∞ (`Math.round`, as Vendure does).
 * The strategy has no currency to look at: a channel in another currency is rounded to 100 of its minor units too.
 */
export class RialMoneyStrategy extends BigIntMoneyStrategy {
    readonly precision = 2;

    round(value: number, quantity = 1): number {
        return roundToWholeRial(value * quantity);
    }
}

/** The nearest whole Rial of an amount in money units (Rial × 100). */
export function roundToWholeRial(amount: number): number {
    // `+ 0` turns Math.round's -0 into 0.
    return Math.round(amount / MINOR_UNITS_PER_RIAL) * MINOR_UNITS_PER_RIAL + 0;
}

/**
 * Converts a stored amount (money units) to the whole Rials a provider (Zibal, Postex) is sent. Throws on a
 * fraction of a Rial or anything not a safe non-negative integer: such an amount never reaches a provider.
 */
export function toRial(amount: number): number {
    if (!Number.isSafeInteger(amount) || amount < 0 || amount % MINOR_UNITS_PER_RIAL !== 0) {
        throw new RangeError(`Not a whole, non-negative Rial amount: ${amount} money units`);
    }
    return amount / MINOR_UNITS_PER_RIAL;
}

/** Converts whole Rials from a provider to money units; NaN for anything that is not a safe whole number. */
export function fromRial(rial: number): number {
    const amount = rial * MINOR_UNITS_PER_RIAL;
    return Number.isSafeInteger(rial) && Number.isSafeInteger(amount) ? amount : Number.NaN;
}

/** An amount in money units as text for logs and notes, e.g. `215,000,000 Rial`. */
export function formatRial(amount: number): string {
    return `${(amount / MINOR_UNITS_PER_RIAL).toLocaleString('en-US', { maximumFractionDigits: 2 })} Rial`;
}

export function tomanToRial(toman: number): number {
    return toman * RIAL_PER_TOMAN;
}

/** Money units of a price written in Toman (the demo catalogue's prices). */
export function tomanToMoney(toman: number): number {
    return tomanToRial(toman) * MINOR_UNITS_PER_RIAL;
}
