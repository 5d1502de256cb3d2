import fs from 'node:fs';
import path from 'node:path';
import crypto from 'node:crypto';

import { io, Socket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { ACTIVE_ORDER, ADD_ITEM, assertOk } from '../../src/testing/checkout-helpers';
import { postGraphQL } from '../../src/testing/graphql-http';

import { FaultShop, shopClient, ShopProcess, waitFor } from './support/fault-shop';
import { recordFigures, since } from './support/figures';
import { OwnRedis } from './support/redis-server';
import { adminClient, firstVariantIds } from './support/shop-flows';

/**
 * Scenario 4 of issue 17: the Redis of jobs, cache, sessions, rate-limit counters and chat fan-out crashes
 * (SIGKILL of the test's own redis-server, AOF on, as docs/disaster-recovery.md prescribes) and restarts on the same
 * files, with two servers and the worker on it. Promise: jobs accepted before are done once after; a shopper's
 * session and cart survive; rate-limit counters keep counting (a network at its limit stays refused); chat sockets
 * get every message sent around the restart, live or by the documented catch-up after a reconnect.
 */

const REGISTER = `mutation ($input: RegisterCustomerInput!) { registerCustomerAccount(input: $input) { __typename } }`;
const REGISTER_LIMIT = 3;

type Ack<T> = { ok: true; data: T } | { ok: false; error: { code: string; message: string } };
interface ChatMessage {
    seq: number;
    body: string;
}

function connect(baseUrl: string, token: string): Socket {
    return io(`${baseUrl}/chat`, {
        auth: { token },
        transports: ['websocket'],
        forceNew: true,
        reconnection: true,
        reconnectionDelay: 200,
        reconnectionDelayMax: 1000,
    });
}

function ack<T>(socket: Socket, event: string, payload: unknown): Promise<Ack<T>> {
    return socket.timeout(5000).emitWithAck(event, payload) as Promise<Ack<T>>;
}

/**
 * A chat client that follows the documented protocol (plugins/support-chat/README.md, "Reconnecting"): it keeps
 * what `message:new` brings and, after every reconnect, syncs from the highest seq up to which it holds every
 * message. It never syncs otherwise, so what it holds is what a real widget would show.
 */
class FollowingClient {
    readonly messages = new Map<number, string>();
    reconnects = 0;

    constructor(
        readonly socket: Socket,
        private readonly conversationId: string,
    ) {
        socket.on('message:new', (event: { conversationId: string; message: ChatMessage }) => {
            if (String(event.conversationId) === conversationId) {
                this.messages.set(event.message.seq, event.message.body);
            }
        });
        // After every reconnect (not the first connect, which comes before this client is made).
        socket.on('connect', () => {
            this.reconnects += 1;
            void this.catchUp();
        });
    }

    private contiguous(): number {
        let seq = 0;
        while (this.messages.has(seq + 1)) {
            seq += 1;
        }
        return seq;
    }

    async catchUp(): Promise<void> {
        for (;;) {
            const answer = await ack<{ messages: ChatMessage[]; hasMore: boolean }>(
                this.socket,
                'conversation:sync',
                {
                    conversationId: this.conversationId,
                    afterSeq: this.contiguous(),
                },
            ).catch(() => undefined);
            if (!answer?.ok) {
                return;
            }
            answer.data.messages.forEach(m => this.messages.set(m.seq, m.body));
            if (!answer.data.hasMore) {
                return;
            }
        }
    }

    bodies(): string[] {
        return [...this.messages.values()];
    }
}

describe('Redis restarted: queued jobs done once, sessions and counters kept, chat catches up', () => {
    const redis = new OwnRedis();
    let shop: FaultShop;
    let serverA: ShopProcess;
    let serverB: ShopProcess;
    const sockets: Socket[] = [];

    beforeAll(async () => {
        await redis.start();
        shop = new FaultShop({
            name: 'redis',
            redisUrl: redis.url,
            env: { RATE_LIMIT_REGISTER: `${REGISTER_LIMIT}/1h` },
        });
        serverA = await shop.start();
        serverB = await shop.startServer();
    });

    afterAll(async () => {
        sockets.forEach(s => s.close());
        await shop?.close();
        await redis.close();
    });

    function emailsTo(recipient: string): number {
        if (!fs.existsSync(shop.emailDir)) {
            return 0;
        }
        return fs.readdirSync(shop.emailDir).filter(file => {
            try {
                const mail = JSON.parse(fs.readFileSync(path.join(shop.emailDir, file), 'utf8')) as {
                    recipient: string;
                };
                return mail.recipient === recipient;
            } catch {
                return false;
            }
        }).length;
    }

    async function register(baseUrl: string, email: string) {
        return postGraphQL(`${baseUrl}/shop-api`, REGISTER, {
            input: { emailAddress: email, firstName: 'Reza', lastName: 'Tehrani', password: 'password-123' },
        });
    }

    it('crash and restart of Redis under two servers, with jobs waiting and chat open', async () => {
        // A shopper's session with a cart.
        const shopper = shopClient(serverA.baseUrl);
        const [variantId] = await firstVariantIds(shopper);
        assertOk(
            (await shopper.query(ADD_ITEM, { variantId, quantity: 2 })).addItemToOrder,
            'addItemToOrder',
        );
        const { activeOrder: cart } = await shopper.query(ACTIVE_ORDER);

        // Jobs accepted while no worker runs: a verification email per registration (until the limit refuses).
        const run = crypto.randomBytes(3).toString('hex');
        const registered: string[] = [];
        for (let i = 0; i < REGISTER_LIMIT; i++) {
            const email = `redis-${run}-${i}@example.ir`;
            const answer = await register(i % 2 ? serverB.baseUrl : serverA.baseUrl, email);
            expect(answer.body.data?.registerCustomerAccount).toEqual({ __typename: 'Success' });
            registered.push(email);
        }
        const refusedBefore = await register(serverA.baseUrl, `redis-${run}-over@example.ir`);
        expect(refusedBefore.body.errors?.[0]?.extensions?.code).toBe('RATE_LIMITED');

        // Chat: the shopper on server A, staff on server B (messages cross servers through Redis).
        const admin = await adminClient(serverA.baseUrl);
        const staff = connect(serverB.baseUrl, admin.getAuthToken());
        const guest = connect(serverA.baseUrl, shopper.getAuthToken());
        sockets.push(staff, guest);
        await Promise.all(
            [staff, guest].map(s => new Promise<void>(resolve => s.once('connect', () => resolve()))),
        );
        const started = await ack<{ conversation: { id: string } }>(guest, 'conversation:start', {});
        if (!started.ok) {
            throw new Error(`conversation:start: ${started.error.code}`);
        }
        const conversationId = String(started.data.conversation.id);
        const follower = new FollowingClient(guest, conversationId);
        const sent: string[] = [];
        const refusedTries: Record<string, number> = {};
        const staffSend = async (body: string, deadlineMs: number) => {
            const clientMessageId = crypto.randomUUID();
            refusedTries[body] = 0;
            // The same clientMessageId on every try: a re-send is answered with the stored message.
            await waitFor(
                async () => {
                    const answer = await ack(staff, 'message:send', {
                        conversationId,
                        clientMessageId,
                        body,
                    }).catch(() => undefined);
                    if (!answer?.ok) {
                        refusedTries[body] += 1;
                    }
                    return answer?.ok;
                },
                deadlineMs,
                `staff message "${body}"`,
            );
            sent.push(body);
        };
        const first = await ack(guest, 'message:send', {
            conversationId,
            clientMessageId: crypto.randomUUID(),
            body: 'سلام',
        });
        expect(first.ok).toBe(true);
        sent.push('سلام');
        await staffSend('before the restart', 10_000);
        await waitFor(
            async () => follower.bodies().includes('before the restart'),
            10_000,
            'the live message',
        );

        // Redis crashes; staff keeps answering while it is down and after it is back.
        const crashedAt = performance.now();
        await redis.crash();
        const duringOutage = staffSend('while Redis is down', 30_000);
        await new Promise(r => setTimeout(r, 3000));
        await redis.start();
        const redisBackMs = since(crashedAt);
        await duringOutage;
        await staffSend('after the restart', 30_000);

        // Every message reaches the shopper, live or by the catch-up after a reconnect.
        await waitFor(
            async () => sent.every(body => follower.bodies().includes(body)),
            30_000,
            'the shopper to hold every message',
        ).catch(e => {
            throw new Error(
                `${(e as Error).message}: holds ${JSON.stringify(follower.bodies())}, sent ${JSON.stringify(sent)}`,
            );
        });
        const chatCaughtUpMs = since(crashedAt);
        expect(follower.bodies().filter(b => b === 'while Redis is down')).toHaveLength(1);

        // The session and its cart survived (read through both servers).
        expect((await shopper.query(ACTIVE_ORDER)).activeOrder).toMatchObject({ code: cart.code });
        Reflect.set(shopper, 'apiUrl', `${serverB.baseUrl}/shop-api`);
        expect((await shopper.query(ACTIVE_ORDER)).activeOrder).toMatchObject({ code: cart.code });

        // The counters survived: the network at its limit is still refused, on either server.
        const refusedAfter = await register(serverB.baseUrl, `redis-${run}-over2@example.ir`);
        expect(refusedAfter.body.errors?.[0]?.extensions?.code).toBe('RATE_LIMITED');

        // The jobs accepted before the crash run once each when a worker starts.
        expect(registered.map(emailsTo)).toEqual([0, 0, 0]);
        const workerStart = performance.now();
        await shop.startWorker();
        await waitFor(async () => registered.every(e => emailsTo(e) > 0), 60_000, 'the verification emails');
        const jobsDoneMs = since(workerStart);
        await new Promise(r => setTimeout(r, 3000));
        expect(registered.map(emailsTo)).toEqual([1, 1, 1]);

        recordFigures('4-redis-restart', {
            jobsAcceptedBefore: registered.length,
            jobsDoneOnce: registered.filter(e => emailsTo(e) === 1).length,
            redisDownMs: redisBackMs,
            chatMessagesSent: sent.length,
            chatMessagesHeld: sent.filter(b => follower.bodies().includes(b)).length,
            chatReconnects: follower.reconnects,
            chatSendTriesRefusedWhileDown: refusedTries['while Redis is down'],
            chatCaughtUpAfterCrashMs: chatCaughtUpMs,
            sessionKept: true,
            rateLimitKept: true,
            jobsDoneAfterWorkerStartMs: jobsDoneMs,
        });
    });
});
