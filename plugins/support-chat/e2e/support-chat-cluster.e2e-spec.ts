import { SimpleGraphQLClient } from '@vendure/testing';
import { ConfigService, VendureConfig } from '@vendure/core';
import gql from 'graphql-tag';
import type { Socket } from 'socket.io-client';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';

import { RunningServer } from '../../../src/bootstrap';
import { createTestShop, startSecondInstance, TestShop } from '../../../src/testing/test-shop';

import {
    ack,
    cid,
    connectChat,
    createShopper,
    createStaff,
    NewMessage,
    nextEvent,
    SendData,
    SyncData,
    withChatOptions,
} from './chat-fixtures';

const CHAT_OPTIONS = {
    socketRateLimit: { limit: 5, windowSeconds: 3600 },
    shopperRateLimit: { limit: 8, windowSeconds: 3600 },
};

const clustered = !!process.env.DATABASE_URL && !!process.env.REDIS_URL;

/**
 * Two server instances on one PostgreSQL database and one Redis (same REDIS_PREFIX), as two pods behind a load
 * balancer would be: sockets on one instance get what is sent on the other only through the Redis adapter.
 */
describe.runIf(clustered)('Support chat across two server instances (PostgreSQL + Redis)', () => {
    let t: TestShop;
    let second: RunningServer;
    let secondUrl: string;
    const sockets: Socket[] = [];

    async function connect(baseUrl: string, token: string): Promise<Socket> {
        const s = await connectChat(baseUrl, { token });
        sockets.push(s);
        return s;
    }

    beforeAll(async () => {
        t = await createTestShop({ seed: false, adjustConfig: withChatOptions(CHAT_OPTIONS) });
        const instance = await startSecondInstance(t, withChatOptions(CHAT_OPTIONS));
        second = instance.server;
        secondUrl = instance.baseUrl;
        expect(second.port).not.toBe(Number(new URL(t.baseUrl).port));
    });

    afterEach(() => {
        while (sockets.length) {
            sockets.pop()?.close();
        }
    });

    afterAll(async () => {
        await second?.close();
        await t?.close();
    });

    it('delivers messages and typing between a shopper on one instance and staff on the other', async () => {
        const staff = await createStaff(t, 'Ali');
        const shopper = await createShopper(t);
        const a = await connect(t.baseUrl, staff.token);
        const s = await connect(secondUrl, shopper.token);

        const atStaff = nextEvent<NewMessage>(a, 'message:new', p => p.message.body === 'from instance 2');
        const sent = await ack<SendData>(s, 'message:send', {
            clientMessageId: cid(),
            body: 'from instance 2',
        });
        if (!sent.ok) throw new Error(sent.error.code);
        const conversationId = sent.data.conversation.id;
        expect((await atStaff).message.seq).toBe(1);
        // Staff presence is read across instances: the only online staff member (on instance 1) gets it.
        expect(sent.data.conversation.assigneeId ?? (await assigneeOf(t, conversationId))).toBe(staff.id);

        const typing = nextEvent<{ side: string }>(s, 'typing', p => p.side === 'staff');
        await ack(a, 'typing', { conversationId, typing: true });
        await typing;

        const atShopper = nextEvent<NewMessage>(s, 'message:new', p => p.message.senderType === 'staff');
        await ack(a, 'message:send', { conversationId, clientMessageId: cid(), body: 'from instance 1' });
        expect((await atShopper).message).toMatchObject({ seq: 2, body: 'from instance 1' });
    });

    it('closes the sockets of a user who logs out on the other instance', async () => {
        const shopper = await createShopper(t);
        const there = await connect(secondUrl, shopper.token);
        const reason = nextEvent<{ reason: string }>(there, 'session:ended');
        const closed = new Promise(resolve => there.once('disconnect', resolve));
        await shopper.client.query(gql`
            mutation {
                logout {
                    success
                }
            }
        `);
        expect(await reason).toEqual({ reason: 'LOGGED_OUT' });
        await closed;
    });

    it('pushes a message sent over the GraphQL API of one instance to sockets on the other', async () => {
        const shopper = await createShopper(t);
        const staff = await createStaff(t, 'Bita');
        const a = await connect(secondUrl, staff.token);
        const pushed = nextEvent<NewMessage>(a, 'message:new', p => p.message.body === 'over http on 1');
        const { sendSupportMessage } = await shopper.client.query(gql`
            mutation {
                sendSupportMessage(input: { clientMessageId: "http-1", body: "over http on 1" }) {
                    __typename
                }
            }
        `);
        expect(sendSupportMessage.__typename).toBe('SendSupportMessageSuccess');
        await pushed;
    });

    it('catches up from the database after moving to the other instance, and shares the shopper limit', async () => {
        const staff = await createStaff(t, 'Cyrus');
        const shopper = await createShopper(t);
        const a = await connect(secondUrl, staff.token);
        const s1 = await connect(t.baseUrl, shopper.token);
        const results: string[] = [];
        let conversationId = '';
        for (let i = 0; i < 5; i++) {
            const r = await ack<SendData>(s1, 'message:send', { clientMessageId: cid(), body: `m${i}` });
            results.push(r.ok ? 'ok' : r.error.code);
            conversationId = r.ok ? r.data.conversation.id : conversationId;
        }
        s1.close();
        await ack(a, 'message:send', { conversationId, clientMessageId: cid(), body: 'missed' });
        const s2 = await connect(secondUrl, shopper.token);
        const sync = await ack<SyncData>(s2, 'conversation:sync', { conversationId, afterSeq: 5 });
        expect(sync.ok && sync.data.messages.map(m => [m.seq, m.body])).toEqual([[6, 'missed']]);
        for (let i = 0; i < 4; i++) {
            const r = await ack(s2, 'message:send', { clientMessageId: cid(), body: `n${i}` });
            results.push(r.ok ? 'ok' : r.error.code);
        }
        // 8 per shopper, counted in Redis over both instances.
        expect(results).toEqual(['ok', 'ok', 'ok', 'ok', 'ok', 'ok', 'ok', 'ok', 'RATE_LIMITED']);
    });
});

describe.skipIf(clustered)('Support chat across two server instances', () => {
    it.skip('needs DATABASE_URL and REDIS_URL: instances share sockets only through Redis, and SQLite allows one process', () => {});
});

async function assigneeOf(t: TestShop, id: string): Promise<string | null> {
    const admin = new SimpleGraphQLClient(
        t.server.app.get(ConfigService) as unknown as Required<VendureConfig>,
        `${t.baseUrl}/admin-api`,
    );
    await admin.asSuperAdmin();
    const { supportConversation } = await admin.query(
        gql`
            query ($id: ID!) {
                supportConversation(id: $id) {
                    assigneeId
                }
            }
        `,
        { id },
    );
    return supportConversation.assigneeId;
}
