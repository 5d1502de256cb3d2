import { DefaultSchedulerPlugin, LanguageCode, TransactionalConnection } from '@vendure/core';
import gql from 'graphql-tag';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { RunningServer, startServer } from '../../../src/bootstrap';
import { resolveProviderUrls } from '../../../src/simulators/provider-urls';
import { createTestShop, TestShop, testProfile, waitFor } from '../../../src/testing/test-shop';
import {
    ADD_ITEM,
    ADD_PAYMENT,
    CREATE_PROMOTION,
    DELETE_PROMOTION,
    FIRST_VARIANT_IDS,
    TRANSITION,
} from '../../../test/checkout-helpers';
import { ZibalPaymentAttempt } from '../entities/zibal-payment-attempt.entity';
import { ZibalPaymentPlugin } from '../zibal-payment.plugin';

import {
    ATTEMPTS,
    CREATE_INTENT,
    followCallback,
    orderByCode,
    REFUND_ORDER,
    StartedPayment,
    startZibalPayment,
    verifyAtZibal,
} from './zibal-helpers';

const READ_TIMEOUT_MS = 1000;

function fastZibal() {
    // Short timeouts and immediate reconciliation so the tests need not wait minutes.
    ZibalPaymentPlugin.init({
        ...ZibalPaymentPlugin.options,
        readTimeoutMs: READ_TIMEOUT_MS,
        reconcileAfterMs: 0,
    });
}

