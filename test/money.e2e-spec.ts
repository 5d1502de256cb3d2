import gql from 'graphql-tag';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { withPromotions } from '../plugins/discount-rules/e2e/fixtures';
import { sentEmails } from '../src/testing/mailbox';
import { formatAsStorefront } from '../src/testing/storefront-format';
import { createTestShop, TestShop, testProfile, waitFor } from '../src/testing/test-shop';

import {
    ADD_ITEM,
    ADD_PAYMENT,
    createTestPaymentMethod,
    prepareOrderForPayment,
    withDummyPayment,
} from './checkout-helpers';

/**
 * Money as Vendure documents it (minor units: Rial x 100), read the way the official storefront starter reads it,
 * while shoppers still pay whole Rials (README "Money").
 */
const PRODUCT = gql`
    query ($slug: String!) {
        product(slug: $slug) {
            variants {
                id
                currencyCode
                price
                priceWithTax
            }
        }
    }
`;

const ORDER_FIELDS = gql`
    fragment MoneyFields on Order {
        code
        currencyCode
        subTotal
        subTotalWithTax
        shipping
        shippingWithTax
        total
        totalWithTax
        discounts {
            description
            amount
            amountWithTax
        }
        taxSummary {
            taxBase
            taxTotal
        }
        lines {
            quantity
            unitPrice
            unitPriceWithTax
            discountedUnitPriceWithTax
            proratedUnitPriceWithTax
            linePrice
            linePriceWithTax
            discountedLinePriceWithTax
            proratedLinePrice
            proratedLinePriceWithTax
            lineTax
        }
        shippingLines {
            price
            priceWithTax
            discountedPriceWithTax
        }
    }
`;

const ACTIVE_ORDER = gql`
    query {
        activeOrder {
            ...MoneyFields
        }
    }
    ${ORDER_FIELDS}
`;

type MoneyOrder = {
    code: string;
    currencyCode: string;
    totalWithTax: number;
    subTotalWithTax: number;
    shippingWithTax: number;
    discounts: Array<{ amountWithTax: number }>;
    lines: Array<Record<string, number>>;
    shippingLines: Array<Record<string, number>>;
    taxSummary: Array<Record<string, number>>;
};

/** Every amount in an order, with where it is. */
function amountsOf(order: MoneyOrder): Array<[string, number]> {
    const out: Array<[string, number]> = [];
    const walk = (value: unknown, where: string) => {
        if (typeof value === 'number') {
            out.push([where, value]);
        } else if (Array.isArray(value)) {
            value.forEach((v, i) => walk(v, `${where}[${i}]`));
        } else if (value && typeof value === 'object') {
            for (const [k, v] of Object.entries(value)) {
                if (k !== 'quantity') {
                    walk(v, `${where}.${k}`);
                }
            }
        }
    };
    walk(order, 'order');
    return out;
}

function expectWholeRials(order: MoneyOrder): void {
    for (const [where, amount] of amountsOf(order)) {
        expect(Math.abs(amount % 100), `${where} = ${amount} is not a whole Rial`).toBe(0);
    }
}

