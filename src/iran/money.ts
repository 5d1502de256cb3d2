import { BigIntMoneyStrategy } from '@vendure/core';

/**
 * How Vendure's integer money maps to Iranian currency in this project:
 * **one Vendure money unit = one Rial** (currency code `IRR`), stored in `bigint` columns because Rial
 * amounts overflow 32-bit integers quickly (2.1 billion Rial is about 214 million Toman).
 * `precision = 0` tells the Admin UI that there is no minor unit. Toman (= 10 Rial) is a display concern.
 */
export class RialMoneyStrategy extends BigIntMoneyStrategy {
    readonly precision = 0;

    round(value: number, quantity = 1): number {
        return Math.round(value * quantity);
    }
}

export const RIAL_PER_TOMAN = 10;

export function rialToToman(rial: number): number {
    return Math.floor(rial / RIAL_PER_TOMAN);
}

export function tomanToRial(toman: number): number {
    return toman * RIAL_PER_TOMAN;
}

/** Checks that an amount about to be sent to a provider is a whole, positive, safe Rial amount. */
export function assertRialAmount(amount: number): number {
    if (!Number.isSafeInteger(amount) || amount < 0) {
        throw new RangeError(`Not a valid Rial amount: ${amount}`);
    }
    return amount;
}