describe(`Zibal payments (${testProfile()})`, () => {
    let t: TestShop;

    beforeAll(async () => {
        t = await createTestShop({
            adjustConfig: config => {
                fastZibal();
                return config;
            },
        });
    });

    afterAll(async () => {
        await t?.close();
    });

    const verifyCalls = (trackId: string) => verifyCallsOf(t, trackId);

    it('settles a paid order: intent, bank page, callback, redirect to the storefront', async () => {
        const p = await startZibalPayment(t);
        expect(p.paymentUrl).toBe(`${t.simulators.baseUrl}/zibal/start/${p.trackId}`);
        const request = t.simulators.zibal.transactions.get(Number(p.trackId))!;
        // Zibal is sent whole Rials: the stored amount (Rial x 100) / 100.
        expect(request.amount).toBe(p.totalWithTax / 100);
        expect(Number.isInteger(request.amount)).toBe(true);
        expect(request.orderId).toBe(p.code);
        expect(request.mobile).toBe('09121234567');
        expect(request.callbackUrl).toBe(`${t.baseUrl}/payments/zibal/callback`);

        // The shopper's browser: the bank page, then "pay", which redirects to our callback.
        const page = await fetch(p.paymentUrl);
        expect(await page.text()).toContain('پرداخت');
        const bank = await fetch(`${p.paymentUrl}/pay`, { method: 'POST', redirect: 'manual' });
        expect(bank.status).toBe(302);
        const callbackUrl = bank.headers.get('location')!;
        expect(callbackUrl.startsWith(`${t.baseUrl}/payments/zibal/callback?`)).toBe(true);

        const landing = await followCallback(callbackUrl);
        expect(landing).toBe(`${t.app.storefrontUrl}/checkout/confirmation/${p.code}`);
        // With no storefront configured, the demo landing page answers.
        const landingPage = await fetch(landing);
        expect(landingPage.status).toBe(200);
        expect(await landingPage.text()).toContain(p.code);
        const order = await orderByCode(t, p.code);
        expect(order.state).toBe('PaymentSettled');
        expect(order.payments).toHaveLength(1);
        const [payment] = order.payments;
        expect(payment).toMatchObject({ state: 'Settled', amount: p.totalWithTax, method: 'zibal' });
        const tx = t.simulators.zibal.transactions.get(Number(p.trackId))!;
        expect(payment.transactionId).toBe(String(tx.refNumber));
        expect(payment.metadata).toMatchObject({
            trackId: p.trackId,
            refNumber: String(tx.refNumber),
            cardNumber: '621986******1234',
            public: { trackId: p.trackId, refNumber: String(tx.refNumber) },
        });
        const { zibalPaymentAttempts } = await t.admin.query(ATTEMPTS, { orderId: order.id });
        expect(zibalPaymentAttempts).toEqual([
            expect.objectContaining({
                trackId: p.trackId,
                state: 'settled',
                zibalStatus: 1,
                maskedCardNumber: '621986******1234',
            }),
        ]);
        // The shopper sees only the public part of the metadata.
        const { orderByCode: shopOrder } = await p.client.query(
            gql`
                query ($code: String!) {
                    orderByCode(code: $code) {
                        payments {
                            metadata
                        }
                    }
                }
            `,
            { code: p.code },
        );
        expect(shopOrder.payments[0].metadata).toEqual({
            public: { trackId: p.trackId, refNumber: String(tx.refNumber) },
        });
    });

    it('leaves a cancelled order payable, and a second attempt pays it', async () => {
        const p = await startZibalPayment(t, 1);
        const landing = await followCallback(t.simulators.zibal.pay(Number(p.trackId), 'cancel'));
        expect(landing).toBe(`${t.app.storefrontUrl}/checkout/payment-failed/${p.code}`);
        let order = await orderByCode(t, p.code);
        expect(order.state).toBe('ArrangingPayment');
        expect(order.payments).toHaveLength(0);
        const { zibalPaymentAttempts } = await t.admin.query(ATTEMPTS, { orderId: order.id });
        expect(zibalPaymentAttempts[0]).toMatchObject({ state: 'failed', zibalStatus: 3 });

        const { createZibalPaymentIntent: retry } = await p.client.query(CREATE_INTENT);
        expect(retry.__typename).toBe('ZibalPaymentIntent');
        expect(retry.trackId).not.toBe(p.trackId);
        await followCallback(t.simulators.zibal.pay(Number(retry.trackId)));
        order = await orderByCode(t, p.code);
        expect(order.state).toBe('PaymentSettled');
        expect(order.payments).toHaveLength(1);
    });

    it("refuses a callback that names another order than the trackId's", async () => {
        const a = await startZibalPayment(t, 2);
        const b = await startZibalPayment(t, 3);
        const genuineB = new URL(t.simulators.zibal.pay(Number(b.trackId)));
        const forged = new URL(genuineB);
        forged.searchParams.set('orderId', a.code);
        expect(await followCallback(forged.toString())).toBe(
            `${t.app.storefrontUrl}/checkout/payment-failed/${a.code}`,
        );
        expect((await orderByCode(t, a.code)).state).toBe('ArrangingPayment');
        expect((await orderByCode(t, b.code)).state).toBe('ArrangingPayment');
        expect(verifyCalls(b.trackId)).toHaveLength(0);
        // B's own callback still settles B.
        await followCallback(genuineB.toString());
        expect((await orderByCode(t, b.code)).state).toBe('PaymentSettled');
        // An unknown trackId goes to the failure page.
        const unknown = new URL(genuineB);
        unknown.searchParams.set('trackId', '999');
        expect(await followCallback(unknown.toString())).toBe(
            `${t.app.storefrontUrl}/checkout/payment-failed`,
        );
    });

    it('does not settle when the verified amount differs from the stored amount', async () => {
        const p = await startZibalPayment(t, 4);
        const callback = t.simulators.zibal.pay(Number(p.trackId));
        t.simulators.zibal.faults.arm('/v1/verify', {
            kind: 'result',
            body: {
                result: 100,
                message: 'success',
                status: 1,
                // In Rial, as Zibal answers: 10,000 Rial less than asked.
                amount: p.totalWithTax / 100 - 10_000,
                refNumber: 1,
                orderId: p.code,
            },
        });
        expect(await followCallback(callback)).toBe(
            `${t.app.storefrontUrl}/checkout/payment-failed/${p.code}`,
        );
        const order = await orderByCode(t, p.code);
        expect(order.state).toBe('ArrangingPayment');
        expect(order.payments).toHaveLength(0);
        const { zibalPaymentAttempts } = await t.admin.query(ATTEMPTS, { orderId: order.id });
        // The money was taken: the attempt says so, for staff to pay it back.
        expect(zibalPaymentAttempts[0].state).toBe('refund-due');
        expect(zibalPaymentAttempts[0].history.map((h: { event: string }) => h.event)).toContain(
            'amount-mismatch',
        );
    });

    it('settles exactly once when the callback arrives 20 times at once, and again later (replay)', async () => {
        const p = await startZibalPayment(t, 5);
        const callback = t.simulators.zibal.pay(Number(p.trackId));
        const landings = await Promise.all(Array.from({ length: 20 }, () => followCallback(callback)));
        expect(new Set(landings)).toEqual(
            new Set([`${t.app.storefrontUrl}/checkout/confirmation/${p.code}`]),
        );
        const replay = await followCallback(callback);
        expect(replay).toBe(`${t.app.storefrontUrl}/checkout/confirmation/${p.code}`);
        const order = await orderByCode(t, p.code);
        expect(order.state).toBe('PaymentSettled');
        expect(order.payments).toHaveLength(1);
        expect(verifyCalls(p.trackId)).toHaveLength(1);
    });

    it('settles one payment when two paid attempts of one order call back at the same moment', () =>
        payTwiceAtOnce(t, 1, [t.baseUrl, t.baseUrl]));

    it('keeps the order unchanged while its payment is being verified', () =>
        changeCartWhileVerifying(t, 2, t.baseUrl));

    it('marks the payment refund-due when a coupon changes the total while it is verified', async () => {
        const { createPromotion } = await t.admin.query(CREATE_PROMOTION, {
            input: {
                enabled: true,
                couponCode: 'ZIBAL-RACE',
                conditions: [],
                actions: [
                    { code: 'order_percentage_discount', arguments: [{ name: 'discount', value: '10' }] },
                ],
                translations: [{ languageCode: LanguageCode.en, name: 'Race coupon' }],
            },
        });
        const p = await startZibalPayment(t, 5);
        // Vendure lets a shopper apply a coupon in ArrangingPayment; the plugin does not stop that.
        const { landing, result } = await whileVerifying(t, p, t.baseUrl, async () => {
            const { applyCouponCode } = await p.client.query(APPLY_COUPON, { code: 'ZIBAL-RACE' });
            return applyCouponCode;
        }).finally(() => t.admin.query(DELETE_PROMOTION, { id: createPromotion.id }));
        expect(result.totalWithTax).toBeLessThan(p.totalWithTax);
        expect(landing).toBe(`${t.app.storefrontUrl}/checkout/payment-failed/${p.code}`);
        // The money Zibal verified is not on the order, which still asks for its new total: staff pay it back.
        const order = await orderByCode(t, p.code);
        expect(order).toMatchObject({
            state: 'ArrangingPayment',
            totalWithTax: result.totalWithTax,
            payments: [],
        });
        const { zibalPaymentAttempts } = await t.admin.query(ATTEMPTS, { orderId: order.id });
        expect(zibalPaymentAttempts[0]).toMatchObject({ state: 'refund-due', zibalStatus: 1 });
        expect(zibalPaymentAttempts[0].history.at(-1)).toMatchObject({ event: 'order-changed' });
        const { createZibalPaymentIntent: next } = await p.client.query(CREATE_INTENT);
        expect(next.amount).toBe(result.totalWithTax);
    });

    it('settles through reconciliation when verify times out at the callback', async () => {
        const p = await startZibalPayment(t, 6);
        const callback = t.simulators.zibal.pay(Number(p.trackId));
        t.simulators.zibal.faults.arm('/v1/verify', { kind: 'timeout', delayMs: READ_TIMEOUT_MS * 3 });
        const started = Date.now();
        expect(await followCallback(callback)).toBe(
            `${t.app.storefrontUrl}/checkout/payment-failed/${p.code}`,
        );
        expect(Date.now() - started).toBeLessThan(READ_TIMEOUT_MS * 3);
        expect((await orderByCode(t, p.code)).state).toBe('ArrangingPayment');

        // The scheduled task (run now through the Admin API) inquires, verifies and settles it.
        const { runScheduledTask } = await t.admin.query(gql`
            mutation {
                runScheduledTask(id: "zibal-reconcile") {
                    success
                }
            }
        `);
        expect(runScheduledTask.success).toBe(true);
        const order = await waitFor(
            async () => {
                const o = await orderByCode(t, p.code);
                return o.state === 'PaymentSettled' && o;
            },
            30_000,
            'reconciliation to settle the order',
        );
        expect(order.payments).toHaveLength(1);
    });

    it('settles an attempt that Zibal had already verified (result 201) after confirming it by inquiry', async () => {
        const p = await startZibalPayment(t, 7);
        const callback = t.simulators.zibal.pay(Number(p.trackId));
        // As if an earlier process verified it, then stopped before settling.
        expect(await verifyAtZibal(t, p.trackId)).toBe(100);
        expect(await followCallback(callback)).toBe(`${t.app.storefrontUrl}/checkout/confirmation/${p.code}`);
        const order = await orderByCode(t, p.code);
        expect(order.state).toBe('PaymentSettled');
        const { zibalPaymentAttempts } = await t.admin.query(ATTEMPTS, { orderId: order.id });
        expect(zibalPaymentAttempts[0].history.map((h: { event: string }) => h.event)).toContain(
            'verified-before',
        );
    });

    it('marks a payment verified by a stopped process as refund-due when the order changed meanwhile', async () => {
        const p = await startZibalPayment(t, 9);
        const callback = t.simulators.zibal.pay(Number(p.trackId));
        // An earlier process verified it (the money is taken), then stopped before adding the payment ...
        expect(await verifyAtZibal(t, p.trackId)).toBe(100);
        // ... and the shopper went back to the cart.
        const { transitionOrderToState } = await p.client.query(gql`
            mutation {
                transitionOrderToState(state: "AddingItems") {
                    __typename
                }
            }
        `);
        expect(transitionOrderToState.__typename).toBe('Order');

        expect(await followCallback(callback)).toBe(
            `${t.app.storefrontUrl}/checkout/payment-failed/${p.code}`,
        );
        const order = await orderByCode(t, p.code);
        expect(order.payments).toHaveLength(0);
        const { zibalPaymentAttempts } = await t.admin.query(ATTEMPTS, { orderId: order.id });
        expect(zibalPaymentAttempts[0]).toMatchObject({ state: 'refund-due', zibalStatus: 1 });
        expect(zibalPaymentAttempts[0].history.at(-1)).toMatchObject({
            event: 'verified-not-added',
            note: expect.stringMatching(/AddingItems/),
        });
    });

    it('closes an attempt left "verifying" by a stopped process once Zibal reports it cancelled', async () => {
        const p = await startZibalPayment(t, 3);
        await followCallback(t.simulators.zibal.pay(Number(p.trackId), 'cancel'));
        const attempts = t.server.app
            .get(TransactionalConnection)
            .rawConnection.getRepository(ZibalPaymentAttempt);
        // As if a process had claimed it and stopped: the claim expired a minute ago.
        await attempts.update(
            { trackId: p.trackId },
            { state: 'verifying', claimToken: 'stopped-process', claimExpiresAt: Date.now() - 60_000 },
        );
        const { reconcileZibalPayments } = await t.admin.query(gql`
            mutation {
                reconcileZibalPayments {
                    checked
                    failed
                }
            }
        `);
        expect(reconcileZibalPayments.checked).toBeGreaterThanOrEqual(1);
        expect(await attempts.findOneByOrFail({ trackId: p.trackId })).toMatchObject({
            state: 'failed',
            claimToken: null,
            zibalStatus: 3,
        });
    });

    it('expires abandoned attempts and fails cancelled ones in reconciliation', async () => {
        const p = await startZibalPayment(t, 8);
        ZibalPaymentPlugin.options.expireAfterMs = 0;
        try {
            const { reconcileZibalPayments } = await t.admin.query(gql`
                mutation {
                    reconcileZibalPayments {
                        checked
                        expired
                    }
                }
            `);
            expect(reconcileZibalPayments.expired).toBeGreaterThanOrEqual(1);
        } finally {
            ZibalPaymentPlugin.options.expireAfterMs = 60 * 60_000;
        }
        const order = await orderByCode(t, p.code);
        const { zibalPaymentAttempts } = await t.admin.query(ATTEMPTS, { orderId: order.id });
        expect(zibalPaymentAttempts[0].state).toBe('expired');
        expect(order.state).toBe('ArrangingPayment');
    });

    it.each([102, 103, 104, 105, 106, 107, 108, 109, 110, 111, 112, 113, 114, 115])(
        'gives the shopper a typed error for request result %i',
        async result => {
            const client = t.newShopClient();
            const { products } = await client.query(FIRST_VARIANT_IDS);
            const { prepareOrderForPayment } = await import('../../../test/checkout-helpers');
            await prepareOrderForPayment(client, {
                variantId: products.items[0].variants[0].id,
                email: `err${result}@example.ir`,
            });
            t.simulators.zibal.faults.arm('/v1/request', {
                kind: 'result',
                body: { result, message: 'refused' },
            });
            const { createZibalPaymentIntent } = await client.query(CREATE_INTENT);
            expect(createZibalPaymentIntent).toMatchObject({
                __typename: 'ZibalGatewayError',
                errorCode: 'ZIBAL_GATEWAY_ERROR',
                resultCode: result,
            });
        },
    );

    it.each([
        ['HTTP 502', { kind: 'http-error' as const, status: 502 }],
        ['malformed JSON', { kind: 'malformed' as const }],
        ['a timeout', { kind: 'timeout' as const, delayMs: READ_TIMEOUT_MS * 3 }],
    ])('gives the shopper a typed error when Zibal answers with %s', async (_label, fault) => {
        const client = t.newShopClient();
        const { products } = await client.query(FIRST_VARIANT_IDS);
        const { prepareOrderForPayment } = await import('../../../test/checkout-helpers');
        await prepareOrderForPayment(client, {
            variantId: products.items[0].variants[0].id,
            email: `fault${fault.kind}@example.ir`,
        });
        t.simulators.zibal.faults.arm('/v1/request', fault);
        const { createZibalPaymentIntent } = await client.query(CREATE_INTENT);
        expect(createZibalPaymentIntent).toMatchObject({ __typename: 'ZibalGatewayError', resultCode: null });
        // The order can still be paid once Zibal answers again.
        const { createZibalPaymentIntent: retry } = await client.query(CREATE_INTENT);
        expect(retry.__typename).toBe('ZibalPaymentIntent');
    });

    it('refuses to start a payment for an order that is not ready', async () => {
        const client = t.newShopClient();
        const { createZibalPaymentIntent } = await client.query(CREATE_INTENT);
        expect(createZibalPaymentIntent).toMatchObject({ errorCode: 'ZIBAL_ORDER_NOT_READY_ERROR' });
        const { products } = await client.query(FIRST_VARIANT_IDS);
        await client.query(
            gql`
                mutation ($id: ID!) {
                    addItemToOrder(productVariantId: $id, quantity: 1) {
                        __typename
                    }
                }
            `,
            { id: products.items[0].variants[0].id },
        );
        const { createZibalPaymentIntent: noAddress } = await client.query(CREATE_INTENT);
        expect(noAddress).toMatchObject({ errorCode: 'ZIBAL_ORDER_NOT_READY_ERROR' });
    });

    it('declines addPaymentToOrder with the zibal method from a shopper', async () => {
        const p = await startZibalPayment(t, 9);
        t.simulators.zibal.pay(Number(p.trackId));
        const { addPaymentToOrder } = await p.client.query(ADD_PAYMENT, {
            input: { method: 'zibal', metadata: { trackId: p.trackId, claimToken: 'guess' } },
        });
        expect(addPaymentToOrder.errorCode).toBe('PAYMENT_DECLINED_ERROR');
        const order = await orderByCode(t, p.code);
        expect(order.state).toBe('ArrangingPayment');
        expect(order.payments.filter((x: { state: string }) => x.state === 'Settled')).toHaveLength(0);
    });

    it('records a manual refund when no platform token is configured, which staff then settle', async () => {
        const p = await startZibalPayment(t, 0);
        await followCallback(t.simulators.zibal.pay(Number(p.trackId)));
        const order = await orderByCode(t, p.code);
        const { refundOrder } = await t.admin.query(REFUND_ORDER, {
            input: {
                paymentId: order.payments[0].id,
                amount: 1_000_000,
                shipping: 0,
                adjustment: 0,
                reason: 'returned',
            },
        });
        expect(refundOrder).toMatchObject({ state: 'Pending', total: 1_000_000 });
        expect(refundOrder.metadata.manual).toBe(true);
        const { settleRefund } = await t.admin.query(SETTLE_REFUND, {
            input: { id: refundOrder.id, transactionId: 'bank-123' },
        });
        expect(settleRefund.state).toBe('Settled');
    });
});