describe(`money in minor units, paid in whole Rials (${testProfile()})`, () => {
    let t: TestShop;

    beforeAll(async () => {
        t = await createTestShop({ adjustConfig: withDummyPayment });
        await createTestPaymentMethod(t.admin);
    });

    afterAll(async () => {
        await t?.close();
    });

    it('shows product and shipping prices the way the official storefront starter formats them', async () => {
        const { product } = await t.shop.query(PRODUCT, { slug: 'samsung-galaxy-a55-phone' });
        const [phone] = product.variants;
        expect(phone.priceWithTax).toBe(21_500_000_000);
        expect(formatAsStorefront(phone.priceWithTax, phone.currencyCode)).toBe('IRR\u00a0215,000,000');
        // The shelf price includes 10% VAT: the net price is rounded to a whole Rial (195,454,545.45 -> ...545).
        expect(phone.price).toBe(19_545_454_500);

        const client = t.newShopClient();
        await client.query(ADD_ITEM, { variantId: phone.id, quantity: 1 });
        await client.query(gql`
            mutation {
                setOrderShippingAddress(
                    input: { streetLine1: "ولیعصر", city: "تهران", province: "تهران", countryCode: "IR" }
                ) {
                    __typename
                }
            }
        `);
        const { eligibleShippingMethods } = await client.query(gql`
            query {
                eligibleShippingMethods {
                    code
                    price
                    priceWithTax
                }
            }
        `);
        const flat = eligibleShippingMethods.find((m: { code: string }) => m.code === 'flat-rate');
        expect(formatAsStorefront(flat.priceWithTax, 'IRR')).toBe('IRR\u00a0500,000');
        // Shipping carries VAT like the goods (and like Postex's prices): 500,000 Rial includes 10%.
        expect(flat.price).toBe(45_454_500);
        for (const method of eligibleShippingMethods) {
            expect(method.priceWithTax % 100, method.code).toBe(0);
        }
    });

    it('makes every amount of a checkout a whole Rial, with a total equal to the sum of its lines', async () => {
        const client = t.newShopClient();
        const { product } = await client.query(PRODUCT, { slug: 'electric-samovar' });
        // Four of an item and a third off: the exact discount and the VAT split are fractions of a Rial.
        await client.query(ADD_ITEM, { variantId: product.variants[0].id, quantity: 3 });
        await withPromotions(
            t.admin,
            [
                {
                    name: 'A third off',
                    conditions: [{ code: 'minimum_order_amount', args: { amount: 0, taxInclusive: true } }],
                    actions: [{ code: 'order_percentage_discount', args: { discount: 33.333333 } }],
                },
            ],
            async () => {
                const order = await prepareOrderForPayment(client, {
                    variantId: product.variants[0].id,
                    quantity: 1,
                    email: `money-${Date.now()}@example.ir`,
                    shippingMethodCode: 'postex',
                });
                const { activeOrder } = (await client.query(ACTIVE_ORDER)) as { activeOrder: MoneyOrder };
                expectWholeRials(activeOrder);
                const lines = activeOrder.lines.reduce((s, l) => s + l.proratedLinePriceWithTax, 0);
                const shipping = activeOrder.shippingLines.reduce((s, l) => s + l.discountedPriceWithTax, 0);
                expect(activeOrder.subTotalWithTax).toBe(lines);
                expect(activeOrder.totalWithTax).toBe(lines + shipping);
                expect(order.totalWithTax).toBe(activeOrder.totalWithTax);
                // The discount, rounded the documented way: a third of the 4 samovars, to the nearest Rial.
                const exact = product.variants[0].priceWithTax * 4 * 0.33333333;
                expect(exact % 100).not.toBe(0);
                expect(activeOrder.discounts[0].amountWithTax).toBe(-Math.round(exact / 100) * 100);

                // Cash on delivery authorizes that total (the Postex e2e checks the parcel collects it, in Rial).
                const paid = await client.query(ADD_PAYMENT, {
                    input: { method: 'cash-on-delivery', metadata: {} },
                });
                expect(paid.addPaymentToOrder).toMatchObject({ state: 'PaymentAuthorized' });
            },
        );
    });

    it('shows the same figures in the order confirmation email, with the email plugin’s own formatting', async () => {
        const client = t.newShopClient();
        const email = `receipt-${Date.now()}@example.ir`;
        const { product } = await client.query(PRODUCT, { slug: 'samsung-galaxy-a55-phone' });
        const order = await prepareOrderForPayment(client, { variantId: product.variants[0].id, email });
        // Settled at once (the confirmation goes out on PaymentSettled).
        await client.query(ADD_PAYMENT, { input: { method: 'test-payment', metadata: {} } });
        const sent = await waitFor(
            async () => sentEmails(t.app).find(e => e.recipient === email),
            20_000,
            'the order confirmation email',
        );
        // 215,000,000 + 500,000 flat-rate shipping, written as Vendure's formatMoney helper writes IRR.
        expect(order.totalWithTax).toBe(21_550_000_000);
        expect(sent.body).toMatch(/IRR\s215,500,000(?![\d.,])/);
        expect(sent.body).toMatch(/IRR\s215,000,000(?![\d.,])/);
        expect(sent.body).toMatch(/IRR\s500,000(?![\d.,])/);
    });
});
