import gql from 'graphql-tag';
import type { Socket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { ack, connectChat, createShopper, SendData } from '../plugins/support-chat/e2e/chat-fixtures';
import { freshPhone, login, requestAndReadCode } from '../plugins/sms-otp/e2e/otp-fixtures';
import { MetricsService } from '../src/metrics/metrics.plugin';
import { createTestShop, TestShop, testProfile, waitFor } from '../src/testing/test-shop';

import {
    ADD_PAYMENT,
    assertOk,
    createTestPaymentMethod,
    FIRST_VARIANT_IDS,
    prepareOrderForPayment,
    withDummyPayment,
} from './checkout-helpers';
import { exportedFamilies, parseExposition, sampleValue } from './metrics-helpers';

/**
 * The metrics endpoint of a running shop: on its own port (not the public one), the families the runbook and the
 * alert rules use, values that move with a checkout, an OTP login, a Postex quote and a chat message, and labels
 * that never carry a phone number, an OTP code or an order code.
 */
/** Distinctive provider credentials, so the log-secrets check can look for them in the logs of this run. */
const PROVIDER_KEYS = {
    SMSIR_API_KEY: 'smsir-key-3f9c2a7b51e04d86',
    POSTEX_API_KEY: 'postex-key-8e1d4c6a92b7f035',
    ZIBAL_PLATFORM_TOKEN: 'zibal-token-5b2e9f0c71a84d63',
};

describe(`Prometheus metrics (${testProfile()})`, () => {
    let t: TestShop;
    let metricsUrl: string;
    const scrape = async () => {
        const res = await fetch(metricsUrl);
        expect(res.status).toBe(200);
        return res.text();
    };
    /** Never in a label: phone numbers, OTP codes, order codes, trackIds, session tokens. */
    const secrets: string[] = [];
    /** Never in a log line (order codes and trackIds are logged on purpose, to follow a case). */
    const logSecrets: string[] = [];
    let chat: Socket | undefined;

    beforeAll(async () => {
        t = await createTestShop({
            env: { METRICS_PORT: '0', ...PROVIDER_KEYS },
            adjustConfig: withDummyPayment,
        });
        await createTestPaymentMethod(t.admin);
        // A credit of its own, so the gauge below shows SMS.ir's answer, not a default.
        t.simulators.smsir.credit = 4321;
        const address = t.server.app.get(MetricsService).address!;
        metricsUrl = `http://127.0.0.1:${address.port}/metrics`;
    });

    afterAll(async () => {
        chat?.close();
        await t?.close();
    });

    it('serves /metrics on its own port, not on the public one', async () => {
        expect(new URL(metricsUrl).port).not.toBe(String(t.server.port));
        expect((await fetch(`${t.baseUrl}/metrics`)).status).toBe(404);
        const text = await scrape();
        // Node's runtime defaults, labelled with the process role.
        expect(text).toMatch(/^process_cpu_user_seconds_total\{process="(embedded|server)"\} /m);
        expect(text).toContain('nodejs_eventloop_lag_seconds');
    });

    it("reports the SMS.ir account's credit as SMS.ir answers it (GET /v1/credit)", async () => {
        const samples = parseExposition(await scrape());
        expect(sampleValue(samples, 'shop_provider_credit', { provider: 'smsir' })).toBe(4321);
        expect(sampleValue(samples, 'shop_provider_credit_age_seconds', { provider: 'smsir' })).toBeLessThan(
            60,
        );
    });

    it('counts a checkout: GraphQL operations by root field and outcome, the Postex quote, the order placed', async () => {
        const before = parseExposition(await scrape());
        const { products } = await t.shop.query(FIRST_VARIANT_IDS);
        const phone = '09127654321';
        secrets.push(phone);
        logSecrets.push(phone);
        const { code } = await prepareOrderForPayment(t.shop, {
            variantId: products.items[0].variants[0].id,
            email: 'metrics@example.ir',
            phone,
            shippingMethodCode: 'postex',
        });
        secrets.push(code);
        const paid = await t.shop.query(ADD_PAYMENT, { input: { method: 'test-payment', metadata: {} } });
        assertOk(paid.addPaymentToOrder, 'addPaymentToOrder');
        // An expected failure is an ErrorResult, not an error.
        const coupon = await t.shop.query(gql`
            mutation {
                applyCouponCode(couponCode: "NO-SUCH-CODE") {
                    ... on ErrorResult {
                        errorCode
                    }
                }
            }
        `);
        expect(coupon.applyCouponCode.errorCode).toBeDefined();
        // A query that does not validate counts as the one value `unknown`, whatever it is called.
        const invalid = await fetch(`${t.baseUrl}/shop-api`, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify({ query: 'query Invented12345 { noSuchField }' }),
        });
        expect(invalid.status).toBe(400);

        const after = parseExposition(await scrape());
        const delta = (name: string, labels: Record<string, string> = {}) =>
            sampleValue(after, name, labels) - sampleValue(before, name, labels);
        expect(delta('shop_orders_placed_total')).toBe(1);
        expect(
            delta('shop_graphql_operations_total', {
                api: 'shop',
                type: 'mutation',
                operation: 'addItemToOrder',
                outcome: 'ok',
            }),
        ).toBe(1);
        expect(
            delta('shop_graphql_operations_total', {
                api: 'shop',
                operation: 'applyCouponCode',
                outcome: 'error_result',
            }),
        ).toBe(1);
        expect(delta('shop_graphql_operations_total', { operation: 'unknown', outcome: 'error' })).toBe(1);
        expect(
            delta('shop_graphql_operation_duration_seconds_count', { operation: 'addPaymentToOrder' }),
        ).toBe(1);
        expect(
            delta('shop_http_requests_total', { route: 'shop-api', method: 'POST', status_class: '2xx' }),
        ).toBeGreaterThanOrEqual(8);
        expect(delta('shop_http_requests_total', { route: 'shop-api', status_class: '4xx' })).toBe(1);
        expect(delta('shop_postex_quotes_total', { source: 'postex' })).toBeGreaterThanOrEqual(1);
        expect(delta('shop_postex_quote_duration_seconds_count')).toBeGreaterThanOrEqual(1);
        expect(sampleValue(after, 'shop_postex_breaker_state', { state: 'closed' })).toBe(1);
        expect(sampleValue(after, 'shop_zibal_refund_due_attempts')).toBe(0);
        // The order confirmation email is a job: counted per queue when it completes.
        await waitFor(async () => {
            const now = parseExposition(await scrape());
            return sampleValue(now, 'shop_job_queue_jobs_total', { outcome: 'completed' }) > 0 || undefined;
        }, 20_000);
        const jobs = parseExposition(await scrape());
        expect(sampleValue(jobs, 'shop_job_queue_job_duration_seconds_count')).toBeGreaterThan(0);
        // Every queue has its backlog series, 0 when nothing waits.
        expect(
            sampleValue(jobs, 'shop_job_queue_waiting_jobs', { queue: 'send-email' }),
        ).toBeGreaterThanOrEqual(0);
        expect(exportedFamilies(jobs)).toEqual(
            expect.arrayContaining([
                'shop_job_queue_waiting_jobs',
                'shop_job_queue_oldest_waiting_age_seconds',
            ]),
        );
        expect(
            jobs.some(
                s =>
                    s.name === 'shop_job_queue_oldest_waiting_age_seconds' && s.labels.queue === 'send-email',
            ),
        ).toBe(true);
        if (testProfile() === 'postgres') {
            expect(sampleValue(jobs, 'shop_db_pool_max_connections')).toBeGreaterThan(0);
            expect(exportedFamilies(jobs)).toContain('shop_db_pool_connections');
        }
    });

    it('shows a started Zibal payment as unresolved until the bank returns', async () => {
        const client = t.newShopClient();
        const { products } = await client.query(FIRST_VARIANT_IDS);
        await prepareOrderForPayment(client, {
            variantId: products.items[0].variants[0].id,
            email: 'zibal-metrics@example.ir',
        });
        const { createZibalPaymentIntent } = await client.query(gql`
            mutation {
                createZibalPaymentIntent {
                    __typename
                    ... on ZibalPaymentIntent {
                        trackId
                    }
                }
            }
        `);
        expect(createZibalPaymentIntent.__typename).toBe('ZibalPaymentIntent');
        secrets.push(createZibalPaymentIntent.trackId);
        const samples = parseExposition(await scrape());
        expect(sampleValue(samples, 'shop_zibal_payment_attempts', { state: 'pending' })).toBe(1);
        expect(sampleValue(samples, 'shop_zibal_unresolved_attempts')).toBe(1);
        expect(sampleValue(samples, 'shop_zibal_oldest_unresolved_attempt_age_seconds')).toBeLessThan(60);
        expect(
            sampleValue(samples, 'shop_graphql_operations_total', {
                operation: 'createZibalPaymentIntent',
                outcome: 'ok',
            }),
        ).toBe(1);
    });

    it('counts an OTP login: the send, the verification and the login', async () => {
        const before = parseExposition(await scrape());
        const phone = freshPhone();
        const code = await requestAndReadCode(t, t.newShopClient(), phone);
        secrets.push(phone, code);
        logSecrets.push(phone, code);
        const result = await login(t.newShopClient(), { phoneNumber: phone, code });
        expect(result.__typename).toBe('CurrentUser');
        const after = parseExposition(await scrape());
        const delta = (name: string, labels: Record<string, string> = {}) =>
            sampleValue(after, name, labels) - sampleValue(before, name, labels);
        expect(delta('shop_otp_events_total', { event: 'sent' })).toBe(1);
        expect(delta('shop_login_attempts_total', { strategy: 'smsOtp' })).toBe(1);
        expect(delta('shop_logins_total')).toBe(1);
        expect(sampleValue(after, 'shop_otp_window_sent', { period: 'HOUR' })).toBeGreaterThanOrEqual(1);
        expect(sampleValue(after, 'shop_otp_window_state', { period: 'HOUR', state: 'OPEN' })).toBe(1);
        expect(sampleValue(after, 'shop_otp_sends_last_hour', { outcome: 'SENT' })).toBeGreaterThanOrEqual(1);
    });

    it('counts chat sockets by side and a message with its delivery time', async () => {
        const shopper = await createShopper(t);
        secrets.push(shopper.token);
        logSecrets.push(shopper.token);
        chat = await connectChat(t.baseUrl, { token: shopper.token });
        const before = parseExposition(await scrape());
        expect(sampleValue(before, 'shop_chat_sockets', { side: 'shopper' })).toBe(1);
        const sent = await ack<SendData>(chat, 'message:send', {
            clientMessageId: 'metrics-1',
            body: 'سلام',
        });
        expect(sent.ok).toBe(true);
        const after = parseExposition(await scrape());
        expect(
            sampleValue(after, 'shop_chat_messages_total', { side: 'shopper', outcome: 'ok' }) -
                sampleValue(before, 'shop_chat_messages_total', { side: 'shopper', outcome: 'ok' }),
        ).toBe(1);
        expect(
            sampleValue(after, 'shop_chat_message_delivery_seconds_count', { side: 'shopper' }),
        ).toBeGreaterThanOrEqual(1);
    });

    it('keeps labels bounded: no phone number, OTP code or order code in any series', async () => {
        const text = await scrape();
        for (const secret of secrets) {
            expect(text).not.toContain(secret);
        }
        expect(text).not.toContain('Invented12345');
        // For the log-secrets check (scripts/ci/monitoring-check.sh): what must never be in a log line of this run.
        if (process.env.LOG_SECRETS_OUT) {
            const fs = await import('node:fs');
            fs.writeFileSync(
                process.env.LOG_SECRETS_OUT,
                JSON.stringify([...logSecrets, ...Object.values(PROVIDER_KEYS)]),
            );
        }
        // Written for the rules test (monitoring/): the families a real scrape of a shop with traffic exports.
        if (process.env.METRICS_FAMILIES_OUT) {
            const fs = await import('node:fs');
            fs.writeFileSync(
                process.env.METRICS_FAMILIES_OUT,
                exportedFamilies(parseExposition(text)).join('\n'),
            );
        }
    });
});
