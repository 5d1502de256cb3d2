import { LanguageCode } from '@vendure/core';
import { SimpleGraphQLClient } from '@vendure/testing';
import gql from 'graphql-tag';

import {
    ADD_ITEM,
    ADD_PAYMENT,
    assertOk,
    CREATE_PROMOTION,
    DELETE_PROMOTION,
    ELIGIBLE_SHIPPING,
    TRANSITION,
} from '../../../test/checkout-helpers';

export interface RuleInput {
    code: string;
    args?: Record<string, string | number | boolean | string[]>;
}

export interface PromotionInput {
    name: string;
    conditions?: RuleInput[];
    actions: RuleInput[];
}

function toConfigInput(rule: RuleInput) {
    return {
        code: rule.code,
        arguments: Object.entries(rule.args ?? {}).map(([name, value]) => ({
            name,
            value: Array.isArray(value) ? JSON.stringify(value) : String(value),
        })),
    };
}

/** Creates the promotions through the Admin API, runs `body`, then deletes them whatever happened. */
export async function withPromotions<T>(
    admin: SimpleGraphQLClient,
    promotions: PromotionInput[],
    body: (ids: string[]) => Promise<T>,
): Promise<T> {
    const ids: string[] = [];
    try {
        for (const p of promotions) {
            const { createPromotion } = await admin.query(CREATE_PROMOTION, {
                input: {
                    enabled: true,
                    conditions: (p.conditions ?? []).map(toConfigInput),
                    actions: p.actions.map(toConfigInput),
                    translations: [{ languageCode: LanguageCode.en, name: p.name }],
                },
            });
            assertOk(createPromotion, `createPromotion ${p.name}`);
            ids.push(createPromotion.id);
        }
        return await body(ids);
    } finally {
        for (const id of ids) {
            await admin.query(DELETE_PROMOTION, { id });
        }
    }
}

const SET_CUSTOMER = gql`
    mutation ($input: CreateCustomerInput!) {
        setCustomerForOrder(input: $input) {
            ... on Order {
                id
            }
            ... on ErrorResult {
                errorCode
                message
            }
        }
    }
`;

const SET_ADDRESS = gql`
    mutation ($input: CreateAddressInput!) {
        setOrderShippingAddress(input: $input) {
            ... on Order {
                id
            }
            ... on ErrorResult {
                errorCode
                message
            }
        }
    }
`;

const SET_SHIPPING = gql`
    mutation ($id: [ID!]!) {
        setOrderShippingMethod(shippingMethodId: $id) {
            ... on Order {
                id
            }
            ... on ErrorResult {
                errorCode
                message
            }
        }
    }
`;

export const ORDER = gql`
    query {
        activeOrder {
            code
            state
            totalQuantity
            subTotalWithTax
            shippingWithTax
            totalWithTax
            discounts {
                description
                amountWithTax
            }
            promotions {
                name
            }
            lines {
                productVariant {
                    id
                }
                quantity
                unitPriceWithTax
                discountedLinePriceWithTax
            }
        }
    }
`;

export interface OrderView {
    code: string;
    state: string;
    totalQuantity: number;
    subTotalWithTax: number;
    shippingWithTax: number;
    totalWithTax: number;
    discounts: Array<{ description: string; amountWithTax: number }>;
    promotions: Array<{ name: string }>;
    lines: Array<{
        productVariant: { id: string };
        quantity: number;
        unitPriceWithTax: number;
        discountedLinePriceWithTax: number;
    }>;
}

export interface CartInput {
    items: Array<{ variantId: string; quantity: number }>;
    email?: string;
    phone?: string;
    /** The shipping address's phone, if not `phone`. */
    addressPhone?: string;
    province?: string;
    city?: string;
    /** Choose the flat-rate shipping method (500,000 Rial). */
    shipping?: boolean;
}

