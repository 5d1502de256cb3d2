import { SimpleGraphQLClient } from '@vendure/testing';
import gql from 'graphql-tag';

import { TestShop, TestShopOptions } from '../../../src/testing/test-shop';
import { ZibalPaymentPlugin } from '../zibal-payment.plugin';
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

/** A shop for {@link createPaymentsNeedingAttention}. */
export const ATTENTION_SHOP: TestShopOptions = {
    // The platform API refunds, so a refund without a clear answer can be made.
    env: { ZIBAL_PLATFORM_TOKEN: 'platform-token' },
    adjustConfig: config => {
        // Pending attempts are due for reconciliation at once (the default waits 10 minutes).
        ZibalPaymentPlugin.init({ ...ZibalPaymentPlugin.options, reconcileAfterMs: 0 });
        return config;
    },
};

export interface PaymentsNeedingAttention {
    refundDue: { orderId: string; code: string; trackId: string };
    settled: { orderId: string; code: string; trackId: string; refundId: string };
    waiting: { code: string; trackId: string };
}

/**
 * In a shop started with {@link ATTENTION_SHOP}: a refund-due attempt (Zibal verified another amount), a settled
 * payment with a refund Zibal gave no clear answer to (Pending, uncertain), and an attempt whose shopper never
 * came back (awaiting reconciliation).
 */
export async function createPaymentsNeedingAttention(t: TestShop): Promise<PaymentsNeedingAttention> {
    const mismatch = await startZibalPayment(t, 1);
    const callback = t.simulators.zibal.pay(Number(mismatch.trackId));
    t.simulators.zibal.faults.arm('/v1/verify', {
        kind: 'result',
        body: {
            result: 100,
            message: 'success',
            status: 1,
            amount: mismatch.totalWithTax / 100 - 10_000,
            refNumber: 1,
            orderId: mismatch.code,
        },
    });
    await followCallback(callback);
    const mismatchOrder = await orderByCode(t, mismatch.code);

    const paid = await startZibalPayment(t, 2);
    await followCallback(t.simulators.zibal.pay(Number(paid.trackId)));
    const paidOrder = await orderByCode(t, paid.code);
    t.simulators.zibal.faults.arm('/v1/account/refund', { kind: 'http-error', status: 503 });
    const { refundOrder } = await t.admin.query(REFUND_ORDER, {
        input: {
            paymentId: paidOrder.payments[0].id,
            amount: 1_000_000,
            shipping: 0,
            adjustment: 0,
            reason: 'returned',
        },
    });
    if (refundOrder.state !== 'Pending' || refundOrder.metadata?.uncertain !== true) {
        throw new Error(`expected an uncertain Pending refund: ${JSON.stringify(refundOrder)}`);
    }

    const left = await startZibalPayment(t, 3);
    return {
        refundDue: { orderId: mismatchOrder.id, code: mismatch.code, trackId: mismatch.trackId },
        settled: { orderId: paidOrder.id, code: paid.code, trackId: paid.trackId, refundId: refundOrder.id },
        waiting: { code: left.code, trackId: left.trackId },
    };
}

export const REFUND_ORDER = gql`
    mutation ($input: RefundOrderInput!) {
        refundOrder(input: $input) {
            ... on Refund {
                id
                state
                total
                metadata
            }
            ... on ErrorResult {
                errorCode
                message
            }
        }
    }
`;
