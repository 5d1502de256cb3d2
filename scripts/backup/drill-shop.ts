import { randomUUID } from 'node:crypto';

import { SimpleGraphQLClient } from '@vendure/testing';
import gql from 'graphql-tag';

import {
    ADD_PAYMENT,
    assertOk,
    CREATE_ZIBAL_INTENT,
    FIRST_VARIANT_IDS,
    prepareOrderForPayment,
} from '../../src/testing/checkout-helpers';
import { TestShop } from '../../src/testing/test-shop';

/**
 * What the restore drill does through the shop's public APIs: orders of every kind through the Shop API, and the
 * state the Admin API shows, compared before the failure and after the restore.
 */

const REQUEST_OTP = gql`
    mutation ($phoneNumber: String!) {
        requestLoginOtp(phoneNumber: $phoneNumber) {
            __typename
            ... on ErrorResult {
                errorCode
                message
            }
        }
    }
`;

const AUTHENTICATE_OTP = gql`
    mutation ($input: SmsOtpAuthInput!) {
        authenticate(input: { smsOtp: $input }) {
            __typename
            ... on CurrentUser {
                id
            }
        }
    }
`;

const SEND_MESSAGE = gql`
    mutation ($input: SendSupportMessageInput!) {
        sendSupportMessage(input: $input) {
            __typename
            ... on SendSupportMessageSuccess {
                conversation {
                    id
                }
            }
            ... on ErrorResult {
                errorCode
                message
            }
        }
    }
`;

export interface PlacedOrder {
    code: string;
    kind: 'cod' | 'zibal' | 'otp-cod';
}

export class DrillShopper {
    private variants: string[] = [];
    private n = 0;

    constructor(private readonly t: TestShop) {}

    private async variant(): Promise<string> {
        if (!this.variants.length) {
            const { products } = await this.t.shop.query(FIRST_VARIANT_IDS);
            this.variants = products.items.map((p: { variants: Array<{ id: string }> }) => p.variants[0].id);
        }
        return this.variants[this.n++ % this.variants.length];
    }

    /** A guest pays cash on delivery. */
    async codOrder(tag: string): Promise<PlacedOrder> {
        const client = this.t.newShopClient();
        const { code } = await prepareOrderForPayment(client, {
            variantId: await this.variant(),
            email: `drill-${tag}-${this.n}@example.ir`,
        });
        const { addPaymentToOrder } = await client.query(ADD_PAYMENT, {
            input: { method: 'cash-on-delivery', metadata: {} },
        });
        assertOk(addPaymentToOrder, 'addPaymentToOrder');
        return { code, kind: 'cod' };
    }

    /** A guest starts a Zibal payment; `settle()` pays at the bank and follows the callback as the browser would. */
    async startZibal(
        tag: string,
    ): Promise<{ code: string; trackId: string; settle(): Promise<PlacedOrder> }> {
        const client = this.t.newShopClient();
        const { code } = await prepareOrderForPayment(client, {
            variantId: await this.variant(),
            email: `drill-${tag}-${this.n}@example.ir`,
        });
        const { createZibalPaymentIntent: intent } = await client.query(CREATE_ZIBAL_INTENT);
        if (intent.__typename !== 'ZibalPaymentIntent') {
            throw new Error(`createZibalPaymentIntent: ${JSON.stringify(intent)}`);
        }
        return {
            code,
            trackId: intent.trackId,
            settle: async () => {
                const res = await fetch(this.t.simulators.zibal.pay(Number(intent.trackId)), {
                    redirect: 'manual',
                });
                if (res.status !== 303) {
                    throw new Error(`Zibal callback answered ${res.status}`);
                }
                return { code, kind: 'zibal' };
            },
        };
    }

    /** A shopper logs in with an SMS code and pays cash on delivery; writes to support chat. */
    async otpCustomerOrder(phone: string, chat: string): Promise<PlacedOrder & { conversationId: string }> {
        const client = this.t.newShopClient();
        const before = this.t.simulators.smsir.inbox.length;
        const { requestLoginOtp } = await client.query(REQUEST_OTP, { phoneNumber: phone });
        if (
            requestLoginOtp.__typename !== 'RequestLoginOtpSuccess' ||
            this.t.simulators.smsir.inbox.length <= before
        ) {
            throw new Error(`requestLoginOtp: ${JSON.stringify(requestLoginOtp)}`);
        }
        const otp = this.t.simulators.smsir.inbox.at(-1)!.parameters.find(p => p.name === 'CODE')!.value;
        const { authenticate } = await client.query(AUTHENTICATE_OTP, {
            input: { phoneNumber: phone, code: otp, firstName: 'مریم', lastName: 'کریمی' },
        });
        if (authenticate.__typename !== 'CurrentUser') {
            throw new Error(`OTP login: ${JSON.stringify(authenticate)}`);
        }
        const { code } = await prepareOrderForPayment(client, { variantId: await this.variant(), phone });
        const { addPaymentToOrder } = await client.query(ADD_PAYMENT, {
            input: { method: 'cash-on-delivery', metadata: {} },
        });
        assertOk(addPaymentToOrder, 'addPaymentToOrder');
        const conversationId = await this.chat(client, chat);
        return { code, kind: 'otp-cod', conversationId };
    }

