import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import type { DocumentNode } from 'graphql';
import { print } from 'graphql';
import gql from 'graphql-tag';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { AUTHENTICATE_OTP, REQUEST_LOGIN_OTP } from '../plugins/sms-otp/e2e/otp-fixtures';
import { CREATE_INTENT } from '../plugins/zibal-payment/e2e/zibal-helpers';
import { createScratchDatabase, deleteRedisKeys } from '../src/db/scratch-database';
import { ProviderSimulators } from '../src/simulators/simulator-server';
import {
    ADD_ITEM,
    ELIGIBLE_SHIPPING,
    FIRST_VARIANT_IDS,
    SET_ADDRESS,
    SET_SHIPPING,
    TRANSITION,
} from '../src/testing/checkout-helpers';
import { newTraceparent, OtlpReceiver, ReceivedSpan } from '../src/testing/otlp-receiver';
import { ShopProcess, startShopProcess } from '../src/testing/shop-process';
import { freePort, testProfile, waitFor } from '../src/testing/test-shop';

/**
 * Traces end to end, through the real entry points in processes of their own (the tracing preload must run before
 * Vendure loads): the server (and, on PostgreSQL + Redis, the worker as a second process) export to an in-process
 * OTLP/HTTP receiver. Each step of a checkout is sent with a `traceparent` of the test's own, so its spans are found
 * by trace id: GraphQL, database and provider spans, the job the request queued (run by the worker, or by the
 * embedded server's in-process queue), and the log lines written meanwhile. What was exported holds no secret.
 */
// This run's own values (the simulators accept any key): no credential is a literal, and none may be exported.
const PROVIDER_KEYS = {
    SMSIR_API_KEY: `smsir-${crypto.randomBytes(12).toString('hex')}`,
    POSTEX_API_KEY: `postex-${crypto.randomBytes(12).toString('hex')}`,
};
const COOKIE_SECRET = `cookie-${crypto.randomBytes(16).toString('hex')}`;

/** A GraphQL client that can send a `traceparent` header (the answers are loosely typed, like SimpleGraphQLClient's). */
class Client {
    token?: string;
    url = '';

    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    async query<T = Record<string, any>>(
        doc: DocumentNode,
        variables: object = {},
        traceparent?: string,
    ): Promise<T> {
        const res = await fetch(this.url, {
            method: 'POST',
            headers: {
                'content-type': 'application/json',
                ...(this.token ? { authorization: `Bearer ${this.token}` } : {}),
                // A request id of the test's own (src/logging/request-context.ts): the log lines must carry it.
                ...(traceparent
                    ? { traceparent, 'x-request-id': requestIdOf(traceparent.split('-')[1]) }
                    : {}),
            },
            body: JSON.stringify({ query: print(doc), variables }),
        });
        this.token = res.headers.get('vendure-auth-token') ?? this.token;
        const body = (await res.json()) as { data?: T; errors?: unknown[] };
        if (body.errors?.length) {
            throw new Error(JSON.stringify(body.errors));
        }
        return body.data as T;
    }
}

/** The `X-Request-Id` sent with a traced request: `e2e-` and its trace id. */
const requestIdOf = (traceId: string) => `e2e-${traceId}`;