describe(`Zibal refunds through the platform API (${testProfile()})`, () => {
    let t: TestShop;

    beforeAll(async () => {
        t = await createTestShop({ env: { ZIBAL_PLATFORM_TOKEN: 'platform-token' } });
    });

    afterAll(async () => {
        await t?.close();
    });

    it('refunds through Zibal and records the refund id', async () => {
        const p = await startZibalPayment(t, 0);
        await followCallback(t.simulators.zibal.pay(Number(p.trackId)));
        const order = await orderByCode(t, p.code);
        const { refundOrder } = await t.admin.query(REFUND_ORDER, {
            input: {
                paymentId: order.payments[0].id,
                amount: 2_000_000,
                shipping: 0,
                adjustment: 0,
                reason: 'returned',
            },
        });
        expect(refundOrder).toMatchObject({ state: 'Settled', total: 2_000_000 });
        // 2,000,000 money units are 20,000 Rial: Zibal is asked for that.
        expect(t.simulators.zibal.transactions.get(Number(p.trackId))!.refunds).toEqual([
            expect.objectContaining({ amount: 20_000 }),
        ]);
        expect(t.simulators.zibal.faults.callsTo('/v1/account/refund')).toHaveLength(1);
    });

    it('refuses a refund of a fraction of a Rial without asking Zibal', async () => {
        const p = await startZibalPayment(t, 3);
        await followCallback(t.simulators.zibal.pay(Number(p.trackId)));
        const order = await orderByCode(t, p.code);
        const calls = t.simulators.zibal.faults.callsTo('/v1/account/refund').length;
        const { refundOrder } = await t.admin.query(REFUND_ORDER, {
            input: {
                paymentId: order.payments[0].id,
                amount: 2_000_050,
                shipping: 0,
                adjustment: 0,
                reason: 'x',
            },
        });
        expect(refundOrder).toMatchObject({
            state: 'Failed',
            metadata: { error: expect.stringMatching(/whole/) },
        });
        expect(t.simulators.zibal.faults.callsTo('/v1/account/refund')).toHaveLength(calls);
    });

    const refundAll = async (paymentId: string) =>
        (
            await t.admin.query(REFUND_ORDER, {
                input: { paymentId, amount: 2_000_000, shipping: 0, adjustment: 0, reason: 'returned' },
            })
        ).refundOrder;

    it('records a failed refund when Zibal refuses it, so staff can try again', async () => {
        const p = await startZibalPayment(t, 1);
        await followCallback(t.simulators.zibal.pay(Number(p.trackId)));
        const order = await orderByCode(t, p.code);
        t.simulators.zibal.faults.arm('/v1/account/refund', {
            kind: 'result',
            body: { result: 4, message: 'insufficient wallet balance' },
        });
        const refused = await refundAll(order.payments[0].id);
        expect(refused).toMatchObject({ state: 'Failed' });
        expect(refused.metadata.error).toMatch(/result 4/);
        // A Failed refund does not count: the same amount can be refunded again.
        expect(await refundAll(order.payments[0].id)).toMatchObject({ state: 'Settled', total: 2_000_000 });
    });

    it('keeps a refund without a clear answer Pending, so the same amount cannot be refunded twice', async () => {
        const p = await startZibalPayment(t, 2);
        await followCallback(t.simulators.zibal.pay(Number(p.trackId)));
        const order = await orderByCode(t, p.code);
        for (const fault of [{ kind: 'http-error', status: 503 }, { kind: 'malformed' }] as const) {
            t.simulators.zibal.faults.arm('/v1/account/refund', fault);
            const unclear = await refundAll(order.payments[0].id);
            expect(unclear).toMatchObject({ state: 'Pending', metadata: { uncertain: true } });
            expect(unclear.metadata.note).toMatch(/Zibal panel/);
        }
        // 2 x 2,000,000 Pending: Vendure refuses a refund beyond what is left of the payment.
        const paid = order.payments[0].amount as number;
        const { refundOrder } = await t.admin.query(REFUND_ORDER, {
            input: {
                paymentId: order.payments[0].id,
                amount: paid - 4_000_000 + 100,
                shipping: 0,
                adjustment: 0,
                reason: 'too much',
            },
        });
        expect(refundOrder.errorCode).toBe('REFUND_AMOUNT_ERROR');
    });
});

