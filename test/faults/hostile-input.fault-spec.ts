/**
 * Scenario 8 of issue 17: hostile input against every custom GraphQL operation of the project (from the plugins'
 * API extensions, argument types from introspection), its REST endpoints and the chat WebSocket events.
 * Promise: the answer is a typed error (an ErrorResult, a chat error code, a 4xx) or a GraphQL validation error,
 * never a 500, an internal error or a hang (15 s deadline per request), and no row of the database changes.
 *
 * In-process shop on PostgreSQL + Redis: nothing here depends on a process boundary; the database fingerprint is
 * read with a plain PostgreSQL client.
 */
import { DocumentNode, GraphQLSchema, parse } from 'graphql';
import type { Socket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import * as postexApi from '../../plugins/postex-shipping/api/api-extensions';
import * as smsApi from '../../plugins/sms-otp/api/api-extensions';
import * as chatApi from '../../plugins/support-chat/api/api-extensions';
import { connectChat } from '../../plugins/support-chat/e2e/chat-fixtures';
import * as zibalApi from '../../plugins/zibal-payment/api/api-extensions';
import { TestShop } from '../../src/testing/test-shop';

import { report, startFaultShop } from './support/app-shop';
import { changedTables, tableFingerprints } from './support/fuzz-db';
import {
    casesFor,
    customOperations,
    EXPECTED_ERROR_CODES,
    FuzzCase,
    HOSTILE_STRINGS,
    introspect,
} from './support/fuzz-graphql';

const DEADLINE_MS = 15_000;
const PLUGIN_APIS = [postexApi, smsApi, chatApi, zibalApi];
/**
 * Rows that change by design without any request: sessions, the scheduler's and the job queue's bookkeeping, and
 * the search index, which background jobs rebuild from the catalogue for a while after the seed (the catalogue's
 * own tables are compared, so a change a request made to a product would still show).
 */
const CHANGING_BY_DESIGN = (table: string) =>
    table === 'session' ||
    table.startsWith('scheduled_task') ||
    table === 'job_record' ||
    table === 'search_index_item';
const CHAT_ERROR_CODES = new Set([
    'INVALID_PAYLOAD',
    'MESSAGE_EMPTY',
    'MESSAGE_TOO_LONG',
    'RATE_LIMITED',
    'NOT_FOUND',
    'FORBIDDEN',
    'TOO_MANY_OPEN_CONVERSATIONS',
]);

interface Finding {
    name: string;
    problem: string;
}

describe('faults 8: hostile input', () => {
    let t: TestShop;
    let shopSchema: GraphQLSchema;
    let adminSchema: GraphQLSchema;
    let adminToken: string;
    let before: Record<string, string>;
    const findings: Finding[] = [];
    const figures = { shopOperations: 0, adminOperations: 0, graphql: 0, rest: 0, socket: 0, slowestMs: 0 };

    beforeAll(async () => {
        t = await startFaultShop();
        adminToken = t.admin.getAuthToken();
        shopSchema = await introspect(`${t.baseUrl}/shop-api`);
        adminSchema = await introspect(`${t.baseUrl}/admin-api`, { authorization: `Bearer ${adminToken}` });
        // The seed's background work (search index, collection contents) has settled: two fingerprints 2 s
        // apart are equal. (The job list reads settled before the search index stops changing.)
        before = await fingerprint();
        const settleBy = Date.now() + 90_000;
        for (;;) {
            await new Promise(resolve => setTimeout(resolve, 2_000));
            const again = await fingerprint();
            if (changedTables(before, again).length === 0 || Date.now() > settleBy) {
                break;
            }
            before = again;
        }
    });

    afterAll(async () => {
        await t?.close();
    });

    const fingerprint = () => tableFingerprints((t.app.database as { url: string }).url, CHANGING_BY_DESIGN);

    const ops = (key: 'shopApiExtensions' | 'adminApiExtensions') =>
        customOperations(PLUGIN_APIS.map(m => (m as Record<string, DocumentNode>)[key]).filter(Boolean));

    it('answers hostile Shop API calls of every custom operation with typed or validation errors', async () => {
        const operations = ops('shopApiExtensions');
        figures.shopOperations = operations.length;
        expect(operations.length).toBeGreaterThanOrEqual(6);
        const cases = operations.flatMap(o => casesFor(shopSchema, 'shop', o.root, o.field, true));
        // The SMS strategy's login input of the native authenticate mutation is the project's too.
        cases.push(...authenticateCases());
        await runGraphql(`${t.baseUrl}/shop-api`, cases, {});
    });

    it('answers hostile Admin API calls: FORBIDDEN without a session, typed or validation errors with one', async () => {
        const operations = ops('adminApiExtensions');
        figures.adminOperations = operations.length;
        expect(operations.length).toBeGreaterThanOrEqual(12);
        const anonymous = operations.flatMap(o =>
            casesFor(adminSchema, 'admin/anonymous', o.root, o.field, true),
        );
        await runGraphql(`${t.baseUrl}/admin-api`, anonymous, {});
        const superadmin = operations.flatMap(o =>
            casesFor(adminSchema, 'admin/superadmin', o.root, o.field, false),
        );
        await runGraphql(`${t.baseUrl}/admin-api`, superadmin, { authorization: `Bearer ${adminToken}` });
    });

    it('answers hostile REST calls (Zibal callback, Postex label, widget, health, storefront pages, API bodies) below 500', async () => {
        const paths: string[] = [];
        for (const s of HOSTILE_STRINGS.slice(1)) {
            const v = encodeURIComponent(s.replace(/[\ud800-\udfff]/g, '')) + '%ED%A0%80%00';
            paths.push(`/payments/zibal/callback?trackId=${v}&success=${v}&status=${v}&orderId=${v}`);
            paths.push(`/postex/label/${v}`, `/postex/label/${v}?expires=${v}&signature=${v}`);
            paths.push(`/storefront/checkout/${v}`, `/storefront/checkout/confirmation/${v}`);
        }
        paths.push(
            '/payments/zibal/callback',
            '/payments/zibal/callback?trackId[]=1&trackId[]=2&orderId[a]=1',
            '/payments/zibal/callback?trackId=99999999999999999999&orderId=X',
            `/payments/zibal/callback?trackId=${'1'.repeat(6000)}`,
            '/postex/label/1?expires=1&signature=',
            '/postex/label/%00',
            '/postex/label/..%2f..%2fadmin',
            '/support-chat/widget.js?v=%ff%fe',
            '/health',
            '/health/live',
            '/storefront/chat?x=%3Cscript%3E',
        );
        for (const path of paths) {
            await check(`GET ${path.slice(0, 80)}`, () => rest('GET', path));
        }
        const bodies: Array<[string, string, string]> = [
            ['malformed JSON', 'application/json', '{"query": "{ activeOrder { id } }"'],
            ['JSON nested 40,000 deep', 'application/json', `${'['.repeat(40_000)}${']'.repeat(40_000)}`],
            ['a string for a body', 'application/json', '"query"'],
            ['a number query', 'application/json', '{"query": 1}'],
            [
                'variables as a string',
                'application/json',
                '{"query": "query($a: ID!) { product(id: $a) { id } }", "variables": "x"}',
            ],
            ['form-encoded', 'application/x-www-form-urlencoded', 'query=%7B+activeOrder+%7B+id+%7D+%7D'],
            ['text/plain', 'text/plain', '{ activeOrder { id } }'],
            ['an empty batch', 'application/json', '[]'],
            [
                'a batch of 500 empty objects',
                'application/json',
                JSON.stringify(Array.from({ length: 500 }, () => ({}))),
            ],
            [
                'over the body limit',
                'application/json',
                JSON.stringify({ query: `{ activeOrder { id } }`, x: 'y'.repeat(300_000) }),
            ],
        ];
        for (const api of ['shop-api', 'admin-api']) {
            for (const [name, type, body] of bodies) {
                await check(`POST /${api}: ${name}`, () => rest('POST', `/${api}`, body, type));
            }
            await check(`GET /${api}: a mutation`, () =>
                rest(
                    'GET',
                    `/${api}?query=${encodeURIComponent('mutation { createZibalPaymentIntent { __typename } }')}`,
                ),
            );
        }
        figures.rest = paths.length + bodies.length * 2 + 2;
    });

    it('answers hostile chat socket events with chat error codes and keeps the socket', async () => {
        const guest = t.newShopClient();
        await guest.query(gqlTag('{ activeCustomer { id } }'));
        await guest.query(gqlTag('{ supportConversations { id } }'));
        const token = guest.getAuthToken();
        let socket = await connect(token);
        const events = [
            'conversation:list',
            'conversation:sync',
            'message:send',
            'typing',
            'read',
            'presence:set',
            'conversation:assign',
            'conversation:resolve',
            'conversation:reopen',
            'no:such:event',
            '__proto__',
            'constructor',
        ];
        const payloads: unknown[] = [
            undefined,
            null,
            42,
            'text',
            [1, 2],
            { conversationId: { $gt: '' } },
            { conversationId: "1' OR '1'='1", afterSeq: -1, seq: 1e308, body: '' },
            {
                conversationId: '99999999999999999999',
                afterSeq: 'x',
                clientMessageId: 'x'.repeat(500),
                body: 'ok',
            },
            { body: 'ی'.repeat(2_001), clientMessageId: 'a' },
            { body: { toString: 'x' }, clientMessageId: ['a'] },
            { status: 'invisible', administratorId: { id: 1 }, typing: 'yes' },
            JSON.parse('{"__proto__": {"polluted": true}, "conversationId": "1"}'),
            deep(500),
        ];
        let count = 0;
        for (const event of events) {
            for (const payload of payloads) {
                count++;
                const name = `socket ${event} ${JSON.stringify(payload)?.slice(0, 60)}`;
                if (!socket.connected) {
                    socket = await connect(token);
                }
                const started = Date.now();
                const answer = (await socket
                    .timeout(DEADLINE_MS)
                    .emitWithAck(event, payload)
                    .catch((e: Error) => ({ noAnswer: e.message }))) as
                    { ok: boolean; error?: { code: string } } | { noAnswer: string };
                figures.slowestMs = Math.max(figures.slowestMs, Date.now() - started);
                if ('noAnswer' in answer) {
                    findings.push({ name, problem: `no acknowledgement: ${answer.noAnswer}` });
                } else if (answer.ok) {
                    // conversation:list and sync of the guest's own (empty) list are harmless reads.
                    if (!['conversation:list'].includes(event)) {
                        findings.push({ name, problem: `accepted: ${JSON.stringify(answer).slice(0, 200)}` });
                    }
                } else if (!CHAT_ERROR_CODES.has(answer.error?.code ?? '')) {
                    findings.push({ name, problem: `error code ${answer.error?.code}` });
                }
                if (!socket.connected) {
                    findings.push({ name, problem: 'the socket was closed' });
                }
            }
        }
        // A frame over the 64 KB limit closes the socket (socket.io's maxHttpBufferSize): by design, README.
        socket.emit('message:send', { body: 'x'.repeat(70_000), clientMessageId: 'big' });
        socket.close();
        figures.socket = count + 1;
    });

    it('changed no row, answered everything in time, and found nothing', async () => {
        const after = await fingerprint();
        for (const f of findings.slice(0, 200)) {
            console.log(`[finding] ${f.name.slice(0, 160)} => ${f.problem.slice(0, 300)}`);
        }
        expect({ changed: changedTables(before, after), findings }).toEqual({ changed: [], findings: [] });
        report('8 hostile input', { ...figures, tables: Object.keys(before).length, changedRows: 0 });
    });

    async function runGraphql(
        url: string,
        cases: FuzzCase[],
        headers: Record<string, string>,
    ): Promise<void> {
        figures.graphql += cases.length;
        if (process.env.FUZZ_DIAGNOSE) {
            const byOp = new Map<string, FuzzCase[]>();
            for (const c of cases) {
                const op = c.name.split(':')[0];
                byOp.set(op, [...(byOp.get(op) ?? []), c]);
            }
            for (const [op, group] of byOp) {
                const pre = await fingerprint();
                for (const c of group) {
                    await check(c.name, async () => {
                        const res = await fetch(url, {
                            method: 'POST',
                            headers: { 'content-type': 'application/json', ...headers },
                            body: JSON.stringify(c.body),
                        });
                        return { status: res.status, text: await res.text() };
                    });
                }
                const changed = changedTables(pre, await fingerprint());
                if (changed.length) {
                    console.log(`[diag] ${op} changed ${changed.join(',')}`);
                }
            }
            return;
        }
        // Four at a time: a hang shows as the deadline, not as a slow suite.
        for (let i = 0; i < cases.length; i += 4) {
            await Promise.all(
                cases.slice(i, i + 4).map(c =>
                    check(c.name, async () => {
                        const res = await fetch(url, {
                            method: 'POST',
                            headers: { 'content-type': 'application/json', ...headers },
                            body: JSON.stringify(c.body),
                            signal: AbortSignal.timeout(DEADLINE_MS),
                        });
                        return { status: res.status, text: await res.text() };
                    }),
                ),
            );
        }
    }

    async function rest(method: string, path: string, body?: string, type?: string) {
        const res = await fetch(`${t.baseUrl}${path}`, {
            method,
            redirect: 'manual',
            headers: type ? { 'content-type': type } : {},
            body,
            signal: AbortSignal.timeout(DEADLINE_MS),
        });
        return { status: res.status, text: await res.text() };
    }

    /** Runs one request and records what breaks the promise. */
    async function check(name: string, send: () => Promise<{ status: number; text: string }>): Promise<void> {
        const started = Date.now();
        let answer: { status: number; text: string };
        try {
            answer = await send();
        } catch (e) {
            findings.push({ name, problem: `no answer: ${(e as Error).message}` });
            return;
        }
        figures.slowestMs = Math.max(figures.slowestMs, Date.now() - started);
        if (answer.status >= 500) {
            findings.push({ name, problem: `HTTP ${answer.status}: ${answer.text.slice(0, 300)}` });
            return;
        }
        let json: unknown;
        try {
            json = JSON.parse(answer.text);
        } catch {
            return; // Not JSON: a redirect, a page or a file; the status says it is fine.
        }
        for (const item of Array.isArray(json) ? json : [json]) {
            const errors =
                (item as { errors?: Array<{ message: string; extensions?: { code?: string } }> })?.errors ??
                [];
            for (const err of errors) {
                const code = err.extensions?.code ?? '(none)';
                if (!EXPECTED_ERROR_CODES.has(code)) {
                    findings.push({ name, problem: `error ${code}: ${err.message.slice(0, 200)}` });
                }
            }
        }
    }

    function connect(token: string): Promise<Socket> {
        return connectChat(t.baseUrl, { token });
    }
});

function authenticateCases(): FuzzCase[] {
    const doc = `mutation($input: AuthenticationInput!) { authenticate(input: $input) { __typename ... on ErrorResult { errorCode message } } }`;
    return [
        ...HOSTILE_STRINGS.map(s => ({ phoneNumber: s, code: s })),
        { phoneNumber: 42, code: null },
        { phoneNumber: '09121234567', code: { $ne: '' } },
        { phoneNumber: '09121234567', code: '000000', firstName: 'ی'.repeat(20_000) },
    ].map((smsOtp, i) => ({
        name: `shop authenticate smsOtp #${i}`,
        body: { query: doc, variables: { input: { smsOtp } } },
    }));
}

function deep(depth: number): unknown {
    let v: unknown = 'leaf';
    for (let i = 0; i < depth; i++) {
        v = { conversationId: v };
    }
    return v;
}

function gqlTag(query: string): DocumentNode {
    // SimpleGraphQLClient takes a DocumentNode; these two are fixed strings.
    return parse(query);
}
