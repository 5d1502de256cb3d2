import { EventBus } from '@vendure/core';
import gql from 'graphql-tag';
import type { Socket } from 'socket.io-client';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';

import { STAFF_PASSWORD } from '../../../src/testing/admin-staff';
import { sentEmails } from '../../../src/testing/mailbox';
import { createTestShop, TestShop, testProfile, waitFor } from '../../../src/testing/test-shop';
import type { ConversationPayload } from '../service/support-chat.service';
import { SupportChatService, SupportChatUnreadReplyEvent } from '../service/support-chat.service';
import { UnreadReplyNotice } from '../types';

import {
    ack,
    cid,
    collect,
    connectChat,
    createGuest,
    createShopper,
    createStaff,
    NewMessage,
    nextEvent,
    SendData,
    SHOP_CONVERSATIONS,
    SyncData,
    withChatOptions,
} from './chat-fixtures';

interface Updated {
    conversation: ConversationPayload;
}

describe(`Support chat over socket.io (${testProfile()})`, () => {
    let t: TestShop;
    let staffA: Awaited<ReturnType<typeof createStaff>>;
    let staffB: Awaited<ReturnType<typeof createStaff>>;
    const sockets: Socket[] = [];

    async function connect(token: string | undefined, extra?: { presence?: string }): Promise<Socket> {
        const s = await connectChat(t.baseUrl, token === undefined ? undefined : { token, ...extra });
        sockets.push(s);
        return s;
    }

    beforeAll(async () => {
        t = await createTestShop({
            seed: false,
            adjustConfig: withChatOptions({
                socketRateLimit: { limit: 5, windowSeconds: 3600 },
                shopperRateLimit: { limit: 8, windowSeconds: 3600 },
                maxOpenConversationsPerShopper: 2,
                unreadNotifyAfterSeconds: 0,
                staffRecheckSeconds: 1,
            }),
        });
        staffA = await createStaff(t, 'Ali');
        staffB = await createStaff(t, 'Bita');
    });

    afterEach(() => {
        while (sockets.length) {
            sockets.pop()?.close();
        }
    });

    afterAll(async () => {
        await t?.close();
    });

    describe('refusals at connect', () => {
        it('refuses a socket without a token, with a made-up token, or of an administrator without ManageSupportChat', async () => {
            await expect(connect(undefined)).rejects.toThrow('UNAUTHORIZED');
            await expect(connect('not-a-real-session-token')).rejects.toThrow('UNAUTHORIZED');
            const clerk = await createStaff(t, 'Clerk', ['ReadCatalog']);
            await expect(connect(clerk.token)).rejects.toThrow('UNAUTHORIZED');
        });

        it('refuses a session that has ended (logged out)', async () => {
            const shopper = await createShopper(t);
            const s = await connect(shopper.token);
            s.close();
            await shopper.client.query(gql`
                mutation {
                    logout {
                        success
                    }
                }
            `);
            await expect(connect(shopper.token)).rejects.toThrow('UNAUTHORIZED');
        });

        /** The `name` and `name.sig` cookies a browser would keep after `body` is posted to `api`. */
        async function sessionCookies(api: 'shop-api' | 'admin-api', body: object): Promise<string[]> {
            const res = await fetch(`${t.baseUrl}/${api}`, {
                method: 'POST',
                headers: { 'content-type': 'application/json' },
                body: JSON.stringify(body),
            });
            return res.headers.getSetCookie().map(c => c.split(';')[0]);
        }
        const FOREIGN = 'http://evil.localhost:8080';

        it('accepts the signed session cookie instead of a bearer token, from an allowed origin', async () => {
            const cookies = await sessionCookies('shop-api', { query: '{ supportConversations { id } }' });
            expect(cookies.some(c => c.startsWith('session.sig='))).toBe(true);
            const cookie = cookies.join('; ');
            const s = await connectChat(t.baseUrl, undefined, { cookie, origin: t.baseUrl });
            sockets.push(s);
            const list = await ack<{ conversations: unknown[] }>(s, 'conversation:list');
            expect(list).toEqual({ ok: true, data: { conversations: [] } });
            // A forged cookie (valid shape, wrong signature) is refused.
            const forged = cookies.map(c => (c.startsWith('session.sig=') ? 'session.sig=AAAA' : c));
            await expect(
                connectChat(t.baseUrl, undefined, { cookie: forged.join('; '), origin: t.baseUrl }),
            ).rejects.toThrow('UNAUTHORIZED');
            // The shop's cookie from another site's page, or with no Origin at all, is refused.
            await expect(connectChat(t.baseUrl, undefined, { cookie, origin: FOREIGN })).rejects.toThrow(
                'ORIGIN_NOT_ALLOWED',
            );
            await expect(connectChat(t.baseUrl, undefined, { cookie })).rejects.toThrow('ORIGIN_NOT_ALLOWED');
        });

        it("refuses an administrator's session cookie from another site's page (cross-site WebSocket hijacking)", async () => {
            const staff = await createStaff(t, 'Cookie');
            const cookies = await sessionCookies('admin-api', {
                query: 'mutation ($u: String!, $p: String!) { login(username: $u, password: $p) { __typename } }',
                variables: { u: staff.email, p: STAFF_PASSWORD },
            });
            expect(cookies.some(c => c.startsWith('admin-session.sig='))).toBe(true);
            const cookie = cookies.join('; ');
            const refused = connectChat(t.baseUrl, undefined, { cookie, origin: FOREIGN });
            await expect(refused).rejects.toThrow('ORIGIN_NOT_ALLOWED');
            // A look-alike of the allowed origin is another origin.
            await expect(
                connectChat(t.baseUrl, undefined, { cookie, origin: `${t.baseUrl}.evil.localhost` }),
            ).rejects.toThrow('ORIGIN_NOT_ALLOWED');

            const s = await connectChat(t.baseUrl, undefined, { cookie, origin: t.baseUrl });
            sockets.push(s);
            expect(await ack(s, 'conversation:list')).toMatchObject({ ok: true });
        });

        it('accepts a bearer token whatever the origin (the page had to hold the token)', async () => {
            const staff = await createStaff(t, 'Bearer');
            const s = await connectChat(t.baseUrl, { token: staff.token }, { origin: FOREIGN });
            sockets.push(s);
            expect(await ack(s, 'conversation:list')).toMatchObject({ ok: true });
            const shopper = await createShopper(t);
            const c = await connectChat(t.baseUrl, { token: shopper.token }, { origin: FOREIGN });
            sockets.push(c);
            expect(await ack(c, 'conversation:list')).toEqual({ ok: true, data: { conversations: [] } });
        });
    });

    describe('closing sockets whose session or permission ended', () => {
        const LOGOUT = gql`
            mutation {
                logout {
                    success
                }
            }
        `;
        /** Resolves with the reason the server gave once it has closed the socket. */
        function ended(socket: Socket): Promise<string> {
            const reason = nextEvent<{ reason: string }>(socket, 'session:ended');
            const closed = new Promise<string>(resolve => socket.once('disconnect', resolve));
            return Promise.all([reason, closed]).then(([r, how]) => {
                expect(how).toBe('io server disconnect');
                return r.reason;
            });
        }

        it("closes every socket of a user who logs out, staff's and customers' alike", async () => {
            const staff = await createStaff(t, 'Dara');
            const staffSockets = [await connect(staff.token), await connect(staff.token)];
            const staffEnded = staffSockets.map(ended);
            await staff.client.query(LOGOUT);
            expect(await Promise.all(staffEnded)).toEqual(['LOGGED_OUT', 'LOGGED_OUT']);

            const shopper = await createShopper(t);
            const shopperEnded = ended(await connect(shopper.token));
            const bystander = await connect((await createShopper(t)).token);
            await shopper.client.query(LOGOUT);
            expect(await shopperEnded).toBe('LOGGED_OUT');
            expect(bystander.connected).toBe(true);
        });

        it('closes a staff socket once its permission is revoked or its administrator deleted', async () => {
            const revoked = await createStaff(t, 'Elham');
            const revokedEnded = ended(await connect(revoked.token));
            await t.admin.query(
                gql`
                    mutation ($id: ID!) {
                        updateRole(input: { id: $id, permissions: [ReadCatalog] }) {
                            id
                        }
                    }
                `,
                { id: revoked.roleId },
            );
            expect(await revokedEnded).toBe('NOT_ALLOWED');

            const deleted = await createStaff(t, 'Farid');
            const deletedEnded = ended(await connect(deleted.token));
            const stays = await connect(staffA.token);
            await t.admin.query(
                gql`
                    mutation ($id: ID!) {
                        deleteAdministrator(id: $id) {
                            result
                        }
                    }
                `,
                { id: deleted.id },
            );
            expect(await deletedEnded).toBe('NOT_ALLOWED');
            await new Promise(resolve => setTimeout(resolve, 1_500));
            expect(stays.connected).toBe(true);
        });
    });

    describe('a conversation', () => {
        it('delivers shopper and staff messages both ways, auto-assigns, and keeps HTML as the same text', async () => {
            const a = await connect(staffA.token);
            const b = await connect(staffB.token, { presence: 'away' });
            const shopper = await createShopper(t);
            const s = await connect(shopper.token);

            const html = `<script>alert("x")</script><b>سلام</b> & "quotes"`;
            const atStaffA = nextEvent<NewMessage>(a, 'message:new', p => p.message.body === html);
            const atStaffB = nextEvent<NewMessage>(b, 'message:new', p => p.message.body === html);
            const assigned = nextEvent<Updated>(
                a,
                'conversation:updated',
                p => p.conversation.assigneeId === staffA.id,
            );
            const sent = await ack<SendData>(s, 'message:send', {
                clientMessageId: cid(),
                body: `  ${html}\n`,
            });
            expect(sent.ok).toBe(true);
            if (!sent.ok) return;
            expect(sent.data.message).toMatchObject({
                seq: 1,
                body: html,
                senderType: 'customer',
                senderId: shopper.id,
            });
            expect((await atStaffA).message.body).toBe(html);
            // The event carries the conversation's new counters: the queue's unread count needs nothing else.
            expect((await atStaffB).message.seq).toBe(1);
            expect((await atStaffB).conversation).toMatchObject({
                id: sent.data.conversation.id,
                lastSeq: 1,
                unreadByStaff: 1,
                status: 'open',
            });
            // B is away: the conversation goes to A, the only online staff member.
            const conversationId = sent.data.conversation.id;
            expect((await assigned).conversation.id).toBe(conversationId);

            const atShopper = nextEvent<NewMessage>(s, 'message:new', p => p.message.senderType === 'staff');
            const reply = await ack<SendData>(a, 'message:send', {
                conversationId,
                clientMessageId: cid(),
                body: 'درود! <i>چطور کمک کنم؟</i>',
            });
            expect(reply.ok && reply.data.message.seq).toBe(2);
            const got = await atShopper;
            expect(got.message).toMatchObject({
                seq: 2,
                body: 'درود! <i>چطور کمک کنم؟</i>',
                senderId: staffA.id,
            });
            expect(got.conversationId).toBe(conversationId);
        });

        it('relays typing to the other side and not back to the typist', async () => {
            const a = await connect(staffA.token);
            const shopper = await createShopper(t);
            const s = await connect(shopper.token);
            const sent = await ack<SendData>(s, 'message:send', { clientMessageId: cid(), body: 'hi' });
            if (!sent.ok) throw new Error('send failed');
            const conversationId = sent.data.conversation.id;
            const ownTyping = collect(s, 'typing');
            const atStaff = nextEvent<{ typing: boolean; side: string }>(a, 'typing', p => p.typing);
            await ack(s, 'typing', { conversationId, typing: true });
            expect(await atStaff).toMatchObject({ conversationId, typing: true, side: 'shopper' });
            const atShopper = nextEvent<{ side: string; name: string }>(s, 'typing', p => p.side === 'staff');
            await ack(a, 'typing', { conversationId, typing: true });
            expect((await atShopper).name).toBe('Ali Staff');
            expect(ownTyping.every(p => (p as { side: string }).side === 'staff')).toBe(true);
        });

        it('counts unread messages per side and sends read receipts', async () => {
            const a = await connect(staffA.token);
            const shopper = await createShopper(t);
            const s = await connect(shopper.token);
            let conversationId = '';
            for (const body of ['one', 'two', 'three']) {
                const r = await ack<SendData>(s, 'message:send', { clientMessageId: cid(), body });
                if (!r.ok) throw new Error(r.error.code);
                conversationId = r.data.conversation.id;
                expect(r.data.conversation.unreadByStaff).toBe(r.data.message.seq);
            }
            const receipt = nextEvent<{ side: string; seq: number }>(
                s,
                'conversation:read',
                p => p.side === 'staff',
            );
            const read = await ack<{ conversation: ConversationPayload }>(a, 'read', {
                conversationId,
                seq: 2,
            });
            expect(read.ok && read.data.conversation).toMatchObject({
                unreadByStaff: 1,
                lastReadSeqStaff: 2,
            });
            expect(await receipt).toMatchObject({ conversationId, seq: 2 });

            await ack(a, 'message:send', { conversationId, clientMessageId: cid(), body: 'answer' });
            const { supportConversations } = await shopper.client.query(SHOP_CONVERSATIONS);
            expect(supportConversations[0]).toMatchObject({
                id: conversationId,
                unreadByShopper: 1,
                lastSeq: 4,
            });
            const shopperRead = await ack<{ conversation: ConversationPayload }>(s, 'read', {
                conversationId,
                seq: 4,
            });
            expect(shopperRead.ok && shopperRead.data.conversation.unreadByShopper).toBe(0);
        });

        it('stores a re-sent message once and answers the re-send with the stored one', async () => {
            const shopper = await createShopper(t);
            const s = await connect(shopper.token);
            const clientMessageId = cid();
            const first = await ack<SendData>(s, 'message:send', { clientMessageId, body: 'only once' });
            const again = await ack<SendData>(s, 'message:send', { clientMessageId, body: 'only once' });
            expect(first.ok && first.data.duplicate).toBe(false);
            expect(again.ok && again.data).toMatchObject({
                duplicate: true,
                message: { seq: 1, id: first.ok && first.data.message.id },
            });
            // Concurrent re-sends of one message: still one row.
            const racedId = cid();
            const raced = await Promise.all([
                ack<SendData>(s, 'message:send', { clientMessageId: racedId, body: 'race' }),
                ack<SendData>(s, 'message:send', { clientMessageId: racedId, body: 'race' }),
            ]);
            expect(raced.map(r => r.ok && r.data.message.seq)).toEqual([2, 2]);
            if (!first.ok) return;
            const sync = await ack<SyncData>(s, 'conversation:sync', {
                conversationId: first.data.conversation.id,
                afterSeq: 0,
            });
            expect(sync.ok && sync.data.messages.map(m => m.body)).toEqual(['only once', 'race']);
        });

        it('catches a reconnecting shopper up from the last seq it has', async () => {
            const a = await connect(staffA.token);
            const shopper = await createShopper(t);
            let s = await connect(shopper.token);
            const first = await ack<SendData>(s, 'message:send', { clientMessageId: cid(), body: 'before' });
            if (!first.ok) throw new Error(first.error.code);
            const conversationId = first.data.conversation.id;
            s.close();
            for (const body of ['missed 1', 'missed 2']) {
                await ack(a, 'message:send', { conversationId, clientMessageId: cid(), body });
            }
            s = await connect(shopper.token);
            const sync = await ack<SyncData>(s, 'conversation:sync', { conversationId, afterSeq: 1 });
            expect(sync.ok && sync.data.messages.map(m => [m.seq, m.body])).toEqual([
                [2, 'missed 1'],
                [3, 'missed 2'],
            ]);
            expect(sync.ok && sync.data.hasMore).toBe(false);
        });

        it("never lets a shopper read, write or watch another shopper's conversation", async () => {
            const a = await connect(staffA.token);
            const owner = await createShopper(t);
            const intruder = await createShopper(t);
            const os = await connect(owner.token);
            const is = await connect(intruder.token);
            const sent = await ack<SendData>(os, 'message:send', { clientMessageId: cid(), body: 'private' });
            if (!sent.ok) throw new Error(sent.error.code);
            const conversationId = sent.data.conversation.id;
            const seenByIntruder = collect<NewMessage>(is, 'message:new');
            for (const [event, payload] of [
                ['conversation:sync', { conversationId, afterSeq: 0 }],
                ['message:send', { conversationId, clientMessageId: cid(), body: 'let me in' }],
                ['typing', { conversationId, typing: true }],
                ['read', { conversationId, seq: 1 }],
                ['conversation:resolve', { conversationId }],
            ] as const) {
                const res = await ack(is, event, payload);
                expect(res.ok, event).toBe(false);
                expect(!res.ok && ['NOT_FOUND', 'FORBIDDEN']).toContain(!res.ok && res.error.code);
            }
            const atOwner = nextEvent(
                os,
                'message:new',
                (p: NewMessage) => p.message.body === 'for the owner',
            );
            const staffSent = await ack(a, 'message:send', {
                conversationId,
                clientMessageId: cid(),
                body: 'for the owner',
            });
            expect(staffSent).toMatchObject({ ok: true });
            await atOwner;
            expect(seenByIntruder).toEqual([]);
            await expect(
                intruder.client.query(
                    gql`
                        query ($id: ID!) {
                            supportMessages(conversationId: $id) {
                                items {
                                    body
                                }
                            }
                        }
                    `,
                    { id: conversationId },
                ),
            ).rejects.toThrow(/NOT_FOUND/);
        });
    });

    describe('limits', () => {
        it('answers bad payloads with an error acknowledgement and keeps the socket', async () => {
            const shopper = await createShopper(t);
            const s = await connect(shopper.token);
            const tooLong = await ack(s, 'message:send', { clientMessageId: cid(), body: 'ب'.repeat(2001) });
            expect(tooLong).toEqual({
                ok: false,
                error: { code: 'MESSAGE_TOO_LONG', message: expect.any(String) },
            });
            const exactly = await ack<SendData>(s, 'message:send', {
                clientMessageId: cid(),
                body: ` ${'ب'.repeat(2000)} `,
            });
            expect(exactly.ok && exactly.data.message.body.length).toBe(2000);
            for (const [payload, code] of [
                [{ clientMessageId: cid(), body: '   ' }, 'MESSAGE_EMPTY'],
                [{ clientMessageId: cid(), body: { html: '<b>' } }, 'INVALID_PAYLOAD'],
                ['just a string', 'INVALID_PAYLOAD'],
                [undefined, 'INVALID_PAYLOAD'],
                [{ clientMessageId: 'bad id with spaces', body: 'x' }, 'INVALID_PAYLOAD'],
                // Without the client's id a retry could not be recognised: refused, not stored under a made-up id.
                [{ body: 'no id' }, 'INVALID_PAYLOAD'],
                [{ conversationId: { $ne: null }, body: 'x' }, 'INVALID_PAYLOAD'],
            ] as const) {
                const res = await ack(s, 'message:send', payload);
                expect(res.ok === false && res.error.code, JSON.stringify(payload)).toBe(code);
            }
            // An event the server does not know is answered too, not left to the client's timeout.
            const unknown = await ack(s, 'message:delete', { conversationId: '1' });
            expect(!unknown.ok && unknown.error.code).toBe('INVALID_PAYLOAD');
            const staffOnly = await ack(s, 'presence:set', { status: 'online' });
            expect(!staffOnly.ok && staffOnly.error.code).toBe('FORBIDDEN');
            expect(s.connected).toBe(true);
        });

        it('limits messages per socket and per shopper across sockets', async () => {
            const shopper = await createShopper(t);
            const s1 = await connect(shopper.token);
            const results: string[] = [];
            for (let i = 0; i < 7; i++) {
                const r = await ack(s1, 'message:send', { clientMessageId: cid(), body: `m${i}` });
                results.push(r.ok ? 'ok' : r.error.code);
            }
            // Socket limit 5 (of which all count toward the shopper's 8).
            expect(results).toEqual(['ok', 'ok', 'ok', 'ok', 'ok', 'RATE_LIMITED', 'RATE_LIMITED']);
            const s2 = await connect(shopper.token);
            const more: string[] = [];
            for (let i = 0; i < 5; i++) {
                const r = await ack(s2, 'message:send', { clientMessageId: cid(), body: `n${i}` });
                more.push(r.ok ? 'ok' : r.error.code);
            }
            expect(more).toEqual(['ok', 'ok', 'ok', 'RATE_LIMITED', 'RATE_LIMITED']);
            expect(s1.connected && s2.connected).toBe(true);
            // The GraphQL send shares the shopper's limit.
            const { sendSupportMessage } = await shopper.client.query(SEND, {
                input: { body: 'via http', clientMessageId: 'via-http' },
            });
            expect(sendSupportMessage).toMatchObject({
                __typename: 'SupportChatError',
                reason: 'RATE_LIMITED',
                errorCode: 'SUPPORT_CHAT_ERROR',
            });
        });

        it('throttles a flood of typing events without disconnecting', async () => {
            const shopper = await createShopper(t);
            const s = await connect(shopper.token);
            const sent = await ack<SendData>(s, 'message:send', { clientMessageId: cid(), body: 'hi' });
            if (!sent.ok) throw new Error(sent.error.code);
            const conversationId = sent.data.conversation.id;
            const acks = await Promise.all(
                Array.from({ length: 130 }, () => ack(s, 'typing', { conversationId, typing: true })),
            );
            // 60 per 10-second window; 130 within a second span at most two windows.
            const ok = acks.filter(a => a.ok).length;
            expect(ok).toBeGreaterThanOrEqual(60);
            expect(ok).toBeLessThanOrEqual(120);
            expect(acks.filter(a => !a.ok && a.error.code === 'RATE_LIMITED')).toHaveLength(130 - ok);
            expect(s.connected).toBe(true);
        });

        it('limits how many open conversations a shopper has', async () => {
            const shopper = await createShopper(t);
            const s = await connect(shopper.token);
            expect((await ack(s, 'conversation:start')).ok).toBe(true);
            expect((await ack(s, 'conversation:start')).ok).toBe(true);
            const third = await ack(s, 'conversation:start');
            expect(!third.ok && third.error.code).toBe('TOO_MANY_OPEN_CONVERSATIONS');
        });
    });

    describe('staff workflow', () => {
        it('leaves a message while no staff is online and hands it to the first staff member who comes', async () => {
            const shopper = await createShopper(t);
            const s = await connect(shopper.token);
            const sent = await ack<SendData>(s, 'message:send', {
                clientMessageId: cid(),
                body: 'anyone there?',
            });
            if (!sent.ok) throw new Error(sent.error.code);
            const conversationId = sent.data.conversation.id;
            expect(sent.data.conversation.assigneeId).toBeNull();
            const b = await connect(staffB.token);
            await waitFor(
                async () => {
                    const { supportConversation } = await t.admin.query(ONE, { id: conversationId });
                    return supportConversation.assigneeId === staffB.id;
                },
                10_000,
                'assignment on arrival',
            );
            const list = await ack<{ conversations: ConversationPayload[] }>(b, 'conversation:list');
            const first = list.ok ? list.data.conversations[0] : undefined;
            expect(first?.unreadByStaff).toBeGreaterThan(0);
        });

        it('round-robins new conversations over online staff and shows presence changes', async () => {
            const a = await connect(staffA.token);
            const b = await connect(staffB.token);
            const assignees: (string | null)[] = [];
            for (let i = 0; i < 4; i++) {
                const shopper = await createShopper(t);
                const s = await connect(shopper.token);
                const sent = await ack<SendData>(s, 'message:send', {
                    clientMessageId: cid(),
                    body: `q${i}`,
                });
                if (!sent.ok) throw new Error(sent.error.code);
                const { supportConversation } = await t.admin.query(ONE, { id: sent.data.conversation.id });
                assignees.push(supportConversation.assigneeId);
            }
            expect(new Set(assignees)).toEqual(new Set([staffA.id, staffB.id]));
            expect(assignees[0]).not.toBe(assignees[1]);
            expect(assignees[2]).not.toBe(assignees[3]);

            const seen = nextEvent<{ administratorId: string; status: string }>(
                a,
                'presence',
                p => p.administratorId === staffB.id && p.status === 'away',
            );
            await ack(b, 'presence:set', { status: 'away' });
            await seen;
            const shopper = await createShopper(t);
            const s = await connect(shopper.token);
            const sent = await ack<SendData>(s, 'message:send', {
                clientMessageId: cid(),
                body: 'while B is away',
            });
            const { supportConversation } = await t.admin.query(ONE, {
                id: sent.ok && sent.data.conversation.id,
            });
            expect(supportConversation.assigneeId).toBe(staffA.id);
            const offline = nextEvent<{ status: string }>(a, 'presence', p => p.status === 'offline');
            b.close();
            expect(await offline).toMatchObject({ administratorId: staffB.id });
        });

        it('resolves a conversation, which a new shopper message reopens; manual assignment', async () => {
            const a = await connect(staffA.token);
            const shopper = await createShopper(t);
            const s = await connect(shopper.token);
            const sent = await ack<SendData>(s, 'message:send', { clientMessageId: cid(), body: 'thanks' });
            if (!sent.ok) throw new Error(sent.error.code);
            const conversationId = sent.data.conversation.id;
            const assigned = await ack<{ conversation: ConversationPayload }>(a, 'conversation:assign', {
                conversationId,
                administratorId: staffB.id,
            });
            expect(assigned).toMatchObject({ ok: true, data: { conversation: { assigneeId: staffB.id } } });
            const resolvedAtShopper = nextEvent<Updated>(
                s,
                'conversation:updated',
                p => p.conversation.status === 'resolved',
            );
            await ack(a, 'conversation:resolve', { conversationId });
            await resolvedAtShopper;
            const again = await ack<SendData>(s, 'message:send', {
                clientMessageId: cid(),
                body: 'one more thing',
            });
            expect(again.ok && again.data.conversation).toMatchObject({ id: conversationId, status: 'open' });
        });
    });

    describe('guests', () => {
        it('lets a guest chat with an anonymous session and moves the conversation to them when they log in', async () => {
            const a = await connect(staffA.token);
            const guest = await createGuest(t);
            const g = await connect(guest.token);
            const atStaff = nextEvent<NewMessage>(a, 'message:new', p => p.message.body === 'guest question');
            const sent = await ack<SendData>(g, 'message:send', {
                clientMessageId: cid(),
                body: 'guest question',
            });
            if (!sent.ok) throw new Error(sent.error.code);
            expect(sent.data.message).toMatchObject({ senderType: 'guest', senderId: null });
            expect(sent.data.conversation.isGuest).toBe(true);
            expect((await atStaff).conversationId).toBe(sent.data.conversation.id);

            // Another guest cannot see it.
            const other = await createGuest(t);
            const o = await connect(other.token);
            const peek = await ack(o, 'conversation:sync', { conversationId: sent.data.conversation.id });
            expect(!peek.ok && peek.error.code).toBe('NOT_FOUND');

            // The guest logs in on the same client (the login request carries the anonymous session).
            const customer = await createShopper(t, guest.client, true);
            const mine = await waitFor(
                async () => {
                    const { supportConversations } = await customer.client.query(SHOP_CONVERSATIONS);
                    return supportConversations.find(
                        (c: { id: string }) => c.id === sent.data.conversation.id,
                    );
                },
                10_000,
                'conversation to follow the login',
            );
            expect(mine).toMatchObject({ customerId: customer.id, isGuest: false });
            const c = await connect(customer.token);
            const sync = await ack<SyncData>(c, 'conversation:sync', {
                conversationId: sent.data.conversation.id,
                afterSeq: 0,
            });
            expect(sync.ok && sync.data.messages.map(m => m.body)).toEqual(['guest question']);
        });
    });

    describe('GraphQL', () => {
        it('lets clients without sockets send and page through history, and staff filter, assign and resolve', async () => {
            const a = await connect(staffA.token);
            const shopper = await createShopper(t);
            const pushed = nextEvent<NewMessage>(a, 'message:new', p => p.message.body === 'http 3');
            let conversationId = '';
            for (let i = 1; i <= 3; i++) {
                const { sendSupportMessage } = await shopper.client.query(SEND, {
                    input: { body: `http ${i}`, clientMessageId: `c-${i}` },
                });
                expect(sendSupportMessage.__typename).toBe('SendSupportMessageSuccess');
                conversationId = sendSupportMessage.conversation.id;
            }
            await pushed;
            const { sendSupportMessage: dup } = await shopper.client.query(SEND, {
                input: { body: 'http 1', clientMessageId: 'c-1' },
            });
            expect(dup).toMatchObject({ duplicate: true, message: { seq: 1 } });
            const { sendSupportMessage: long } = await shopper.client.query(SEND, {
                input: { body: 'x'.repeat(2001), clientMessageId: 'c-long' },
            });
            expect(long).toMatchObject({ __typename: 'SupportChatError', reason: 'MESSAGE_TOO_LONG' });

            const page = await shopper.client.query(HISTORY, {
                id: conversationId,
                page: { beforeSeq: 4, take: 2 },
            });
            expect(page.supportMessages).toEqual({
                items: [
                    { seq: 2, body: 'http 2' },
                    { seq: 3, body: 'http 3' },
                ],
                hasMore: true,
            });

            const { supportConversations: unread } = await t.admin.query(LIST, {
                filter: { unread: true, status: 'open' },
            });
            expect(unread.items.map((c: { id: string }) => c.id)).toContain(conversationId);
            await staffA.client.query(
                gql`
                    mutation ($id: ID!, $admin: ID) {
                        assignSupportConversation(conversationId: $id, administratorId: $admin) {
                            assigneeId
                        }
                    }
                `,
                { id: conversationId, admin: staffB.id },
            );
            const { supportConversations: ofB } = await staffA.client.query(LIST, {
                filter: { assigneeId: staffB.id },
            });
            expect(ofB.items.map((c: { id: string }) => c.id)).toContain(conversationId);
            const { sendSupportMessage: reply } = await staffA.client.query(SEND, {
                input: { conversationId, body: 'from the admin api', clientMessageId: 'staff-1' },
            });
            expect(reply.message).toMatchObject({ senderType: 'staff', seq: 4 });
            await staffA.client.query(
                gql`
                    mutation ($id: ID!) {
                        resolveSupportConversation(conversationId: $id) {
                            status
                        }
                    }
                `,
                { id: conversationId },
            );
            const { supportConversations: resolved } = await t.admin.query(LIST, {
                filter: { status: 'resolved' },
            });
            expect(resolved.items.map((c: { id: string }) => c.id)).toContain(conversationId);
        });

        it('manages canned replies, and refuses all chat Admin API calls without ManageSupportChat', async () => {
            const { createSupportCannedReply: created } = await staffA.client.query(gql`
                mutation {
                    createSupportCannedReply(
                        input: {
                            shortcut: "/ersal"
                            title: "ارسال"
                            body: "سفارش‌ها ۲ تا ۳ روز کاری ارسال می‌شوند."
                        }
                    ) {
                        id
                        shortcut
                    }
                }
            `);
            expect(created.shortcut).toBe('/ersal');
            await staffA.client.query(
                gql`
                    mutation ($id: ID!) {
                        updateSupportCannedReply(input: { id: $id, title: "زمان ارسال" }) {
                            id
                        }
                    }
                `,
                { id: created.id },
            );
            const { supportCannedReplies } = await staffA.client.query(gql`
                query {
                    supportCannedReplies {
                        id
                        title
                        body
                    }
                }
            `);
            expect(supportCannedReplies).toEqual([
                { id: created.id, title: 'زمان ارسال', body: 'سفارش‌ها ۲ تا ۳ روز کاری ارسال می‌شوند.' },
            ]);
            const { deleteSupportCannedReply } = await staffA.client.query(
                gql`
                    mutation ($id: ID!) {
                        deleteSupportCannedReply(id: $id)
                    }
                `,
                { id: created.id },
            );
            expect(deleteSupportCannedReply).toBe(true);

            const clerk = await createStaff(t, 'Clerk2', ['ReadCatalog']);
            await expect(clerk.client.query(LIST, { filter: {} })).rejects.toThrow(
                /not currently authorized/,
            );
            await expect(
                clerk.client.query(SEND, {
                    input: { conversationId: '1', body: 'x', clientMessageId: 'clerk-1' },
                }),
            ).rejects.toThrow(/not currently authorized/);
        });
    });

    describe('unread reply notices (worker job)', () => {
        it('notifies a customer once about a staff reply left unread, and not one already read', async () => {
            const service = t.server.app.get(SupportChatService);
            // The default notifier: an event on the EventBus, which the EmailPlugin handler turns into an email.
            const notices: UnreadReplyNotice[] = [];
            t.server.app
                .get(EventBus)
                .ofType(SupportChatUnreadReplyEvent)
                .subscribe(e => notices.push(e.notice));
            const a = await connect(staffA.token);
            const unreadShopper = await createShopper(t);
            const readShopper = await createShopper(t);
            const conversations: string[] = [];
            for (const shopper of [unreadShopper, readShopper]) {
                const s = await connect(shopper.token);
                const sent = await ack<SendData>(s, 'message:send', {
                    clientMessageId: cid(),
                    body: 'question',
                });
                if (!sent.ok) throw new Error(sent.error.code);
                conversations.push(sent.data.conversation.id);
                await ack(a, 'message:send', {
                    conversationId: sent.data.conversation.id,
                    clientMessageId: cid(),
                    body: 'reply',
                });
                if (shopper === readShopper) {
                    await ack(s, 'read', { conversationId: sent.data.conversation.id, seq: 2 });
                }
            }
            // Seen from a minute ago, the fresh replies are not due yet.
            expect(await service.enqueueDueNotices(Date.now() - 60_000)).toBe(0);
            expect(await service.enqueueDueNotices()).toBeGreaterThanOrEqual(1);
            const notice = await waitFor(
                async () => notices.find(n => String(n.conversationId) === conversations[0]),
                10_000,
                'the unread notice',
            );
            expect(notice).toMatchObject({
                emailAddress: unreadShopper.email,
                unreadCount: 1,
                lastStaffSeq: 2,
                customerId: unreadShopper.id,
            });
            // Running the task again (or a retried job) notifies nobody twice.
            await service.enqueueDueNotices();
            expect(await service.processUnreadNotice(conversations[0], 2)).toBe(false);
            await new Promise(r => setTimeout(r, 500));
            expect(notices.filter(n => String(n.conversationId) === conversations[0])).toHaveLength(1);
            expect(notices.some(n => String(n.conversationId) === conversations[1])).toBe(false);
            // The email (EmailPlugin dev mode writes it to a file).
            const chatEmails = () =>
                sentEmails(t.app).filter(e => e.subject === 'پاسخ تازه از پشتیبانی فروشگاه');
            const sent = await waitFor(
                async () => chatEmails().find(e => e.recipient === unreadShopper.email),
                10_000,
                'the notice email',
            );
            expect(sent.body).toContain(`/storefront/support?conversation=${conversations[0]}`);
            expect(chatEmails().filter(e => e.recipient === readShopper.email)).toEqual([]);
        });
    });
});

const SEND = gql`
    mutation ($input: SendSupportMessageInput!) {
        sendSupportMessage(input: $input) {
            __typename
            ... on SendSupportMessageSuccess {
                duplicate
                message {
                    seq
                    body
                    senderType
                }
                conversation {
                    id
                    status
                }
            }
            ... on SupportChatError {
                errorCode
                reason
                errorMessage: message
                messageFa
            }
        }
    }
`;

const HISTORY = gql`
    query ($id: ID!, $page: SupportMessagePage) {
        supportMessages(conversationId: $id, page: $page) {
            items {
                seq
                body
            }
            hasMore
        }
    }
`;

const LIST = gql`
    query ($filter: SupportConversationFilter) {
        supportConversations(filter: $filter) {
            items {
                id
                status
                assigneeId
                unreadByStaff
            }
            totalItems
        }
    }
`;

const ONE = gql`
    query ($id: ID!) {
        supportConversation(id: $id) {
            id
            status
            assigneeId
        }
    }
`;