const ADMIN_LOGIN = gql`
    mutation {
        login(username: "superadmin", password: "superadmin") {
            ... on CurrentUser {
                id
            }
        }
    }
`;
const ADMIN_ORDER = gql`
    query ($code: String!) {
        orders(options: { filter: { code: { eq: $code } } }) {
            items {
                id
                state
                lines {
                    id
                    quantity
                }
            }
        }
    }
`;
const ADD_FULFILLMENT = gql`
    mutation ($input: FulfillOrderInput!) {
        addFulfillmentToOrder(input: $input) {
            ... on Fulfillment {
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

describe(`Traces by OTLP (${testProfile()})`, () => {
    const receiver = new OtlpReceiver();
    const simulators = new ProviderSimulators();
    const id = `e2e_trace_${process.pid}_${crypto.randomBytes(3).toString('hex')}`;
    const tmpDir = fs.mkdtempSync(path.join(os.tmpdir(), 'shop-trace-'));
    let dropDatabase = async () => undefined as void;
    let server: ShopProcess;
    let worker: ShopProcess | undefined;
    let baseUrl: string;
    let env: NodeJS.ProcessEnv;
    const services = testProfile() === 'postgres';
    /** Never in an export: the OTP code, the phone number, provider keys, the cookie secret, session tokens. */
    const secrets: string[] = [...Object.values(PROVIDER_KEYS), COOKIE_SECRET];

    beforeAll(async () => {
        const otlp = await receiver.listen();
        const sim = await simulators.listen(0);
        const port = await freePort();
        baseUrl = `http://127.0.0.1:${port}`;
        let databaseUrl: string | undefined;
        if (services) {
            const db = await createScratchDatabase(process.env.DATABASE_URL!, id);
            databaseUrl = db.url;
            dropDatabase = db.drop;
        }
        env = {
            PATH: process.env.PATH,
            APP_ENV: 'test',
            PORT: String(port),
            HOST: '127.0.0.1',
            PUBLIC_URL: baseUrl,
            LOG_LEVEL: 'debug',
            LOG_FORMAT: 'json',
            COOKIE_SECRET,
            SQLITE_PATH: path.join(tmpDir, 'shop.sqlite'),
            ASSETS_DIR: path.join(tmpDir, 'assets'),
            ...(databaseUrl ? { DATABASE_URL: databaseUrl, REDIS_URL: process.env.REDIS_URL } : {}),
            REDIS_PREFIX: id,
            SEED_ON_START: 'true',
            ZIBAL_API_URL: `${sim}/zibal`,
            SMSIR_API_URL: `${sim}/smsir`,
            POSTEX_API_URL: `${sim}/postex/api/v1`,
            ...PROVIDER_KEYS,
            OTEL_EXPORTER_OTLP_ENDPOINT: otlp,
            // Off by default (their cost, docs/benchmarks.md); on here to prove they join the traces.
            TRACE_VENDURE_SERVICES: 'true',
            // Export within a fraction of a second (the default batches for 5 s).
            OTEL_BSP_SCHEDULE_DELAY: '100',
            // The default queue (2 048 spans) drops spans beyond it; a debug-level PostgreSQL run makes many.
            OTEL_BSP_MAX_QUEUE_SIZE: '100000',
        };
        server = startShopProcess('server', env);
        await server.ready(`${baseUrl}/health`);
        if (services) {
            const healthPort = await freePort();
            worker = startShopProcess('worker', {
                ...env,
                SEED_ON_START: 'false',
                WORKER_HEALTH_PORT: String(healthPort),
            });
            await worker.ready(`http://127.0.0.1:${healthPort}/health`);
        }
    }, 300_000);

    afterAll(async () => {
        await worker?.stop();
        await server?.stop();
        await simulators.close();
        await receiver.close();
        await dropDatabase();
        await deleteRedisKeys(process.env.REDIS_URL, id);
        fs.rmSync(tmpDir, { recursive: true, force: true });
    });

    const shop = new Client();
    const admin = new Client();
    const steps: Record<string, string> = {};
    let orderCode = '';

    /** Runs one step with a trace of its own and remembers the trace id under `name`. */
    async function step<T>(name: string, run: (traceparent: string) => Promise<T>): Promise<T> {
        const { traceparent, traceId } = newTraceparent();
        steps[name] = traceId;
        return run(traceparent);
    }

    const spansOf = (name: string) => receiver.trace(steps[name]);
    const attr = (s: ReceivedSpan, key: string) => s.attributes[key];
    /** Waits until the step's trace has a span matching `match` (exports arrive in batches). */
    async function spanIn(step: string, match: (s: ReceivedSpan) => boolean, what: string) {
        await waitFor(async () => spansOf(step).some(match), 30_000, `${what} in the trace of ${step}`);
        return spansOf(step).filter(match);
    }

    it('a checkout exports traces: OTP login, Postex quote and Zibal payment with provider spans', async () => {
        shop.url = `${baseUrl}/shop-api`;
        const phone = '09351234987';
        secrets.push(phone);
        await step('requestLoginOtp', tp => shop.query(REQUEST_LOGIN_OTP, { phoneNumber: phone }, tp));
        const code = simulators.smsir.inbox.at(-1)!.parameters.find(p => p.name === 'CODE')!.value;
        secrets.push(code);
        const auth = await step('authenticate', tp =>
            shop.query(AUTHENTICATE_OTP, { input: { phoneNumber: phone, code } }, tp),
        );
        expect(auth.authenticate.__typename).toBe('CurrentUser');
        secrets.push(shop.token!);
        const { products } = await shop.query(FIRST_VARIANT_IDS);
        await step('addItemToOrder', tp =>
            shop.query(ADD_ITEM, { variantId: products.items[0].variants[0].id, quantity: 1 }, tp),
        );
        await shop.query(SET_ADDRESS, {
            input: {
                fullName: 'علی رضایی',
                streetLine1: 'خیابان ولیعصر، پلاک ۱۲',
                city: 'تهران',
                province: 'تهران',
                postalCode: '1345678912',
                countryCode: 'IR',
                phoneNumber: phone,
            },
        });
        const { eligibleShippingMethods } = await step('eligibleShippingMethods', tp =>
            shop.query(ELIGIBLE_SHIPPING, {}, tp),
        );
        const postex = eligibleShippingMethods.find((m: { code: string }) => m.code === 'postex');
        expect(postex).toBeDefined();
        await shop.query(SET_SHIPPING, { id: [postex.id] });
        await shop.query(TRANSITION, { state: 'ArrangingPayment' });
        const { createZibalPaymentIntent: intent } = await step('createZibalPaymentIntent', tp =>
            shop.query(CREATE_INTENT, {}, tp),
        );
        expect(intent.__typename).toBe('ZibalPaymentIntent');
        // The shopper pays on the bank page; their browser follows Zibal's redirect to our callback.
        const callbackUrl = simulators.zibal.pay(Number(intent.trackId));
        orderCode = new URL(callbackUrl).searchParams.get('orderId') ?? '';
        const callback = await step('zibalCallback', traceparent =>
            fetch(callbackUrl, { redirect: 'manual', headers: { traceparent } }),
        );
        expect(callback.status).toBe(303);

        const sms = await spanIn('requestLoginOtp', s => s.name === 'smsir.send_verify', 'the SMS.ir span');
        expect(sms[0].attributes).toMatchObject({
            'provider.name': 'smsir',
            'provider.operation': 'send_verify',
            'provider.outcome': 'ok',
        });
        const quote = await spanIn(
            'eligibleShippingMethods',
            s => s.name === 'postex.quote',
            'the Postex span',
        );
        expect(quote[0].attributes).toMatchObject({ 'provider.name': 'postex', 'provider.outcome': 'ok' });
        const request = await spanIn(
            'createZibalPaymentIntent',
            s => s.name === 'zibal.request',
            'zibal.request',
        );
        expect(request[0].attributes).toMatchObject({ 'provider.name': 'zibal', 'provider.outcome': 'ok' });
        const verify = await spanIn('zibalCallback', s => s.name === 'zibal.verify', 'zibal.verify');
        expect(verify[0].attributes).toMatchObject({
            'provider.operation': 'verify',
            'provider.outcome': 'ok',
        });
    });

    it('a request trace holds the HTTP span named by its operation, Vendure service and (PostgreSQL) database spans', async () => {
        const spans = spansOf('createZibalPaymentIntent');
        // The server's HTTP span continues the caller's trace (W3C traceparent) and is named by the operation.
        const server = spans.filter(s => s.kind === 2 && s.name === 'mutation createZibalPaymentIntent');
        expect(server).toHaveLength(1);
        expect(attr(server[0], 'graphql.operation.type')).toBe('mutation');
        expect(spans.some(s => /^[A-Z]\w+Service\.\w+$/.test(s.name))).toBe(true);
        if (services) {
            const db = spans.filter(s => attr(s, 'db.system') === 'postgresql');
            expect(db.length).toBeGreaterThan(0);
        }
        expect(new Set(spans.map(s => s.service))).toEqual(new Set(['iran-shop-server']));
    });

    it('a job queued by a request continues its trace where it runs (the worker, or the embedded queue)', async () => {
        // Fulfilling with Postex queues the parcel job; it calls Postex from the job.
        admin.token = undefined;
        admin.url = `${baseUrl}/admin-api`;
        await admin.query(ADMIN_LOGIN);
        secrets.push(admin.token!);
        const { orders } = await admin.query(ADMIN_ORDER, { code: orderCode });
        const order = orders.items[0];
        expect(order.state).toBe('PaymentSettled');
        const { addFulfillmentToOrder } = await step('addFulfillmentToOrder', tp =>
            admin.query(
                ADD_FULFILLMENT,
                {
                    input: {
                        lines: order.lines.map((l: { id: string; quantity: number }) => ({
                            orderLineId: l.id,
                            quantity: l.quantity,
                        })),
                        handler: { code: 'postex', arguments: [] },
                    },
                },
                tp,
            ),
        );
        expect(addFulfillmentToOrder.state).toBe('Pending');
        const [job] = await spanIn(
            'addFulfillmentToOrder',
            s => s.name === 'job postex-create-parcel',
            'the parcel job span',
        );
        expect(job.service).toBe(services ? 'iran-shop-worker' : 'iran-shop-server');
        expect(job.attributes).toMatchObject({
            'job.queue': 'postex-create-parcel',
            'job.outcome': 'completed',
        });
        const [create] = await spanIn(
            'addFulfillmentToOrder',
            s => s.name === 'postex.create_parcels',
            'the Postex call',
        );
        expect(create.attributes['provider.outcome']).toBe('ok');
        // The provider call is inside the job's span (directly or through Vendure's service spans).
        const byId = new Map(spansOf('addFulfillmentToOrder').map(s => [s.spanId, s]));
        let parent = byId.get(create.parentSpanId ?? '');
        while (parent && parent.spanId !== job.spanId) {
            parent = byId.get(parent.parentSpanId ?? '');
        }
        expect(parent?.spanId).toBe(job.spanId);
        // The order confirmation e-mail, queued when the callback settled the payment, is in the callback's trace.
        await spanIn('zibalCallback', s => s.name === 'job send-email', 'the e-mail job span');
    });

    it('log lines written while a span is active carry its trace_id and span_id', async () => {
        const processes = [server, ...(worker ? [worker] : [])];
        for (const name of ['requestLoginOtp', 'createZibalPaymentIntent', 'addFulfillmentToOrder']) {
            const lines = processes.flatMap(p => p.jsonLines()).filter(l => l.trace_id === steps[name]);
            expect(lines.length, `log lines of ${name}`).toBeGreaterThan(0);
            // ... and those the server wrote while serving the request, its request id (which travels in
            // OpenTelemetry's context when tracing is on).
            expect(
                server
                    .jsonLines()
                    .filter(l => l.trace_id === steps[name] && l.requestId === requestIdOf(steps[name])),
                `log lines of ${name} with its request id`,
            ).not.toEqual([]);
            // Each line names a span of that trace that was exported. A span is exported when it ends, in the next
            // batch (a job's span on the worker may still be running when the request's lines are read): wait.
            const unexported = () => {
                const spanIds = new Set(spansOf(name).map(s => s.spanId));
                return lines.filter(l => !spanIds.has(String(l.span_id)));
            };
            await waitFor(
                async () => unexported().length === 0,
                20_000,
                `the spans of ${name}'s log lines`,
            ).catch(() => undefined);
            expect(unexported().map(l => `${String(l.span_id)} ${String(l.msg).slice(0, 80)}`)).toEqual([]);
        }
        if (worker) {
            expect(worker.jsonLines().some(l => l.trace_id === steps.addFulfillmentToOrder)).toBe(true);
        }
    });

    it('exports no secret: OTP code, phone number, provider keys, cookie secret, session token', () => {
        const exported = receiver.content();
        expect(exported.length).toBeGreaterThan(0);
        for (const secret of secrets) {
            // Where it was found, the secret itself masked.
            const at = exported.indexOf(secret);
            const around = `${exported.slice(Math.max(0, at - 80), at)}***${exported.slice(at + secret.length, at + secret.length + 40)}`;
            expect(at, `an export contains ${secret.slice(0, 4)}…: ${around}`).toBe(-1);
        }
        // Vendure's own JobQueue.add span would carry whole job payloads (e-mail addresses, links).
        expect(receiver.spans.some(s => 'job.data' in s.attributes)).toBe(false);
    });
});
