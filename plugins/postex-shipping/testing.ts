import type { SimpleGraphQLClient } from '@vendure/testing';
import gql from 'graphql-tag';

import {
    ADD_PAYMENT,
    assertOk,
    FIRST_VARIANT_IDS,
    prepareOrderForPayment,
} from '../../src/testing/checkout-helpers';
import { TestShop, waitFor } from '../../src/testing/test-shop';

/**
 * For tests and benchmarks: resolves once the places sync job (queued at start) has filled `postexCities`, so
 * checkout quotes can resolve city codes.
 */
export async function waitForPostexPlaces(shop: SimpleGraphQLClient): Promise<void> {
    await waitFor(
        async () => (await shop.query(POSTEX_CITIES)).postexCities.length > 0,
        30_000,
        'the Postex places sync job',
    );
}

/**
 * For tests: a cash-on-delivery order shipped whole in one Postex fulfillment, once the worker has created its
 * parcel (so the fulfillment has a label). Call {@link waitForPostexPlaces} first.
 */
export async function postexFulfilledOrder(
    t: TestShop,
    email: string,
    /** false: return once the fulfillment exists, without waiting for its parcel (e.g. when its creation fails). */
    waitForParcel = true,
): Promise<{ orderId: string; orderCode: string; fulfillmentId: string }> {
    const client = t.newShopClient();
    const { products } = await client.query(FIRST_VARIANT_IDS);
    const { code } = await prepareOrderForPayment(client, {
        variantId: products.items[1].variants[0].id,
        email,
        shippingMethodCode: 'postex',
    });
    const paid = await client.query(ADD_PAYMENT, { input: { method: 'cash-on-delivery', metadata: {} } });
    assertOk(paid.addPaymentToOrder, 'addPaymentToOrder');
    const order = (await t.admin.query(ORDER_FULFILLMENTS, { code })).orders.items[0];
    const { addFulfillmentToOrder } = await t.admin.query(FULFILL_WITH_POSTEX, {
        input: {
            lines: order.lines.map((l: { id: string; quantity: number }) => ({
                orderLineId: l.id,
                quantity: l.quantity,
            })),
            handler: { code: 'postex', arguments: [] },
        },
    });
    assertOk(addFulfillmentToOrder, 'addFulfillmentToOrder');
    const done = {
        orderId: String(order.id),
        orderCode: code,
        fulfillmentId: String(addFulfillmentToOrder.id),
    };
    if (!waitForParcel) {
        return done;
    }
    await waitFor(
        async () =>
            (await t.admin.query(ORDER_FULFILLMENTS, { code })).orders.items[0].fulfillments.some(
                (f: { customFields: { postexParcelNo: string | null } }) => f.customFields.postexParcelNo,
            ),
        20_000,
        `the parcel of order ${code}`,
    );
    return done;
}

const POSTEX_CITIES = gql`
    {
        postexCities {
            code
        }
    }
`;

const ORDER_FULFILLMENTS = gql`
    query ($code: String!) {
        orders(options: { filter: { code: { eq: $code } } }) {
            items {
                id
                lines {
                    id
                    quantity
                }
                fulfillments {
                    id
                    customFields {
                        postexParcelNo
                    }
                }
            }
        }
    }
`;

const FULFILL_WITH_POSTEX = gql`
    mutation ($input: FulfillOrderInput!) {
        addFulfillmentToOrder(input: $input) {
            ... on Fulfillment {
                id
            }
            ... on ErrorResult {
                errorCode
                message
            }
        }
    }
`;
