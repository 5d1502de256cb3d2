/**
 * How Vendure's official storefront starters show a money value: the integer in minor units, divided by 100,
 * formatted for the currency. (IRR has no decimals in CLDR, so 21,500,000,000 reads `IRR\u00a0215,000,000`.)
 */
export function formatAsStorefront(value: number, currencyCode: string): string {
    return new Intl.NumberFormat('en-US', { style: 'currency', currency: currencyCode }).format(value / 100);
}
