/**
 * Scenario 7 of issue 17: SIGTERM to a server process while shoppers check out and chat.
 * Promises: every request the server accepted is answered (no error to that shopper), chat sockets are told to
 * reconnect (`server:shutdown`) and every chat message sent is stored exactly once, and the process exits 0 within
 * the grace period (SHUTDOWN_DRAIN_SECONDS + closing).
 *
 * Two compiled server processes (`node dist/src/server.js`, services profile on PostgreSQL + Redis): the process
 * boundary is the point here (signal, exit code, exit time). The test plays the load balancer: a new connection
 * goes to server A until A refuses it (it stopped listening), then to server B; sockets told to reconnect go to B.
 * The SIGTERM-during-concurrent-requests client is shared with the container smoke test (scripts/ci/drain-load.mjs).
 */
import crypto from 'node:crypto';

import type { Socket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { connectChat } from '../../plugins/support-chat/e2e/chat-fixtures';
import { request, sigtermDuringRequests } from '../../scripts/ci/drain-load.mjs';

import { AppDeployment, AppProcess, createDeployment } from './support/app-process';
import { report } from './support/app-shop';

const DRAIN_SECONDS = 20;
/** Kubernetes' terminationGracePeriodSeconds in k8s/base: drain + closing must fit in it. */
const GRACE_MS = 30_000;

const ADD_ITEM = (variantId: string) => ({
    body: {
        query: `mutation($id: ID!) { addItemToOrder(productVariantId: $id, quantity: 1) { __typename ... on Order { code totalQuantity } ... on ErrorResult { errorCode message } } }`,
        variables: { id: variantId },
    },
    valid: (json: Record<string, unknown>) =>
        (json.data as { addItemToOrder?: { __typename: string } } | undefined)?.addItemToOrder?.__typename ===
        'Order',
});

interface Chatter {
    token: string;
    socket: Socket;
    conversationId?: string;
    sent: Map<string, 'pending' | 'acked'>;
    errors: string[];
    toldToReconnectAt?: number;
    reconnectedAt?: number;
    instances: string[];
}

describe('faults 7: graceful shutdown under load', () => {
    let deployment: AppDeployment;
    let a: AppProcess;
    let b: AppProcess;

    beforeAll(async () => {
        deployment = await createDeployment('shutdown');
        a = await deployment.startServer({ SHUTDOWN_DRAIN_SECONDS: String(DRAIN_SECONDS) });
        b = await deployment.startServer({ SEED_ON_START: 'false' });
    });

    afterAll(async () => {
        await deployment?.close();
    });

    it('answers every accepted request, moves the chat sockets and exits 0 within the grace period', async () => {
        const variants = await variantIds(a.baseUrl);
        // Shoppers with a cart each (their session token), and chatting guests with a socket on A.
        const shoppers = await Promise.all(variants.slice(0, 8).map(v => newCart(a.baseUrl, v)));
        const chatters = await Promise.all(Array.from({ length: 6 }, () => newChatter(a.baseUrl)));

        let stop = false;
        const accepted: Array<{ ok: boolean; on: string; error?: unknown }> = [];
        // The load balancer: A while it accepts connections, then B.
        let target = a.baseUrl;
        const shopLoop = async (s: { token: string; variantId: string }) => {
            while (!stop) {
                let outcome = await request(`${target}/shop-api`, ADD_ITEM(s.variantId), {
                    authorization: `Bearer ${s.token}`,
                });
                if (!outcome.connected) {
                    target = b.baseUrl;
                    outcome = await request(`${target}/shop-api`, ADD_ITEM(s.variantId), {
                        authorization: `Bearer ${s.token}`,
                    });
                }
                accepted.push({
                    ok: !!outcome.valid,
                    on: target,
                    error: outcome.valid ? undefined : outcome,
                });
                await sleep(50);
            }
        };
        const chatLoop = async (c: Chatter) => {
            while (!stop) {
                void sendChat(c);
                await sleep(1100);
            }
        };
        const loops = [...shoppers.map(shopLoop), ...chatters.map(chatLoop)];
        await sleep(1500);

        // SIGTERM while 20 Shop API requests are in flight on A (the same client as the container smoke test).
        const drain = await sigtermDuringRequests(a.baseUrl, a.pid, 20);
        const exit = await Promise.race([a.exited, sleep(GRACE_MS + 5_000).then(() => undefined)]);
        // Traffic goes on at B for a moment after A is gone, then stops.
        await sleep(1500);
        stop = true;
        await Promise.all(loops);
        await waitUntil(() => chatters.every(c => [...c.sent.values()].every(s => s === 'acked')), 15_000);

        expect(exit, `A did not exit within the grace period:\n${a.log().slice(-2000)}`).toBeDefined();
        expect(exit!.code).toBe(0);
        const exitMs = exit!.at - drain.signalledAt;
        expect(exitMs).toBeLessThan(GRACE_MS);

        // Accepted requests: all answered, on A during its drain and on B after.
        expect(drain.lost).toEqual([]);
        expect(drain.answered).toBeGreaterThan(0);
        expect(accepted.filter(r => !r.ok)).toEqual([]);
        expect(accepted.some(r => r.on === b.baseUrl)).toBe(true);

        // Sockets: told to reconnect, reconnected to B, no message lost, none stored twice, no error answer.
        for (const c of chatters) {
            expect(c.toldToReconnectAt).toBeDefined();
            expect(c.reconnectedAt).toBeDefined();
            expect(c.instances).toEqual([a.baseUrl, b.baseUrl]);
            expect(c.errors, errorLines()).toEqual([]);
            const stored = await history(c);
            const ids = stored.map(m => m.clientMessageId);
            expect(new Set(ids).size).toBe(ids.length);
            expect(new Set(ids)).toEqual(new Set(c.sent.keys()));
        }
        expect(a.log()).toContain('told to reconnect elsewhere');

        const reconnectMs = Math.max(...chatters.map(c => c.reconnectedAt! - c.toldToReconnectAt!));
        report('7 graceful shutdown', {
            inFlightAtSigterm: 20,
            answeredAfterSigterm: drain.answered,
            refusedBeforeAcceptance: drain.refused,
            acceptedAndLost: drain.lost.length,
            lastAnswerMsAfterSigterm: drain.lastAnswerMs,
            checkoutRequests: accepted.length,
            checkoutErrors: accepted.filter(r => !r.ok).length,
            chatMessages: chatters.reduce((n, c) => n + c.sent.size, 0),
            chatSocketsMoved: chatters.length,
            slowestSocketReconnectMs: reconnectMs,
            exitCode: exit!.code,
            exitMsAfterSigterm: exitMs,
        });

        async function sendChat(c: Chatter, clientMessageId: string = crypto.randomUUID()): Promise<void> {
            c.sent.set(clientMessageId, 'pending');
            const socket = c.socket;
            try {
                const answer = (await socket.timeout(10_000).emitWithAck('message:send', {
                    conversationId: c.conversationId,
                    clientMessageId,
                    body: `پیام ${clientMessageId.slice(0, 8)}`,
                })) as { ok: boolean; error?: { code: string } };
                if (answer.ok) {
                    c.sent.set(clientMessageId, 'acked');
                } else {
                    c.errors.push(answer.error?.code ?? 'unknown');
                }
            } catch {
                // No answer: the socket was closed before it came. Sent again after reconnecting (idempotent).
            }
        }

        async function newChatter(baseUrl: string): Promise<Chatter> {
            const token = (await newCart(baseUrl, variants[0])).token;
            const c: Chatter = {
                token,
                socket: await connect(baseUrl, token),
                sent: new Map(),
                errors: [],
                instances: [baseUrl],
            };
            const started = (await c.socket.emitWithAck('conversation:start', {})) as {
                data: { conversation: { id: string } };
            };
            c.conversationId = started.data.conversation.id;
            watch(c);
            return c;
        }

        function watch(c: Chatter): void {
            c.socket.on('server:shutdown', () => (c.toldToReconnectAt ??= Date.now()));
            c.socket.on('disconnect', reason => {
                if (reason !== 'io server disconnect') {
                    return;
                }
                // What the widget does: reconnect (the load balancer now sends it to B), then send the
                // unacknowledged messages again with the same clientMessageId.
                void connect(b.baseUrl, c.token).then(socket => {
                    c.socket = socket;
                    c.reconnectedAt = Date.now();
                    c.instances.push(b.baseUrl);
                    for (const [id, state] of c.sent) {
                        if (state === 'pending') {
                            void sendChat(c, id);
                        }
                    }
                });
            });
        }
    });

    /** The servers' error log lines, to say why a chat message was refused. */
    function errorLines(): string {
        return [a, b]
            .flatMap(p => p.log().split('\n'))
            .filter(l => l.includes('"level":"error"'))
            .map(l => l.slice(0, 600))
            .join('\n');
    }

    async function history(c: Chatter): Promise<Array<{ clientMessageId: string }>> {
        const sync = (await c.socket.emitWithAck('conversation:sync', {
            conversationId: c.conversationId,
            afterSeq: 0,
        })) as { ok: boolean; data: { messages: Array<{ clientMessageId: string }> } };
        expect(sync.ok).toBe(true);
        return sync.data.messages;
    }
});

function connect(baseUrl: string, token: string): Promise<Socket> {
    return connectChat(baseUrl, { token });
}

async function gql<T>(baseUrl: string, query: string, variables = {}, token?: string) {
    const res = await fetch(`${baseUrl}/shop-api`, {
        method: 'POST',
        headers: {
            'content-type': 'application/json',
            ...(token ? { authorization: `Bearer ${token}` } : {}),
        },
        body: JSON.stringify({ query, variables }),
    });
    const body = (await res.json()) as { data: T };
    return { data: body.data, token: res.headers.get('vendure-auth-token') ?? token };
}

async function variantIds(baseUrl: string): Promise<string[]> {
    const { data } = await gql<{ products: { items: Array<{ variants: Array<{ id: string }> }> } }>(
        baseUrl,
        '{ products(options: { take: 10, sort: { id: ASC } }) { items { variants { id } } } }',
    );
    return data.products.items.map(p => p.variants[0].id);
}

/** A shopper's first addItemToOrder: the answer carries their new session token. */
async function newCart(baseUrl: string, variantId: string): Promise<{ token: string; variantId: string }> {
    const { token } = await gql(baseUrl, ADD_ITEM(variantId).body.query, { id: variantId });
    if (!token) {
        throw new Error('no session token');
    }
    return { token, variantId };
}

function sleep(ms: number): Promise<void> {
    return new Promise(resolve => setTimeout(resolve, ms));
}

async function waitUntil(done: () => boolean, ms: number): Promise<void> {
    const deadline = Date.now() + ms;
    while (!done() && Date.now() < deadline) {
        await sleep(100);
    }
}