/** Fills a new cart step by step like a storefront and returns the active order as the shopper sees it. */
export async function fillCart(client: SimpleGraphQLClient, input: CartInput): Promise<OrderView> {
    for (const item of input.items) {
        assertOk((await client.query(ADD_ITEM, item)).addItemToOrder, 'addItemToOrder');
    }
    if (input.email) {
        const customer = await client.query(SET_CUSTOMER, {
            input: {
                emailAddress: input.email,
                firstName: 'سارا',
                lastName: 'محمدی',
                phoneNumber: input.phone,
            },
        });
        assertOk(customer.setCustomerForOrder, 'setCustomerForOrder');
    }
    if (input.province) {
        const address = await client.query(SET_ADDRESS, {
            input: {
                fullName: 'سارا محمدی',
                streetLine1: 'خیابان آزادی، پلاک ۷',
                city: input.city ?? input.province,
                province: input.province,
                postalCode: '1345678912',
                countryCode: 'IR',
                phoneNumber: input.addressPhone ?? input.phone,
            },
        });
        assertOk(address.setOrderShippingAddress, 'setOrderShippingAddress');
    }
    if (input.shipping) {
        const { eligibleShippingMethods } = await client.query(ELIGIBLE_SHIPPING);
        const flat = eligibleShippingMethods.find((m: { code: string }) => m.code === 'flat-rate');
        assertOk((await client.query(SET_SHIPPING, { id: [flat.id] })).setOrderShippingMethod, 'setShipping');
    }
    return activeOrder(client);
}

export async function activeOrder(client: SimpleGraphQLClient): Promise<OrderView> {
    return (await client.query(ORDER)).activeOrder;
}

/** Takes the active order through payment (the test payment method settles at once). */
export async function placeOrder(client: SimpleGraphQLClient, method = 'test-payment'): Promise<string> {
    assertOk(
        (await client.query(TRANSITION, { state: 'ArrangingPayment' })).transitionOrderToState,
        'transition',
    );
    return (await pay(client, method)).state;
}

/** Adds a payment for the whole active order (which is waiting for payment); returns the order as paid. */
export async function pay(
    client: SimpleGraphQLClient,
    method: string,
): Promise<{ id: string; state: string; totalWithTax: number }> {
    const paid = await client.query(ADD_PAYMENT, { input: { method, metadata: {} } });
    assertOk(paid.addPaymentToOrder, 'addPaymentToOrder');
    return paid.addPaymentToOrder;
}

const TRANSITION_TO = gql`
    mutation ($state: String!) {
        transitionOrderToState(state: $state) {
            ... on Order {
                id
                state
            }
            ... on OrderStateTransitionError {
                errorCode
                transitionError
            }
        }
    }
`;

/** What the storefront gets back from `transitionOrderToState`: the order, or the reason it was refused. */
export interface TransitionOutcome {
    id?: string;
    state?: string;
    errorCode?: string;
    transitionError?: string;
}

export async function transitionTo(client: SimpleGraphQLClient, state: string): Promise<TransitionOutcome> {
    return (await client.query(TRANSITION_TO, { state })).transitionOrderToState;
}

/**
 * Sends two carts to ArrangingPayment at the same moment (the one-time-discount race). Returns both outcomes
 * and which client got through first (`winner`) and which did not (`loser`), by the first outcome.
 */
export async function raceToPayment(
    a: SimpleGraphQLClient,
    b: SimpleGraphQLClient,
): Promise<{ outcomes: TransitionOutcome[]; winner: SimpleGraphQLClient; loser: SimpleGraphQLClient }> {
    const outcomes = await Promise.all([
        transitionTo(a, 'ArrangingPayment'),
        transitionTo(b, 'ArrangingPayment'),
    ]);
    const aWon = outcomes[0].state === 'ArrangingPayment';
    return { outcomes, winner: aWon ? a : b, loser: aWon ? b : a };
}

export interface VariantPrice {
    id: string;
    priceWithTax: number;
}

/** Every variant of the catalogue with its price, cheapest first (from the catalogue, not the search index). */
export async function variantsByPrice(client: SimpleGraphQLClient): Promise<VariantPrice[]> {
    const { products } = await client.query(gql`
        query {
            products(options: { take: 100 }) {
                items {
                    variants {
                        id
                        priceWithTax
                    }
                }
            }
        }
    `);
    return products.items
        .flatMap((p: { variants: VariantPrice[] }) => p.variants)
        .sort((a: VariantPrice, b: VariantPrice) => a.priceWithTax - b.priceWithTax);
}
