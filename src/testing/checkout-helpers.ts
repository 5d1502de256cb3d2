import { dummyPaymentHandler, LanguageCode, VendureConfig } from '@vendure/core';
import { SimpleGraphQLClient } from '@vendure/testing';
import gql from 'graphql-tag';

/** Shop API steps of a guest checkout up to ArrangingPayment, shared by e2e tests and benchmarks. */
export const ADD_ITEM = gql`
    mutation AddItem($variantId: ID!, $quantity: Int!) {
        addItemToOrder(productVariantId: $variantId, quantity: $quantity) {
            ... on Order {
                id
                code
                totalWithTax
            }
            ... on ErrorResult {
                errorCode
                message
            }
        }
    }
`;

const SET_CUSTOMER = gql`
    mutation SetCustomer($input: CreateCustomerInput!) {
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

export const SET_ADDRESS = gql`
    mutation SetAddress($input: CreateAddressInput!) {
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

export const ELIGIBLE_SHIPPING = gql`
    query {
        eligibleShippingMethods {
            id
            code
            priceWithTax
            metadata
        }
    }
`;

export const SET_SHIPPING = gql`
    mutation SetShipping($id: [ID!]!) {
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

export const TRANSITION = gql`
    mutation Transition($state: String!) {
        transitionOrderToState(state: $state) {
            ... on Order {
                id
                state
            }
            ... on ErrorResult {
                errorCode
                message
            }
            ... on OrderStateTransitionError {
                transitionError
            }
        }
    }
`;

/** Admin API: a promotion (e.g. with a `couponCode`) and its removal, for tests that need a discount. */
export const CREATE_PROMOTION = gql`
    mutation CreatePromotion($input: CreatePromotionInput!) {
        createPromotion(input: $input) {
            ... on Promotion {
                id
            }
            ... on ErrorResult {
                errorCode
                message
            }
        }
    }
`;

export const DELETE_PROMOTION = gql`
    mutation DeletePromotion($id: ID!) {
        deletePromotion(id: $id) {
            result
        }
    }
`;

export const ADD_PAYMENT = gql`
    mutation AddPayment($input: PaymentInput!) {
        addPaymentToOrder(input: $input) {
            ... on Order {
                id
                code
                state
                totalWithTax
            }
            ... on ErrorResult {
                errorCode
                message
            }
        }
    }
`;

export const ACTIVE_ORDER = gql`
    query {
        activeOrder {
            id
            code
            state
            totalWithTax
            shippingWithTax
        }
    }
`;

/** The shipping address of the test shoppers (Tehran, which Postex's simulator serves). */
export const TEHRAN_ADDRESS = {
    fullName: 'علی رضایی',
    streetLine1: 'خیابان ولیعصر، پلاک ۱۲',
    city: 'تهران',
    province: 'تهران',
    postalCode: '1345678912',
    countryCode: 'IR',
    phoneNumber: '09121234567',
};

export interface CheckoutInput {
    variantId: string;
    quantity?: number;
    /** The guest's email; omit for a logged-in customer (the order already has its customer). */
    email?: string;
    phone?: string;
    province?: string;
    city?: string;
    shippingMethodCode?: string;
}

/** Fills a cart and moves the order to ArrangingPayment; throws with the ErrorResult if a step fails. */
export async function prepareOrderForPayment(
    client: SimpleGraphQLClient,
    input: CheckoutInput,
): Promise<{ code: string; totalWithTax: number }> {
    const added = await client.query(ADD_ITEM, { variantId: input.variantId, quantity: input.quantity ?? 1 });
    assertOk(added.addItemToOrder, 'addItemToOrder');
    if (input.email) {
        const customer = await client.query(SET_CUSTOMER, {
            input: {
                emailAddress: input.email,
                firstName: 'علی',
                lastName: 'رضایی',
                phoneNumber: input.phone ?? '09121234567',
            },
        });
        assertOk(customer.setCustomerForOrder, 'setCustomerForOrder');
    }
    const address = await client.query(SET_ADDRESS, {
        input: {
            ...TEHRAN_ADDRESS,
            ...(input.city ? { city: input.city } : {}),
            ...(input.province ? { province: input.province } : {}),
            ...(input.phone ? { phoneNumber: input.phone } : {}),
        },
    });
    assertOk(address.setOrderShippingAddress, 'setOrderShippingAddress');
    const { eligibleShippingMethods } = await client.query(ELIGIBLE_SHIPPING);
    const method = eligibleShippingMethods.find(
        (m: { code: string }) => m.code === (input.shippingMethodCode ?? 'flat-rate'),
    );
    if (!method) {
        throw new Error(`Shipping method ${input.shippingMethodCode ?? 'flat-rate'} is not eligible`);
    }
    assertOk(
        (await client.query(SET_SHIPPING, { id: [method.id] })).setOrderShippingMethod,
        'setOrderShippingMethod',
    );
    const moved = await client.query(TRANSITION, { state: 'ArrangingPayment' });
    assertOk(moved.transitionOrderToState, 'transitionOrderToState');
    const { activeOrder } = await client.query(ACTIVE_ORDER);
    return { code: activeOrder.code, totalWithTax: activeOrder.totalWithTax };
}

export function assertOk(result: { errorCode?: string; message?: string } | null, step: string): void {
    if (!result || result.errorCode) {
        throw new Error(`${step} failed: ${result?.errorCode} ${result?.message}`);
    }
}

export const FIRST_VARIANT_IDS = gql`
    query {
        products(options: { take: 10, sort: { id: ASC } }) {
            items {
                id
                name
                variants {
                    id
                    priceWithTax
                }
            }
        }
    }
`;

/** Adds Vendure's dummy payment handler to a test config (use with `createTestPaymentMethod`). */
export function withDummyPayment(config: VendureConfig): VendureConfig {
    config.paymentOptions!.paymentMethodHandlers!.push(dummyPaymentHandler);
    return config;
}

/** Creates a payment method with the dummy handler that settles at once: a baseline payment for tests. */
export async function createTestPaymentMethod(
    admin: SimpleGraphQLClient,
    code = 'test-payment',
): Promise<void> {
    await admin.query(
        gql`
            mutation ($input: CreatePaymentMethodInput!) {
                createPaymentMethod(input: $input) {
                    id
                }
            }
        `,
        {
            input: {
                code,
                enabled: true,
                handler: {
                    code: dummyPaymentHandler.code,
                    arguments: [{ name: 'automaticSettle', value: 'true' }],
                },
                translations: [{ languageCode: LanguageCode.en, name: 'Test payment', description: '' }],
            },
        },
    );
}

/** Starts a Zibal payment of the active order: the trackId, or the error result's code and message. */
export const CREATE_ZIBAL_INTENT = gql`
    mutation {
        createZibalPaymentIntent {
            __typename
            ... on ZibalPaymentIntent {
                trackId
            }
            ... on ErrorResult {
                errorCode
                message
            }
        }
    }
`;
