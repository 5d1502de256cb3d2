import { SimpleGraphQLClient } from '@vendure/testing';
import gql from 'graphql-tag';

import { TestShop } from '../../../src/testing/test-shop';
import { FIRST_VARIANT_IDS, prepareOrderForPayment } from '../../../test/checkout-helpers';

export const CREATE_INTENT = gql`
    mutation {
        createZibalPaymentIntent {
            __typename
            ... on ZibalPaymentIntent {
                trackId
                paymentUrl
                amount
            }
            ... on ErrorResult {
                errorCode
                message
            }
            ... on ZibalGatewayError {
                resultCode
            }
        }
    }
`;

export const ORDER_BY_CODE = gql`
    query ($code: String!) {
        orders(options: { filter: { code: { eq: $code } } }) {
            items {
                id
                code
                state
                totalWithTax
                payments {
                    id
                    state
                    amount
                    method
                    transactionId
                    metadata
                    refunds {
                        id
                        state
                        total
                        metadata
                    }
                }
            }
        }
    }
`;

export const ATTEMPTS = gql`
    query ($orderId: ID!) {
        zibalPaymentAttempts(orderId: $orderId) {
            trackId
            state
            zibalStatus
            amount
            refNumber
            maskedCardNumber
            history {
                event
                status
                note
            }
        }
    }
`;

export interface StartedPayment {
    client: SimpleGraphQLClient;
    code: string;
    totalWithTax: number;
    trackId: string;
    paymentUrl: string;
}

let shopperCount = 0;

/** A shopper fills a cart, checks out to ArrangingPayment and starts a Zibal payment. */
export async function startZibalPayment(t: TestShop, productIndex = 0): Promise<StartedPayment> {
    const client = t.newShopClient();
    const { products } = await client.query(FIRST_VARIANT_IDS);
    const order = await prepareOrderForPayment(client, {
        variantId: products.items[productIndex].variants[0].id,
        email: `zibal-shopper-${++shopperCount}@example.ir`,
    });
    const { createZibalPaymentIntent: intent } = await client.query(CREATE_INTENT);
    if (intent.__typename !== 'ZibalPaymentIntent') {
        throw new Error(`createZibalPaymentIntent failed: ${JSON.stringify(intent)}`);
    }
    return { client, ...order, trackId: intent.trackId, paymentUrl: intent.paymentUrl };
}

/** Verifies a payment at the simulator directly, as a server process that then stopped would have. Returns `result`. */
export async function verifyAtZibal(t: TestShop, trackId: string): Promise<number> {
    const res = await fetch(`${t.simulators.baseUrl}/zibal/v1/verify`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ merchant: 'zibal', trackId: Number(trackId) }),
    });
    return ((await res.json()) as { result: number }).result;
}

/** What the shopper's browser does after the bank page: GET the callback URL. Returns where it is redirected. */
export async function followCallback(url: string): Promise<string> {
    const res = await fetch(url, { redirect: 'manual' });
    if (res.status !== 303) {
        throw new Error(`callback answered ${res.status}`);
    }
    return res.headers.get('location') ?? '';
}

export async function orderByCode(t: TestShop, code: string) {
    const { orders } = await t.admin.query(ORDER_BY_CODE, { code });
    return orders.items[0];
}
