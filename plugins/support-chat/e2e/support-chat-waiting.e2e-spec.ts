import gql from 'graphql-tag';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { createStaffMember } from '../../../src/testing/admin-staff';
import { createTestShop, TestShop, testProfile } from '../../../src/testing/test-shop';

import { cid, createShopper } from './chat-fixtures';

/** The Admin API behind the Admin UI's support chat dashboard widget. */
describe(`Support chat: shoppers waiting (${testProfile()})`, () => {
    let t: TestShop;

    beforeAll(async () => {
        t = await createTestShop({ seed: false });
    });

    afterAll(async () => {
        await t?.close();
    });

    const waiting = async () => (await t.admin.query(WAITING)).supportChatWaiting;

    it('counts nobody when no shopper has written', async () => {
        expect(await waiting()).toEqual({ count: 0, oldestWaitingSince: null, longestWaitSeconds: 0 });
    });

    it('counts shoppers who wrote after the last reply, and the wait since the first unanswered message', async () => {
        const first = await createShopper(t);
        const second = await createShopper(t);
        const before = Date.now();
        const sent = await send(first.client, 'سلام، سفارشم کجاست؟');
        await send(first.client, 'هنوز نرسیده');
        await new Promise(resolve => setTimeout(resolve, 1100));
        await send(second.client, 'سلام');

        const now = await waiting();
        expect(now.count).toBe(2);
        const since = new Date(now.oldestWaitingSince).getTime();
        // The first shopper's first message (seconds precision on some databases).
        expect(since).toBeGreaterThanOrEqual(Math.floor(before / 1000) * 1000 - 1000);
        expect(since).toBeLessThanOrEqual(Date.now());
        expect(now.longestWaitSeconds).toBeGreaterThanOrEqual(1);

        // Staff answer the first shopper: only the second waits, since their message.
        const reply = await t.admin.query(SEND, {
            input: { conversationId: sent.conversation.id, clientMessageId: cid(), body: 'در راه است' },
        });
        expect(reply.sendSupportMessage.__typename).toBe('SendSupportMessageSuccess');
        const after = await waiting();
        expect(after.count).toBe(1);
        expect(new Date(after.oldestWaitingSince).getTime()).toBeGreaterThan(since);

        // The first shopper writes again: waiting again, since that message.
        await send(first.client, 'ممنون');
        expect((await waiting()).count).toBe(2);
    });

    it('needs ManageSupportChat', async () => {
        const agent = await createStaffMember(t, ['ManageSupportChat']);
        const clerk = await createStaffMember(t, ['ReadOrder']);
        expect((await agent.client.query(WAITING)).supportChatWaiting.count).toBe(2);
        await expect(clerk.client.query(WAITING)).rejects.toThrow(/not currently authorized/);
    });
});

async function send(client: TestShop['shop'], body: string): Promise<{ conversation: { id: string } }> {
    const { sendSupportMessage } = await client.query(SEND, { input: { clientMessageId: cid(), body } });
    if (sendSupportMessage.__typename !== 'SendSupportMessageSuccess') {
        throw new Error(`sendSupportMessage: ${JSON.stringify(sendSupportMessage)}`);
    }
    return sendSupportMessage;
}

const WAITING = gql`
    query {
        supportChatWaiting {
            count
            oldestWaitingSince
            longestWaitSeconds
        }
    }
`;

const SEND = gql`
    mutation ($input: SendSupportMessageInput!) {
        sendSupportMessage(input: $input) {
            __typename
            ... on SendSupportMessageSuccess {
                conversation {
                    id
                }
            }
        }
    }
`;
