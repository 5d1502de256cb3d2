import type { SimpleGraphQLClient } from '@vendure/testing';
import gql from 'graphql-tag';

import {
    ADD_PAYMENT,
    assertOk,
    FIRST_VARIANT_IDS,
    prepareOrderForPayment,
} from '../../src/testing/checkout-helpers';
import { TestShop, TestShopOptions, waitFor } from '../../src/testing/test-shop';

import { PostexShippingPlugin } from './postex-shipping.plugin';

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

/** A shop for {@link createParcelsNeedingAttention}: a refused create fails its job at once (default: 5 retries). */
export const ATTENTION_SHOP: TestShopOptions = {
    adjustConfig: config => {
        PostexShippingPlugin.init({ ...PostexShippingPlugin.options, createParcelRetries: 0 });
        return config;
    },
};

type FulfilledOrder = Awaited<ReturnType<typeof postexFulfilledOrder>>;

/**
 * For tests, in a shop started with {@link ATTENTION_SHOP}: a parcel waiting for its label to be printed, a
 * cash-on-delivery order staff marked delivered by hand (its payment not settled), and a fulfillment whose parcel
 * Postex refused to create (its job failed).
 */
export async function createParcelsNeedingAttention(
    t: TestShop,
): Promise<{ labelled: FulfilledOrder; delivered: FulfilledOrder; failed: FulfilledOrder }> {
    await waitForPostexPlaces(t.shop);
    const labelled = await postexFulfilledOrder(t, 'labelled@example.ir');
    const delivered = await postexFulfilledOrder(t, 'delivered@example.ir');
    for (const state of ['Shipped', 'Delivered']) {
        const { transitionFulfillmentToState } = await t.admin.query(TRANSITION_FULFILLMENT, {
            id: delivered.fulfillmentId,
            state,
        });
        if (transitionFulfillmentToState.state !== state) {
            throw new Error(`fulfillment -> ${state}: ${JSON.stringify(transitionFulfillmentToState)}`);
        }
    }
    t.simulators.postex.faults.arm('/parcels/bulk', {
        kind: 'http-error',
        status: 400,
        body: { isSuccess: false, message: 'receiver address is required' },
    });
    const failed = await postexFulfilledOrder(t, 'failed@example.ir', false);
    await waitFor(
        async () =>
            (await t.admin.query(CREATIONS)).postexParcelsNeedingAttention.creations.find(
                (c: { fulfillmentId: string; status: string }) =>
                    c.fulfillmentId === failed.fulfillmentId && c.status === 'FAILED',
            ),
        30_000,
        'the failed creation job',
    );
    return { labelled, delivered, failed };
}

const CREATIONS = gql`
    query {
        postexParcelsNeedingAttention {
            creations {
                fulfillmentId
                status
            }
        }
    }
`;

const TRANSITION_FULFILLMENT = gql`
    mutation ($id: ID!, $state: String!) {
        transitionFulfillmentToState(id: $id, state: $state) {
            ... on Fulfillment {
                id
                state
            }
            ... on ErrorResult {
                errorCode
                message
            }
        }
    }
`;