    /** A shopper's chat message (Shop API); returns the conversation. */
    async chat(client: SimpleGraphQLClient, body: string): Promise<string> {
        const { sendSupportMessage } = await client.query(SEND_MESSAGE, {
            input: { body, clientMessageId: randomUUID() },
        });
        if (sendSupportMessage.__typename !== 'SendSupportMessageSuccess') {
            throw new Error(`sendSupportMessage: ${JSON.stringify(sendSupportMessage)}`);
        }
        return sendSupportMessage.conversation.id;
    }

    /** A staff reply (Admin API, as the superadmin). */
    async staffReply(conversationId: string, body: string): Promise<void> {
        const { sendSupportMessage } = await this.t.admin.query(SEND_MESSAGE, {
            input: { conversationId, body, clientMessageId: randomUUID() },
        });
        if (sendSupportMessage.__typename !== 'SendSupportMessageSuccess') {
            throw new Error(`staff sendSupportMessage: ${JSON.stringify(sendSupportMessage)}`);
        }
    }
}

const ADMIN_ORDERS = gql`
    query ($skip: Int!) {
        orders(options: { skip: $skip, take: 100, sort: { id: ASC } }) {
            totalItems
            items {
                id
                code
                state
                active
                orderPlacedAt
                totalWithTax
                shippingWithTax
                customer {
                    emailAddress
                    phoneNumber
                    customFields {
                        verifiedMobile
                    }
                }
                lines {
                    quantity
                    linePriceWithTax
                    productVariant {
                        sku
                    }
                }
                payments {
                    method
                    state
                    amount
                    transactionId
                }
            }
        }
    }
`;

const ADMIN_ATTEMPTS = gql`
    query ($orderId: ID!) {
        zibalPaymentAttempts(orderId: $orderId) {
            trackId
            state
            amount
            zibalStatus
            refNumber
            paymentId
        }
    }
`;

const ADMIN_CUSTOMERS = gql`
    query {
        customers(options: { take: 1000, sort: { id: ASC } }) {
            totalItems
            items {
                id
                emailAddress
                phoneNumber
                firstName
                lastName
                customFields {
                    verifiedMobile
                }
            }
        }
    }
`;

const ADMIN_CHAT = gql`
    query {
        supportConversations(filter: { take: 100 }) {
            totalItems
            items {
                id
                status
                lastSeq
                customerId
            }
        }
    }
`;

const ADMIN_MESSAGES = gql`
    query ($id: ID!) {
        supportMessages(conversationId: $id, page: { take: 100 }) {
            items {
                seq
                senderType
                body
            }
        }
    }
`;

/** What the Admin API shows of orders, payments, Zibal attempts, customers and chat messages. */
export async function adminSnapshot(admin: SimpleGraphQLClient): Promise<Record<string, unknown>> {
    const orders: Array<{ id: string; code: string; payments: unknown[] }> = [];
    for (let skip = 0; ; skip += 100) {
        const { orders: page } = await admin.query(ADMIN_ORDERS, { skip });
        orders.push(...page.items);
        if (orders.length >= page.totalItems || !page.items.length) {
            break;
        }
    }
    const attempts: Record<string, unknown> = {};
    for (const order of orders) {
        const { zibalPaymentAttempts } = await admin.query(ADMIN_ATTEMPTS, { orderId: order.id });
        if (zibalPaymentAttempts.length) {
            attempts[order.code] = zibalPaymentAttempts;
        }
    }
    const { customers } = await admin.query(ADMIN_CUSTOMERS);
    const { supportConversations } = await admin.query(ADMIN_CHAT);
    const messages: Record<string, unknown> = {};
    for (const c of supportConversations.items as Array<{ id: string }>) {
        messages[c.id] = (await admin.query(ADMIN_MESSAGES, { id: c.id })).supportMessages.items;
    }
    return { orders, attempts, customers, conversations: supportConversations, messages };
}

/** Order codes (of `codes`) the Admin API finds. */
export async function existingOrderCodes(admin: SimpleGraphQLClient, codes: string[]): Promise<string[]> {
    const { orders } = await admin.query(
        gql`
            query ($codes: [String!]) {
                orders(options: { filter: { code: { in: $codes } }, take: 1000 }) {
                    items {
                        code
                    }
                }
            }
        `,
        { codes },
    );
    return orders.items.map((o: { code: string }) => o.code);
}

/** The shop answers the Shop API (the RTO's end point). */
export async function shopAnswers(t: TestShop): Promise<boolean> {
    const { products } = await t.newShopClient().query(FIRST_VARIANT_IDS);
    return products.items.length > 0;
}

/** The first differences between two JSON-able values, as paths. */
export function differences(a: unknown, b: unknown, at = '', out: string[] = []): string[] {
    if (out.length >= 10) {
        return out;
    }
    if (typeof a !== typeof b || Array.isArray(a) !== Array.isArray(b) || (a === null) !== (b === null)) {
        out.push(`${at || '/'}: ${JSON.stringify(a)?.slice(0, 120)} != ${JSON.stringify(b)?.slice(0, 120)}`);
    } else if (a && typeof a === 'object') {
        const keys = new Set([...Object.keys(a), ...Object.keys(b as object)]);
        for (const k of keys) {
            differences(
                (a as Record<string, unknown>)[k],
                (b as Record<string, unknown>)[k],
                `${at}/${k}`,
                out,
            );
        }
    } else if (a !== b) {
        out.push(`${at}: ${JSON.stringify(a)} != ${JSON.stringify(b)}`);
    }
    return out;
}
