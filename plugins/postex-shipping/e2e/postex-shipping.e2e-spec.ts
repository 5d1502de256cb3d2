import { CacheService, ConfigService, VendureConfig } from '@vendure/core';
import { SimpleGraphQLClient } from '@vendure/testing';
import gql from 'graphql-tag';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';

import { createTestShop, TestShop, testProfile, waitFor } from '../../../src/testing/test-shop';
import { postexFulfilledOrder, waitForPostexPlaces } from '../testing';
import {
    ADD_ITEM,
    ADD_PAYMENT,
    assertOk,
    ELIGIBLE_SHIPPING,
    FIRST_VARIANT_IDS,
    prepareOrderForPayment,
    SET_ADDRESS,
} from '../../../test/checkout-helpers';
import { PostexShippingPlugin } from '../postex-shipping.plugin';
import { PostexQuoteService } from '../service/postex-quote.service';

const QUOTES = '/shipping/quotes';
// 700,000 Rial, in money units (Rial x 100).
const FALLBACK_PRICE = 70_000_000;
const COOLDOWN_MS = 1_500;
const LATE_LOOKUP_MS = 3_000;

const ADMIN_ORDER = gql`
    query Order($code: String!) {
        orders(options: { filter: { code: { eq: $code } } }) {
            items {
                id
                code
                state
                totalWithTax
                lines {
                    id
                    quantity
                    proratedUnitPriceWithTax
                }
                payments {
                    id
                    method
                    state
                    amount
                }
                fulfillments {
                    id
                    state
                    method
                    trackingCode
                    postexLabelUrl
                    customFields {
                        postexParcelNo
                        postexStatus
                        postexLabelUrl
                    }
                }
            }
        }
    }
`;

const ADD_FULFILLMENT = gql`
    mutation Fulfill($input: FulfillOrderInput!) {
        addFulfillmentToOrder(input: $input) {
            ... on Fulfillment {
                id
                state
            }
            ... on ErrorResult {
                errorCode
                message
            }
            ... on CreateFulfillmentError {
                fulfillmentHandlerError
            }
        }
    }
`;

const POLL_TRACKING = gql`
    mutation {
        pollPostexTracking {
            checked
            shipped
            delivered
            returned
        }
    }
`;

const ELIGIBLE_PAYMENT = gql`
    query {
        eligiblePaymentMethods {
            code
            isEligible
            eligibilityMessage
        }
    }
`;

interface ShippingQuote {
    id: string;
    code: string;
    priceWithTax: number;
    metadata: Record<string, unknown>;
}

interface AdminOrder {
    id: string;
    code: string;
    state: string;
    totalWithTax: number;
    lines: Array<{ id: string; quantity: number; proratedUnitPriceWithTax: number }>;
    payments: Array<{ id: string; method: string; state: string; amount: number }>;
    fulfillments: Array<{
        id: string;
        state: string;
        method: string;
        trackingCode: string | null;
        postexLabelUrl: string | null;
        customFields: {
            postexParcelNo: string | null;
            postexStatus: string | null;
            postexLabelUrl: string | null;
        };
    }>;
}

