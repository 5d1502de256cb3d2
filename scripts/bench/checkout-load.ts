import { SimpleGraphQLClient } from '@vendure/testing';

import { ADD_PAYMENT, FIRST_VARIANT_IDS, prepareOrderForPayment } from '../../src/testing/checkout-helpers';

/**
 * The checkout the benchmarks repeat: a new shopper fills a cart up to ArrangingPayment (add item, customer, address,
 * shipping method, transition: src/testing/checkout-helpers.ts), then pays with Vendure's dummy handler (7 Shop
 * API calls in all). `newClient` gives a Shop API client of the server under test.
 */
export interface CheckoutLoad {
    /** A cart filled up to ArrangingPayment, by shopper `n`; returns its client (pay it, e.g. through Zibal). */
    prepare(n: number): Promise<SimpleGraphQLClient>;
    /** The whole checkout paid with the dummy handler; throws unless the order ends PaymentSettled. */
    dummyCheckout(n: number): Promise<void>;
}

export async function checkoutLoad(newClient: () => SimpleGraphQLClient): Promise<CheckoutLoad> {
    const { products } = await newClient().query(FIRST_VARIANT_IDS);
    const variants: string[] = products.items.map(
        (p: { variants: Array<{ id: string }> }) => p.variants[0].id,
    );
    const prepare = async (n: number) => {
        const client = newClient();
        await prepareOrderForPayment(client, {
            variantId: variants[n % variants.length],
            email: `bench${n}@example.ir`,
        });
        return client;
    };
    return {
        prepare,
        async dummyCheckout(n: number) {
            const client = await prepare(n);
            const { addPaymentToOrder } = await client.query(ADD_PAYMENT, {
                input: { method: 'dummy', metadata: {} },
            });
            if (addPaymentToOrder.state !== 'PaymentSettled') {
                throw new Error(`dummy: ${JSON.stringify(addPaymentToOrder)}`);
            }
        },
    };
}