const verifyCallsOf = (t: TestShop, trackId: string) =>
    t.simulators.zibal.faults
        .callsTo('/v1/verify')
        .filter(c => String((c.body as { trackId: number }).trackId) === trackId);

/** The callback URL Zibal sends the browser to, as the server instance at `base` receives it. */
function onInstance(url: string, base: string): string {
    const callback = new URL(url);
    callback.host = new URL(base).host;
    return callback.toString();
}

/**
 * The shopper paid one order in two tabs; both callbacks arrive at once (at the server instances at `bases`).
 * Zibal's verify answers are held a moment, so that both would add their payment at the same time.
 */
async function payTwiceAtOnce(t: TestShop, productIndex: number, bases: [string, string]): Promise<void> {
    const p = await startZibalPayment(t, productIndex);
    const { createZibalPaymentIntent: second } = await p.client.query(CREATE_INTENT);
    expect(second.__typename).toBe('ZibalPaymentIntent');
    const callbacks = [p.trackId, second.trackId].map((id, i) =>
        onInstance(t.simulators.zibal.pay(Number(id)), bases[i]),
    );
    t.simulators.zibal.faults.arm('/v1/verify', { kind: 'delay', delayMs: 300 }, 2);
    try {
        const landings = await Promise.all(callbacks.map(followCallback));
        const order = await orderByCode(t, p.code);
        const { zibalPaymentAttempts } = await t.admin.query(ATTEMPTS, { orderId: order.id });
        // One attempt settled the order; the other waited for it, then found the order paid and did not verify
        // its payment: Zibal gives unverified payments back to the payer.
        expect(zibalPaymentAttempts.map((a: { state: string }) => a.state).sort()).toEqual([
            'rejected',
            'settled',
        ]);
        expect(verifyCallsOf(t, p.trackId).length + verifyCallsOf(t, second.trackId).length).toBe(1);
        const loser = zibalPaymentAttempts.find((a: { state: string }) => a.state === 'rejected');
        expect(t.simulators.zibal.transactions.get(Number(loser.trackId))!.status).toBe(2);
        expect(order.state).toBe('PaymentSettled');
        expect(order.payments).toEqual([
            expect.objectContaining({ state: 'Settled', amount: p.totalWithTax }),
        ]);
        expect(landings.sort()).toEqual(
            [
                `${t.app.storefrontUrl}/checkout/confirmation/${p.code}`,
                `${t.app.storefrontUrl}/checkout/payment-failed/${p.code}`,
            ].sort(),
        );
    } finally {
        t.simulators.zibal.faults.reset();
    }
}