describe(`postex shipping (${testProfile()})`, () => {
    let t: TestShop;
    let variantIds: string[];
    let shopperNo = 0;

    beforeAll(async () => {
        t = await createTestShop({
            adjustConfig: config => {
                // Same plugin, shorter breaker cool-down so the test can watch it close again.
                PostexShippingPlugin.init({
                    ...PostexShippingPlugin.options,
                    breakerCooldownMs: COOLDOWN_MS,
                    lateParcelLookupMs: LATE_LOOKUP_MS,
                });
                return config;
            },
        });
        await waitForPostexPlaces(t.shop);
        const { products } = await t.shop.query(FIRST_VARIANT_IDS);
        variantIds = products.items.map((p: { variants: Array<{ id: string }> }) => p.variants[0].id);
    });

    afterAll(async () => {
        await t?.close();
    });

    beforeEach(async () => {
        await t.server.app.get(CacheService).invalidateTags(['postex-quote']);
        t.simulators.postex.faults.reset();
        t.server.app.get(PostexQuoteService).breaker.recordSuccess();
    });

    async function cart(
        address: { province: string; city: string },
        variantId = variantIds[0],
        quantity = 1,
    ): Promise<SimpleGraphQLClient> {
        const client = t.newShopClient();
        assertOk((await client.query(ADD_ITEM, { variantId, quantity })).addItemToOrder, 'addItemToOrder');
        assertOk(
            (
                await client.query(SET_ADDRESS, {
                    input: {
                        fullName: 'مریم احمدی',
                        streetLine1: 'خیابان آزادی، پلاک ۳',
                        postalCode: '1234567890',
                        countryCode: 'IR',
                        phoneNumber: '09121111111',
                        ...address,
                    },
                })
            ).setOrderShippingAddress,
            'setOrderShippingAddress',
        );
        return client;
    }

    async function postexQuote(client: SimpleGraphQLClient): Promise<ShippingQuote | undefined> {
        const { eligibleShippingMethods } = await client.query(ELIGIBLE_SHIPPING);
        return (eligibleShippingMethods as ShippingQuote[]).find(m => m.code === 'postex');
    }

    const quoteCalls = () => t.simulators.postex.faults.callsTo(QUOTES).length;

    async function adminOrder(code: string): Promise<AdminOrder> {
        const { orders } = await t.admin.query(ADMIN_ORDER, { code });
        return orders.items[0];
    }

    async function codOrder(quantity = 1): Promise<AdminOrder> {
        const client = t.newShopClient();
        shopperNo += 1;
        await prepareOrderForPayment(client, {
            variantId: variantIds[1],
            quantity,
            email: `cod${shopperNo}@example.ir`,
            shippingMethodCode: 'postex',
        });
        const paid = await client.query(ADD_PAYMENT, { input: { method: 'cash-on-delivery', metadata: {} } });
        assertOk(paid.addPaymentToOrder, 'addPaymentToOrder');
        return adminOrder(paid.addPaymentToOrder.code);
    }

    async function fulfill(order: AdminOrder): Promise<string> {
        const { addFulfillmentToOrder } = await t.admin.query(ADD_FULFILLMENT, {
            input: {
                lines: order.lines.map(l => ({ orderLineId: l.id, quantity: l.quantity })),
                handler: { code: 'postex', arguments: [] },
            },
        });
        assertOk(addFulfillmentToOrder, 'addFulfillmentToOrder');
        return addFulfillmentToOrder.id;
    }

    async function waitForParcel(code: string): Promise<AdminOrder['fulfillments'][number]> {
        return waitFor(
            async () => (await adminOrder(code)).fulfillments.find(f => f.customFields.postexParcelNo),
            20_000,
            `the parcel of order ${code}`,
        );
    }

    it('lists Postex provinces and cities for storefront pickers', async () => {
        const { postexProvinces, postexCities } = await t.shop.query(gql`
            {
                postexProvinces {
                    code
                    name
                }
                postexCities(provinceCode: 24) {
                    code
                    name
                    provinceCode
                }
            }
        `);
        expect(postexProvinces).toHaveLength(31);
        expect(postexProvinces).toContainEqual({ code: 24, name: 'تهران' });
        expect(postexCities).toContainEqual({ code: 2401, name: 'تهران', provinceCode: 24 });
        expect(postexCities.every((c: { provinceCode: number }) => c.provinceCode === 24)).toBe(true);
    });

    it('quotes the Postex price through eligibleShippingMethods with courier, service and delivery estimate', async () => {
        const client = await cart({ province: 'تهران', city: 'تهران' });
        const quote = await postexQuote(client);
        expect(quoteCalls()).toBe(1);
        const request = t.simulators.postex.faults.callsTo(QUOTES)[0].body as {
            from_city_code: number;
            parcels: Array<{
                to_city_code: number;
                payment_type: string;
                parcel_properties: Record<string, number>;
            }>;
        };
        expect(request.from_city_code).toBe(2401);
        expect(request.parcels[0].to_city_code).toBe(2401);
        expect(request.parcels[0].payment_type).toBe('SENDER');
        const props = request.parcels[0].parcel_properties;
        expect(props.total_weight % 500).toBe(0);
        expect(props.length).toBeGreaterThan(0);
        // Postex speaks Rial: its price (net + 10% VAT) is shown x 100, Vendure's minor units.
        const net = t.simulators.postex.price(2401, 2401, props.total_weight, props.total_value);
        expect(quote?.priceWithTax).toBe((net + Math.round(net * 0.1)) * 100);
        expect(quote?.metadata).toMatchObject({
            source: 'postex',
            courier: 'POST',
            service: 'PISHTAZ',
            slaDays: 3,
        });
    });

    it('costs at most one Postex call for a whole checkout of an unchanged cart, and none for the same cart again', async () => {
        shopperNo += 1;
        await prepareOrderForPayment(t.newShopClient(), {
            variantId: variantIds[2],
            email: `cache${shopperNo}@example.ir`,
            shippingMethodCode: 'postex',
        });
        expect(quoteCalls()).toBe(1);
        const again = await cart({ province: 'تهران', city: 'تهران' }, variantIds[2]);
        const quote = await postexQuote(again);
        expect(quote?.metadata.source).toBe('cache');
        expect(quoteCalls()).toBe(1);
    });

    it('shares one upstream call between identical concurrent requests', async () => {
        const clients = await Promise.all(
            Array.from({ length: 5 }, () => cart({ province: 'اصفهان', city: 'مرکز اصفهان' }, variantIds[3])),
        );
        const quotes = await Promise.all(clients.map(postexQuote));
        expect(new Set(quotes.map(q => q?.priceWithTax)).size).toBe(1);
        expect(quotes[0]?.metadata.source).not.toBe('fallback');
        expect(quoteCalls()).toBe(1);
    });

    it('gives a different price for a different city, matching addresses typed with Arabic letters', async () => {
        const tehran = await postexQuote(await cart({ province: 'تهران', city: 'تهران' }));
        // Arabic kaf and yeh: "كرمان" / "مركز كرمان" must match Postex's "کرمان" / "مرکز کرمان".
        const kerman = await postexQuote(await cart({ province: 'كرمان', city: 'مركز كرمان' }));
        const countyTown = await postexQuote(await cart({ province: 'Kerman', city: 'شهرستان  کرمان' }));
        expect(kerman?.metadata.source).toBe('postex');
        expect(kerman?.priceWithTax).toBeGreaterThan(tehran!.priceWithTax);
        expect(countyTown?.priceWithTax).toBeGreaterThan(kerman!.priceWithTax);
        const destinations = t.simulators.postex.faults
            .callsTo(QUOTES)
            .map(c => (c.body as { parcels: Array<{ to_city_code: number }> }).parcels[0].to_city_code);
        expect(destinations).toEqual([2401, 901, 902]);
    });

    it('is not offered for an address in a city Postex does not serve', async () => {
        const client = await cart({ province: 'تهران', city: 'آتلانتیس' });
        expect(await postexQuote(client)).toBeUndefined();
        const { eligibleShippingMethods } = await client.query(ELIGIBLE_SHIPPING);
        expect(eligibleShippingMethods.map((m: { code: string }) => m.code)).toContain('flat-rate');
        expect(quoteCalls()).toBe(0);
    });

    it('falls back to the configured price within the 2.5 s timeout when Postex does not answer', async () => {
        const client = await cart({ province: 'فارس', city: 'مرکز فارس' });
        t.simulators.postex.faults.arm(QUOTES, { kind: 'timeout', delayMs: 10_000 });
        const started = Date.now();
        const quote = await postexQuote(client);
        const elapsed = Date.now() - started;
        expect(quote?.priceWithTax).toBe(FALLBACK_PRICE);
        expect(quote?.metadata).toMatchObject({ source: 'fallback', fallbackReason: 'timeout' });
        expect(elapsed).toBeGreaterThanOrEqual(2_400);
        // Checkout answers within 4 s (issue 17, test/faults/provider-outage.fault-spec.ts).
        expect(elapsed).toBeLessThan(4_000);
    });

    it('falls back at once when Postex answers 5xx, without caching the failure', async () => {
        const client = await cart({ province: 'فارس', city: 'مرکز فارس' });
        t.simulators.postex.faults.arm(QUOTES, { kind: 'http-error', status: 503 });
        const started = Date.now();
        const quote = await postexQuote(client);
        expect(Date.now() - started).toBeLessThan(2_000);
        expect(quote).toMatchObject({
            priceWithTax: FALLBACK_PRICE,
            metadata: { source: 'fallback', fallbackReason: 'error' },
        });
        const recovered = await postexQuote(client);
        expect(recovered?.metadata.source).toBe('postex');
        expect(quoteCalls()).toBe(2);
    });

    it('stops calling a failing Postex during the cool-down of the circuit breaker, then recovers', async () => {
        const client = await cart({ province: 'گیلان', city: 'مرکز گیلان' });
        t.simulators.postex.faults.arm(QUOTES, { kind: 'http-error', status: 502 }, 3);
        for (let i = 0; i < 3; i++) {
            expect((await postexQuote(client))?.metadata.fallbackReason).toBe('error');
        }
        expect(quoteCalls()).toBe(3);
        const refused = await postexQuote(client);
        expect(refused).toMatchObject({
            priceWithTax: FALLBACK_PRICE,
            metadata: { fallbackReason: 'circuit-open' },
        });
        expect(quoteCalls()).toBe(3);
        await new Promise(r => setTimeout(r, COOLDOWN_MS + 100));
        const live = await postexQuote(client);
        expect(live?.metadata.source).toBe('postex');
        expect(quoteCalls()).toBe(4);
        expect(t.server.app.get(PostexQuoteService).breaker.currentState).toBe('closed');
    });

    it('hides the method instead of pricing it when the shipping method says so, keeping the other methods', async () => {
        const { shippingMethods } = await t.admin.query(gql`
            {
                shippingMethods {
                    items {
                        id
                        code
                        calculator {
                            code
                            args {
                                name
                                value
                            }
                        }
                    }
                }
            }
        `);
        const method = shippingMethods.items.find((m: { code: string }) => m.code === 'postex');
        const setCalculatorArgs = (args: Array<{ name: string; value: string }>) =>
            t.admin.query(
                gql`
                    mutation ($input: UpdateShippingMethodInput!) {
                        updateShippingMethod(input: $input) {
                            id
                        }
                    }
                `,
                {
                    input: {
                        id: method.id,
                        calculator: { code: 'postex', arguments: args },
                        translations: [],
                    },
                },
            );
        await setCalculatorArgs([{ name: 'onFailure', value: 'hide' }]);
        try {
            const client = await cart({ province: 'یزد', city: 'مرکز یزد' });
            t.simulators.postex.faults.arm(QUOTES, { kind: 'malformed' });
            const { eligibleShippingMethods } = await client.query(ELIGIBLE_SHIPPING);
            expect(eligibleShippingMethods.map((m: { code: string }) => m.code)).toEqual(['flat-rate']);
            expect(quoteCalls()).toBe(1);
        } finally {
            await setCalculatorArgs(method.calculator.args);
        }
    });

    it('offers cash on delivery only up to the maximum order amount', async () => {
        const small = await cart({ province: 'تهران', city: 'تهران' }, variantIds[1]);
        const smallMethods = (await small.query(ELIGIBLE_PAYMENT)).eligiblePaymentMethods;
        expect(smallMethods.find((m: { code: string }) => m.code === 'cash-on-delivery')?.isEligible).toBe(
            true,
        );
        // The first demo phone costs 215,000,000 Rial: three of them exceed the seed's 500,000,000 Rial limit.
        const big = await cart({ province: 'تهران', city: 'تهران' }, variantIds[0], 3);
        const bigMethods = (await big.query(ELIGIBLE_PAYMENT)).eligiblePaymentMethods;
        const cod = bigMethods.find((m: { code: string }) => m.code === 'cash-on-delivery');
        expect(cod.isEligible).toBe(false);
        expect(cod.eligibilityMessage).toContain('سقف');
    });

    it('authorizes a COD order at checkout, creates a COD parcel on the worker, and settles it on delivery', async () => {
        const order = await codOrder(2);
        expect(order.state).toBe('PaymentAuthorized');
        expect(order.payments).toEqual([
            expect.objectContaining({
                method: 'cash-on-delivery',
                state: 'Authorized',
                amount: order.totalWithTax,
            }),
        ]);
        const fulfillmentId = await fulfill(order);
        const fulfillment = await waitForParcel(order.code);
        const parcelNo = fulfillment.customFields.postexParcelNo!;
        const [parcel] = t.simulators.postex.parcelsForOrder(`${order.code}-${fulfillmentId}`);
        // The courier collects exactly the Rials the shopper saw (stored as Rial x 100).
        expect(parcel).toMatchObject({
            parcel_no: parcelNo,
            payment_type: 'COD',
            cod_amount: order.totalWithTax / 100,
        });
        expect(Number.isInteger(parcel.cod_amount)).toBe(true);
        expect(fulfillment.trackingCode).toBe(parcel.tracking_code);
        expect(fulfillment.postexLabelUrl).toBe(`/postex/label/${fulfillmentId}`);

        t.simulators.postex.advance(parcelNo, 'PICKED_UP');
        expect((await t.admin.query(POLL_TRACKING)).pollPostexTracking.shipped).toBe(1);
        let now = await adminOrder(order.code);
        expect(now.fulfillments[0]).toMatchObject({
            state: 'Shipped',
            customFields: { postexStatus: 'PICKED_UP' },
        });
        expect(now.payments[0].state).toBe('Authorized');

        t.simulators.postex.advance(parcelNo, 'DELIVERED');
        expect((await t.admin.query(POLL_TRACKING)).pollPostexTracking.delivered).toBe(1);
        now = await adminOrder(order.code);
        expect(now.fulfillments[0].state).toBe('Delivered');
        expect(now.payments[0].state).toBe('Settled');
        expect(now.state).toBe('Delivered');
        // Polling again changes nothing.
        expect((await t.admin.query(POLL_TRACKING)).pollPostexTracking).toMatchObject({
            delivered: 0,
            shipped: 0,
        });
    });

    it('refuses to split a cash-on-delivery order over several parcels, each of which would collect it all', async () => {
        const order = await codOrder(2);
        const { addFulfillmentToOrder } = await t.admin.query(ADD_FULFILLMENT, {
            input: {
                lines: [{ orderLineId: order.lines[0].id, quantity: 1 }],
                handler: { code: 'postex', arguments: [] },
            },
        });
        expect(addFulfillmentToOrder).toMatchObject({
            errorCode: 'CREATE_FULFILLMENT_ERROR',
            fulfillmentHandlerError: expect.stringMatching(/paid on delivery/),
        });
        // The whole order in one fulfillment is one parcel collecting the whole amount.
        const fulfillmentId = await fulfill(order);
        await waitForParcel(order.code);
        expect(t.simulators.postex.parcelsForOrder(`${order.code}-${fulfillmentId}`)).toEqual([
            expect.objectContaining({ payment_type: 'COD', cod_amount: order.totalWithTax / 100 }),
        ]);
    });

    it('ships a prepaid order in two parcels, each declaring only its own contents', async () => {
        const client = t.newShopClient();
        shopperNo += 1;
        const { code } = await prepareOrderForPayment(client, {
            variantId: variantIds[1],
            quantity: 2,
            email: `split${shopperNo}@example.ir`,
            shippingMethodCode: 'postex',
        });
        const before = await adminOrder(code);
        const { addManualPaymentToOrder } = await t.admin.query(
            gql`
                mutation ($input: ManualPaymentInput!) {
                    addManualPaymentToOrder(input: $input) {
                        ... on Order {
                            state
                        }
                    }
                }
            `,
            { input: { orderId: before.id, method: 'bank-transfer', transactionId: 'bank-1', metadata: {} } },
        );
        expect(addManualPaymentToOrder.state).toBe('PaymentSettled');

        const parcels = [];
        for (let i = 0; i < 2; i++) {
            const { addFulfillmentToOrder } = await t.admin.query(ADD_FULFILLMENT, {
                input: {
                    lines: [{ orderLineId: before.lines[0].id, quantity: 1 }],
                    handler: { code: 'postex', arguments: [] },
                },
            });
            assertOk(addFulfillmentToOrder, 'addFulfillmentToOrder');
            const customOrderNo = `${code}-${addFulfillmentToOrder.id}`;
            parcels.push(
                await waitFor(
                    async () => t.simulators.postex.parcelsForOrder(customOrderNo)[0],
                    20_000,
                    `the parcel ${customOrderNo}`,
                ),
            );
        }
        const unitPrice = before.lines[0].proratedUnitPriceWithTax;
        for (const parcel of parcels) {
            expect(parcel).toMatchObject({
                payment_type: 'SENDER',
                cod_amount: 0,
                total_value: unitPrice / 100,
            });
        }
        expect(parcels[0].total_weight).toBe(parcels[1].total_weight);
    });

    it('does not create a second parcel when the response of the first create is lost', async () => {
        const order = await codOrder();
        t.simulators.postex.loseNextCreateResponses(1);
        const fulfillmentId = await fulfill(order);
        const fulfillment = await waitForParcel(order.code);
        const parcels = t.simulators.postex.parcelsForOrder(`${order.code}-${fulfillmentId}`);
        expect(parcels).toHaveLength(1);
        expect(fulfillment.customFields.postexParcelNo).toBe(parcels[0].parcel_no);
        expect(t.simulators.postex.faults.callsTo('/parcels/bulk')).toHaveLength(1);
        expect(
            t.simulators.postex.faults.callsTo(`/parcels/custom-order-no/${order.code}-${fulfillmentId}`)
                .length,
        ).toBeGreaterThanOrEqual(2);
    });

    it('does not create a second parcel when Postex finishes a create after the client gave up', async () => {
        const order = await codOrder();
        // No answer, and the parcel appears 2 s later: a look-up at the job's retry (1 s) would miss it.
        t.simulators.postex.createNextParcelLate(2_000);
        const fulfillmentId = await fulfill(order);
        const fulfillment = await waitForParcel(order.code);
        const parcels = t.simulators.postex.parcelsForOrder(`${order.code}-${fulfillmentId}`);
        expect(parcels).toHaveLength(1);
        expect(fulfillment.customFields.postexParcelNo).toBe(parcels[0].parcel_no);
        expect(t.simulators.postex.faults.callsTo('/parcels/bulk')).toHaveLength(1);
    });

    it('cancels at Postex a parcel whose fulfillment was cancelled while the parcel was being created', async () => {
        const order = await codOrder();
        // The first create reaches Postex but its answer is lost; the job will retry.
        t.simulators.postex.loseNextCreateResponses(1);
        const fulfillmentId = await fulfill(order);
        const customOrderNo = `${order.code}-${fulfillmentId}`;
        const parcel = await waitFor(
            async () => t.simulators.postex.parcelsForOrder(customOrderNo)[0],
            20_000,
            'the parcel at Postex',
        );
        const { transitionFulfillmentToState } = await t.admin.query(
            gql`
                mutation ($id: ID!) {
                    transitionFulfillmentToState(id: $id, state: "Cancelled") {
                        ... on Fulfillment {
                            state
                        }
                    }
                }
            `,
            { id: fulfillmentId },
        );
        expect(transitionFulfillmentToState.state).toBe('Cancelled');
        await waitFor(
            async () => t.simulators.postex.parcelsForOrder(customOrderNo)[0].status === 'CANCELLED',
            20_000,
            'the parcel to be cancelled at Postex',
        );
        expect(t.simulators.postex.parcelsForOrder(customOrderNo)).toHaveLength(1);
        expect(parcel.parcel_no).toBe(t.simulators.postex.parcelsForOrder(customOrderNo)[0].parcel_no);
    });

    it('cancels the COD payment and the fulfillment when the parcel is returned', async () => {
        const order = await codOrder();
        await fulfill(order);
        const fulfillment = await waitForParcel(order.code);
        t.simulators.postex.advance(fulfillment.customFields.postexParcelNo!, 'RETURNED');
        expect((await t.admin.query(POLL_TRACKING)).pollPostexTracking.returned).toBe(1);
        const now = await adminOrder(order.code);
        expect(now.fulfillments[0].state).toBe('Cancelled');
        expect(now.payments[0].state).toBe('Cancelled');
    });

    it('serves the label PDF to administrators only', async () => {
        const order = await codOrder();
        const fulfillmentId = await fulfill(order);
        await waitForParcel(order.code);
        const url = `${t.baseUrl}/postex/label/${fulfillmentId}`;
        const anonymous = await fetch(url);
        expect(anonymous.status).toBe(403);
        const res = await fetch(url, { headers: { authorization: `Bearer ${t.admin.getAuthToken()}` } });
        expect(res.status).toBe(200);
        expect(res.headers.get('content-type')).toContain('application/pdf');
        expect((await res.text()).startsWith('%PDF')).toBe(true);
    });

    describe('label links', () => {
        const CREATE_LABEL_LINK = gql`
            mutation ($id: ID!) {
                createPostexLabelLink(fulfillmentId: $id) {
                    __typename
                    ... on PostexLabelLink {
                        url
                        expiresAt
                    }
                    ... on ErrorResult {
                        errorCode
                        message
                    }
                }
            }
        `;

        let labelled = 0;
        function labelledFulfillment(): Promise<{ orderId: string; fulfillmentId: string }> {
            labelled += 1;
            return postexFulfilledOrder(t, `label${labelled}@example.ir`);
        }

        async function isPdf(res: Response): Promise<boolean> {
            return (
                res.status === 200 &&
                res.headers.get('content-type') === 'application/pdf' &&
                (await res.text()).startsWith('%PDF')
            );
        }

        it('gives a signed link that serves the PDF without a session, for that fulfillment, for 5 minutes', async () => {
            const { fulfillmentId } = await labelledFulfillment();
            const other = await labelledFulfillment();
            const issuedAt = Date.now();
            const { createPostexLabelLink: link } = await t.admin.query(CREATE_LABEL_LINK, {
                id: fulfillmentId,
            });
            expect(link.__typename).toBe('PostexLabelLink');
            const url = new URL(link.url, t.baseUrl);
            expect(url.pathname).toBe(`/postex/label/${fulfillmentId}`);
            const ttl = Date.parse(link.expiresAt) - issuedAt;
            expect(ttl).toBeGreaterThan(299_000);
            expect(ttl).toBeLessThanOrEqual(301_000);

            const valid = await fetch(url);
            expect(await isPdf(valid)).toBe(true);
            expect(valid.headers.get('cache-control')).toBe('private, no-store');

            const signature = url.searchParams.get('signature')!;
            const refused = async (changed: URL) => {
                const res = await fetch(changed);
                expect(res.status).toBe(403);
                expect(await res.json()).toEqual({ message: 'The label link is invalid or has expired' });
            };
            const tampered = new URL(url);
            tampered.searchParams.set(
                'signature',
                `${signature.slice(0, -1)}${signature.endsWith('A') ? 'B' : 'A'}`,
            );
            await refused(tampered);
            const extended = new URL(url);
            extended.searchParams.set('expires', String(Number(url.searchParams.get('expires')) + 3600));
            await refused(extended);
            const otherFulfillment = new URL(url);
            otherFulfillment.pathname = `/postex/label/${other.fulfillmentId}`;
            await refused(otherFulfillment);
            const unsigned = new URL(url);
            unsigned.searchParams.delete('signature');
            await refused(unsigned);

            // The server's clock (this process) 5 minutes and a second later: expired.
            vi.useFakeTimers({ toFake: ['Date'], now: Date.parse(link.expiresAt) + 1000 });
            try {
                await refused(url);
            } finally {
                vi.useRealTimers();
            }
        });

        it("hides the label of an order outside the administrator's channel (404), whatever their ReadOrder elsewhere", async () => {
            const { orderId, fulfillmentId } = await labelledFulfillment();
            const { activeChannel } = await t.admin.query(gql`
                {
                    activeChannel {
                        defaultTaxZone {
                            id
                        }
                        defaultShippingZone {
                            id
                        }
                    }
                }
            `);
            const { createChannel } = await t.admin.query(
                gql`
                    mutation ($input: CreateChannelInput!) {
                        createChannel(input: $input) {
                            ... on Channel {
                                id
                                token
                            }
                        }
                    }
                `,
                {
                    input: {
                        code: 'second-shop',
                        token: 'second-shop-token',
                        defaultLanguageCode: 'fa',
                        pricesIncludeTax: true,
                        defaultCurrencyCode: 'IRR',
                        defaultTaxZoneId: activeChannel.defaultTaxZone.id,
                        defaultShippingZoneId: activeChannel.defaultShippingZone.id,
                    },
                },
            );
            const { createRole } = await t.admin.query(
                gql`
                    mutation ($channelId: ID!) {
                        createRole(
                            input: {
                                code: "second-shop-orders"
                                description: "Orders of the second shop"
                                permissions: [ReadOrder]
                                channelIds: [$channelId]
                            }
                        ) {
                            id
                        }
                    }
                `,
                { channelId: createChannel.id },
            );
            await t.admin.query(
                gql`
                    mutation ($roleId: ID!) {
                        createAdministrator(
                            input: {
                                firstName: "Second"
                                lastName: "Shop"
                                emailAddress: "orders@second.example.ir"
                                password: "second-shop-password"
                                roleIds: [$roleId]
                            }
                        ) {
                            id
                        }
                    }
                `,
                { roleId: createRole.id },
            );
            const config = t.server.app.get(ConfigService) as unknown as Required<VendureConfig>;
            const secondAdmin = new SimpleGraphQLClient(config, `${t.baseUrl}/admin-api`);
            await secondAdmin.asUserWithCredentials('orders@second.example.ir', 'second-shop-password');
            secondAdmin.setChannelToken(createChannel.token);
            const orderQuery = gql`
                query ($id: ID!) {
                    order(id: $id) {
                        id
                    }
                }
            `;
            expect((await secondAdmin.query(orderQuery, { id: orderId })).order).toBeNull();

            const url = `${t.baseUrl}/postex/label/${fulfillmentId}`;
            const bearer = (token: string, channelToken?: string) => ({
                authorization: `Bearer ${token}`,
                ...(channelToken ? { 'vendure-token': channelToken } : {}),
            });
            const inSecond = await fetch(url, {
                headers: bearer(secondAdmin.getAuthToken(), createChannel.token),
            });
            expect(inSecond.status).toBe(404);
            // In the default channel they have no permission at all.
            expect((await fetch(url, { headers: bearer(secondAdmin.getAuthToken()) })).status).toBe(403);
            await expect(secondAdmin.query(CREATE_LABEL_LINK, { id: fulfillmentId })).rejects.toThrow(
                /No Fulfillment with the id/,
            );
            // Channel-aware for a superadmin too: the order is not in the second channel.
            const superadminThere = await fetch(url, {
                headers: bearer(t.admin.getAuthToken(), createChannel.token),
            });
            expect(superadminThere.status).toBe(404);
            expect(await isPdf(await fetch(url, { headers: bearer(t.admin.getAuthToken()) }))).toBe(true);
        });
    });
});
