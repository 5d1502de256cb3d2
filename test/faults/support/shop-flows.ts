import { SimpleGraphQLClient } from '@vendure/testing';
import gql from 'graphql-tag';

import {
    ACTIVE_ORDER,
    ADD_PAYMENT,
    assertOk,
    FIRST_VARIANT_IDS,
    prepareOrderForPayment,
} from '../../../src/testing/checkout-helpers';

import { shopClient } from './fault-shop';

/** Shop and Admin API steps the fault scenarios share, over HTTP against the compiled processes. */

export const CREATE_INTENT = gql`
    mutation {
        createZibalPaymentIntent {
            __typename
            ... on ZibalPaymentIntent {
                trackId
                paymentUrl
            }
            ... on ErrorResult {
                errorCode
                message
            }
        }
    }
`;

export const ADMIN_ORDER = gql`
    query ($code: String!) {
        orders(options: { filter: { code: { eq: $code } } }) {
            items {
                id
                code
                state
                totalWithTax
                lines {
                    id
                    quantity
                }
                payments {
                    id
                    state
                    amount
                    method
                    transactionId
                }
                fulfillments {
                    id
                    state
                    customFields {
                        postexParcelNo
                    }
                }
            }
        }
    }
`;

export interface AdminOrder {
    id: string;
    code: string;
    state: string;
    totalWithTax: number;
    lines: Array<{ id: string; quantity: number }>;
    payments: Array<{ id: string; state: string; amount: number; method: string; transactionId: string }>;
    fulfillments: Array<{ id: string; state: string; customFields: { postexParcelNo: string | null } }>;
}

export async function adminClient(baseUrl: string): Promise<SimpleGraphQLClient> {
    const admin = shopClient(baseUrl, 'admin-api');
    await admin.asSuperAdmin();
    return admin;
}

export async function adminOrder(admin: SimpleGraphQLClient, code: string): Promise<AdminOrder | undefined> {
    const { orders } = await admin.query(ADMIN_ORDER, { code });
    return orders.items[0];
}

export async function firstVariantIds(client: SimpleGraphQLClient): Promise<string[]> {
    const { products } = await client.query(FIRST_VARIANT_IDS);
    return products.items.map((p: { variants: Array<{ id: string }> }) => p.variants[0].id);
}

/** A guest checks out and pays cash on delivery: the order is PaymentAuthorized. */
export async function codOrder(
    baseUrl: string,
    variantId: string,
    email: string,
): Promise<{ code: string; client: SimpleGraphQLClient }> {
    const client = shopClient(baseUrl);
    await prepareOrderForPayment(client, { variantId, email, shippingMethodCode: 'postex' });
    const paid = await client.query(ADD_PAYMENT, { input: { method: 'cash-on-delivery', metadata: {} } });
    assertOk(paid.addPaymentToOrder, 'addPaymentToOrder');
    return { code: paid.addPaymentToOrder.code, client };
}

export interface ZibalCheckout {
    client: SimpleGraphQLClient;
    code: string;
    trackId: string;
    /** Where the bank page sends the browser back: the server's callback URL. */
    callbackUrl: string;
}

/**
 * A guest checks out and starts a Zibal payment. Called again after a failed request (a shopper reloading), it goes
 * on from where the active order is: an order already in ArrangingPayment only gets the payment intent.
 */
export async function startZibalCheckout(
    client: SimpleGraphQLClient,
    variantId: string,
    email: string,
): Promise<{ code: string; trackId: string }> {
    const { activeOrder } = await client.query(ACTIVE_ORDER);
    const order =
        activeOrder?.state === 'ArrangingPayment'
            ? { code: activeOrder.code as string }
            : await prepareOrderForPayment(client, { variantId, email });
    const { createZibalPaymentIntent: intent } = await client.query(CREATE_INTENT);
    if (intent.__typename !== 'ZibalPaymentIntent') {
        throw new Error(`createZibalPaymentIntent failed: ${JSON.stringify(intent)}`);
    }
    return { code: order.code, trackId: String(intent.trackId) };
}

/** The shopper pays on the simulator's bank page; returns the callback URL the browser is sent to. */
export async function payAtBank(simulatorUrl: string, trackId: string): Promise<string> {
    const res = await fetch(`${simulatorUrl}/zibal/start/${trackId}/pay`, {
        method: 'POST',
        redirect: 'manual',
    });
    const location = res.headers.get('location');
    if (res.status !== 302 || !location) {
        throw new Error(`bank page answered ${res.status}`);
    }
    return location;
}

/** The browser follows the callback; returns the status and where it is sent (303 to the storefront). */
export async function followCallback(url: string): Promise<{ status: number; location: string }> {
    const res = await fetch(url, { redirect: 'manual', signal: AbortSignal.timeout(60_000) });
    await res.arrayBuffer();
    return { status: res.status, location: res.headers.get('location') ?? '' };
}