/**
 * Runs `during` while Zibal takes its time to answer the verify of `p`'s payment (whose callback arrives at the
 * instance at `base`), then lets it answer. Returns where the callback sent the browser and what `during` gave.
 */
async function whileVerifying<T>(
    t: TestShop,
    p: StartedPayment,
    base: string,
    during: () => Promise<T>,
): Promise<{ landing: string; result: T }> {
    const callback = onInstance(t.simulators.zibal.pay(Number(p.trackId)), base);
    const { readTimeoutMs, shopperTimeoutMs } = ZibalPaymentPlugin.options;
    ZibalPaymentPlugin.options.readTimeoutMs = 30_000;
    ZibalPaymentPlugin.options.shopperTimeoutMs = 30_000;
    t.simulators.zibal.faults.arm('/v1/verify', { kind: 'delay', delayMs: 20_000 });
    try {
        const landing = followCallback(callback);
        await waitFor(async () => verifyCallsOf(t, p.trackId).length === 1, 10_000, 'the verify call');
        const result = await during();
        t.simulators.zibal.faults.release();
        return { landing: await landing, result };
    } finally {
        ZibalPaymentPlugin.options.readTimeoutMs = readTimeoutMs;
        ZibalPaymentPlugin.options.shopperTimeoutMs = shopperTimeoutMs;
        t.simulators.zibal.faults.reset();
    }
}

