/**
 * Scenario 6 of issue 17: SMS.ir, Postex and Zibal hanging (connections accepted, no answer) for a long stretch.
 * Promises: checkout answers within 4 s with a clear, typed message; Postex's breaker opens during the outage
 * (no more calls go out) and closes after the provider recovers; calls to a hanging provider stay bounded.
 * "Minutes" of outage are emulated by hangs far longer than the clients' timeouts (60 s) across waves of
 * concurrent shoppers, with a short breaker cooldown (2 s instead of 30 s).
 *
 * In-process shop on PostgreSQL + Redis: timeouts and the breaker are per process, and the test reads the
 * simulators' call logs; what shoppers get is observed through the Shop API only.
 */
import { SimpleGraphQLClient } from '@vendure/testing';
import gql from 'graphql-tag';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { PostexShippingPlugin } from '../../plugins/postex-shipping';
import { ZibalPaymentPlugin } from '../../plugins/zibal-payment';
import { REQUEST_LOGIN_OTP } from '../../plugins/sms-otp/e2e/otp-fixtures';
import {
    CREATE_INTENT,
    followCallback,
    orderByCode,
    startZibalPayment,
} from '../../plugins/zibal-payment/e2e/zibal-helpers';
import { TestShop, waitFor } from '../../src/testing/test-shop';
import {
    ADD_ITEM,
    ELIGIBLE_SHIPPING,
    FIRST_VARIANT_IDS,
    SET_ADDRESS,
    TEHRAN_ADDRESS,
} from '../checkout-helpers';

import { percentile, report, startFaultShop, timed } from './support/app-shop';

/** The promise: a shopper's request answers within this, whatever the providers do. */
const ANSWER_MS = 4_000;
const HANG = { kind: 'timeout' as const, delayMs: 60_000 };
const COOLDOWN_MS = 2_000;
const THRESHOLD = 3;

describe('faults 6: providers hanging', () => {
    let t: TestShop;

    beforeAll(async () => {
        t = await startFaultShop({
            adjustConfig: config => {
                PostexShippingPlugin.init({
                    ...PostexShippingPlugin.options,
                    breakerCooldownMs: COOLDOWN_MS,
                    breakerFailureThreshold: THRESHOLD,
                });
                // Reconciliation inquires attempts at once (the default waits 10 minutes for the callback).
                ZibalPaymentPlugin.init({ ...ZibalPaymentPlugin.options, reconcileAfterMs: 0 });
                return config;
            },
        });
    });

    afterAll(async () => {
        await t?.close();
    });

    it('Postex: shipping prices answer within 4 s during the outage, the breaker opens, then closes after it', async () => {
        const { products } = await t.shop.query(FIRST_VARIANT_IDS);
        // Ten carts of different weights and values: ten different quotes (no cache hit, no coalescing).
        const carts = await Promise.all(
            products.items.map(async (p: { variants: Array<{ id: string }> }, i: number) => {
                const client = t.newShopClient();
                await client.query(ADD_ITEM, { variantId: p.variants[0].id, quantity: 1 + (i % 3) });
                await client.query(SET_ADDRESS, { input: TEHRAN_ADDRESS });
                return client;
            }),
        );
        t.simulators.postex.faults.reset();
        t.simulators.postex.faults.arm('/shipping/quotes', HANG, 1_000);
        const outageStart = Date.now();
        const answers: Array<{ ms: number; source?: string; reason?: string; price?: number }> = [];
        // Six waves over about 15 s: the outage goes on far past the breaker's cooldown.
        for (let wave = 0; wave < 6; wave++) {
            answers.push(...(await Promise.all(carts.map(c => postexQuote(c)))));
            await sleep(1_000);
        }
        const callsDuringOutage = t.simulators.postex.faults.callsTo('/shipping/quotes').length;
        const outageMs = Date.now() - outageStart;

        // Recovery: Postex answers again; after the cooldown one trial call closes the breaker.
        t.simulators.postex.faults.reset();
        const recoveredAt = Date.now();
        const afterRecovery = await waitFor(
            async () => {
                const a = await postexQuote(carts[0]);
                return a.source === 'postex' || a.source === 'cache' ? a : undefined;
            },
            15_000,
            'the breaker to close',
        );
        const timeToClose = Date.now() - recoveredAt;
        const next = await Promise.all(carts.slice(1).map(c => postexQuote(c)));

        for (const a of answers) {
            expect(a.ms).toBeLessThan(ANSWER_MS);
            // A clear answer: the fallback price with its reason, so checkout goes on.
            expect(a.source).toBe('fallback');
            expect(a.price).toBeGreaterThan(0);
        }
        const reasons = new Set(answers.map(a => a.reason));
        expect(reasons).toContain('timeout');
        expect(reasons).toContain('circuit-open');
        // Bounded: the first wave's calls (before the breaker knew), then one trial call per cooldown.
        expect(callsDuringOutage).toBeLessThanOrEqual(carts.length + Math.ceil(outageMs / COOLDOWN_MS));
        expect(afterRecovery.ms).toBeLessThan(ANSWER_MS);
        for (const a of next) {
            expect(['postex', 'cache']).toContain(a.source);
        }
        report('6 Postex hanging', {
            quotes: answers.length,
            p50Ms: percentile(
                answers.map(a => a.ms),
                50,
            ),
            maxMs: Math.max(...answers.map(a => a.ms)),
            circuitOpenAnswers: answers.filter(a => a.reason === 'circuit-open').length,
            callsToPostexDuringOutage: callsDuringOutage,
            outageMs,
            breakerClosedMsAfterRecovery: timeToClose,
        });
    });

    it('SMS.ir: a login code request answers within 4 s with OtpProviderUnavailableError, and works after', async () => {
        t.simulators.smsir.faults.reset();
        t.simulators.smsir.faults.arm('/v1/send/verify', HANG, 1_000);
        const results: Array<{ ms: number; value: { __typename: string; messageFa?: string } }> = [];
        for (let wave = 0; wave < 3; wave++) {
            results.push(
                ...(await Promise.all(
                    [0, 1, 2, 3].map(i =>
                        timed(async () => {
                            const { requestLoginOtp } = await t.newShopClient().query(REQUEST_LOGIN_OTP, {
                                phoneNumber: `0912${String(wave * 10 + i).padStart(3, '0')}4567`,
                            });
                            return requestLoginOtp;
                        }),
                    ),
                )),
            );
        }
        const calls = t.simulators.smsir.faults.callsTo('/v1/send/verify').length;
        t.simulators.smsir.faults.reset();
        const after = await timed(async () => {
            const { requestLoginOtp } = await t.newShopClient().query(REQUEST_LOGIN_OTP, {
                phoneNumber: '09129994567',
            });
            return requestLoginOtp;
        });
        for (const r of results) {
            expect(r.ms).toBeLessThan(ANSWER_MS);
            expect(r.value.__typename).toBe('OtpProviderUnavailableError');
            expect(r.value.messageFa).toBeTruthy();
        }
        expect(after.value.__typename).toBe('RequestLoginOtpSuccess');
        // One call per request: nothing retried or queued behind the shopper's back.
        expect(calls).toBe(results.length);
        report('6 SMS.ir hanging', {
            requests: results.length,
            p50Ms: percentile(
                results.map(r => r.ms),
                50,
            ),
            maxMs: Math.max(...results.map(r => r.ms)),
            callsToSmsir: calls,
        });
    });

    it('Zibal: starting a payment answers within 4 s with ZibalGatewayError; a callback within 4 s too', async () => {
        const started = await startZibalPayment(t, 0);
        // Shoppers in ArrangingPayment start their payments while Zibal hangs.
        const shoppers = await Promise.all([1, 2, 3].map(i => startZibalPayment(t, i)));
        t.simulators.zibal.faults.reset();
        t.simulators.zibal.faults.arm('/v1/request', HANG, 1_000);
        t.simulators.zibal.faults.arm('/v1/verify', HANG, 1_000);
        const intents = await Promise.all(
            shoppers.map(s =>
                timed(async () => (await s.client.query(CREATE_INTENT)).createZibalPaymentIntent),
            ),
        );
        // The one who had paid comes back from the bank while verify hangs.
        const landing = await timed(() => followCallback(t.simulators.zibal.pay(Number(started.trackId))));
        t.simulators.zibal.faults.reset();
        for (const i of intents) {
            expect(i.ms).toBeLessThan(ANSWER_MS);
            expect(i.value).toMatchObject({
                __typename: 'ZibalGatewayError',
                errorCode: 'ZIBAL_GATEWAY_ERROR',
                message: 'The payment gateway is not available right now. Please try again.',
            });
        }
        expect(landing.ms).toBeLessThan(ANSWER_MS);
        expect(landing.value).toMatch(new RegExp(`/checkout/payment-failed/${started.code}$`));
        // After the outage the same shoppers can pay, and the paid order is settled by reconciliation.
        const retry = await shoppers[0].client.query(CREATE_INTENT);
        expect(retry.createZibalPaymentIntent.__typename).toBe('ZibalPaymentIntent');
        await t.admin.query(gql`
            mutation {
                runScheduledTask(id: "zibal-reconcile") {
                    success
                }
            }
        `);
        expect(await reconciled(started.code)).toBe('PaymentSettled');
        report('6 Zibal hanging', {
            intents: intents.length,
            maxIntentMs: Math.max(...intents.map(i => i.ms)),
            callbackMs: landing.ms,
        });
    });

    async function reconciled(code: string): Promise<string> {
        const deadline = Date.now() + 30_000;
        for (;;) {
            const order = await orderByCode(t, code);
            if (order.state === 'PaymentSettled' || Date.now() > deadline) {
                return order.state;
            }
            await sleep(200);
        }
    }
});

async function postexQuote(
    client: SimpleGraphQLClient,
): Promise<{ ms: number; source?: string; reason?: string; price?: number }> {
    const { value, ms } = await timed(() => client.query(ELIGIBLE_SHIPPING));
    const postex = value.eligibleShippingMethods.find((m: { code: string }) => m.code === 'postex');
    return {
        ms,
        source: postex?.metadata?.source,
        reason: postex?.metadata?.fallbackReason,
        price: postex?.priceWithTax,
    };
}

function sleep(ms: number): Promise<void> {
    return new Promise(resolve => setTimeout(resolve, ms));
}