/** While its payment is verified, the shopper goes back to the cart, adds to it and returns to payment. */
async function changeCartWhileVerifying(t: TestShop, productIndex: number, base: string): Promise<void> {
    const p = await startZibalPayment(t, productIndex);
    const { products } = await p.client.query(FIRST_VARIANT_IDS);
    const { landing, result } = await whileVerifying(t, p, base, async () => {
        const back = await p.client.query(TRANSITION, { state: 'AddingItems' });
        const added = await p.client.query(ADD_ITEM, {
            variantId: products.items[(productIndex + 1) % products.items.length].variants[0].id,
            quantity: 1,
        });
        await p.client.query(TRANSITION, { state: 'ArrangingPayment' });
        return { back: back.transitionOrderToState, added: added.addItemToOrder };
    });
    expect(landing).toBe(`${t.app.storefrontUrl}/checkout/confirmation/${p.code}`);
    const order = await orderByCode(t, p.code);
    expect(order).toMatchObject({ state: 'PaymentSettled', totalWithTax: p.totalWithTax });
    expect(order.payments).toEqual([expect.objectContaining({ state: 'Settled', amount: p.totalWithTax })]);
    expect(result.back).toMatchObject({
        errorCode: 'ORDER_STATE_TRANSITION_ERROR',
        transitionError: expect.stringMatching(/being verified/),
    });
    expect(result.added.errorCode).toBe('ORDER_MODIFICATION_ERROR');
}

/**
 * Two server instances on one PostgreSQL database and one Redis, as two pods behind a load balancer would be:
 * what keeps them from settling one order twice is PostgreSQL's lock, not anything in one process.
 */
describe.runIf(!!process.env.DATABASE_URL && !!process.env.REDIS_URL)(
    'Zibal payments across two server instances (PostgreSQL + Redis)',
    () => {
        let t: TestShop;
        let second: RunningServer;
        let secondUrl: string;

        beforeAll(async () => {
            t = await createTestShop();
            // Same database, Redis and key prefix, its own port and database pool; jobs stay on the first.
            const app = { ...t.app, port: 0 };
            second = await startServer(app, {
                providers: resolveProviderUrls(app, t.simulators.baseUrl),
                seed: false,
                runJobsInProcess: false,
                adjustConfig: config => {
                    // The scheduler's cron jobs are named process-wide: the second instance runs without.
                    config.plugins = (config.plugins ?? []).filter(p => p !== DefaultSchedulerPlugin);
                    return config;
                },
            });
            secondUrl = `http://127.0.0.1:${second.port}`;
        });

        afterAll(async () => {
            await second?.close();
            await t?.close();
        });

        it('settles one payment when two paid attempts call back on two instances at the same moment', () =>
            payTwiceAtOnce(t, 1, [t.baseUrl, secondUrl]));

        it('keeps the order unchanged while another instance verifies its payment', () =>
            changeCartWhileVerifying(t, 2, secondUrl));
    },
);

const APPLY_COUPON = gql`
    mutation ($code: String!) {
        applyCouponCode(couponCode: $code) {
            ... on Order {
                totalWithTax
            }
        }
    }
`;

const SETTLE_REFUND = gql`
    mutation ($input: SettleRefundInput!) {
        settleRefund(input: $input) {
            ... on Refund {
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
