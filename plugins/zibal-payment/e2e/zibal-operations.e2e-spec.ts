import gql from 'graphql-tag';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { createStaffMember } from '../../../src/testing/admin-staff';
import { createTestShop, TestShop, testProfile } from '../../../src/testing/test-shop';

import {
    ATTEMPTS,
    ATTENTION_SHOP,
    createPaymentsNeedingAttention,
    PaymentsNeedingAttention,
} from './zibal-helpers';

/** The Admin API behind the Admin UI's "payments needing attention" screen and the order page's Zibal panel. */
describe(`Zibal payments needing attention (${testProfile()})`, () => {
    let t: TestShop;
    let refundDue: PaymentsNeedingAttention['refundDue'];
    let settled: PaymentsNeedingAttention['settled'];
    let waiting: PaymentsNeedingAttention['waiting'];

    beforeAll(async () => {
        t = await createTestShop(ATTENTION_SHOP);

        ({ refundDue, settled, waiting } = await createPaymentsNeedingAttention(t));
    }, 120_000);

    afterAll(async () => {
        await t?.close();
    });

    it('lists the refund-due attempt, the attempt awaiting reconciliation and the uncertain refund, with their orders', async () => {
        const { zibalPaymentsNeedingAttention: attention } = await t.admin.query(NEEDING_ATTENTION);
        expect(attention.refundDue).toEqual([
            expect.objectContaining({
                trackId: refundDue.trackId,
                orderId: refundDue.orderId,
                orderCode: refundDue.code,
                state: 'refund-due',
            }),
        ]);
        expect(attention.awaitingReconciliation).toEqual([
            expect.objectContaining({ trackId: waiting.trackId, orderCode: waiting.code, state: 'pending' }),
        ]);
        expect(attention.pendingRefunds).toEqual([
            {
                id: settled.refundId,
                orderId: settled.orderId,
                orderCode: settled.code,
                total: 1_000_000,
                trackId: settled.trackId,
                uncertain: true,
                reason: 'returned',
            },
        ]);
    });

    it('lets staff with ReadOrder see the list, but only UpdateOrder record a refund and only SuperAdmin reconcile', async () => {
        const reader = await createStaffMember(t, ['ReadOrder']);
        const clerk = await createStaffMember(t, ['ReadOrder', 'UpdateOrder']);
        const stranger = await createStaffMember(t, ['ReadCustomer']);
        const attention = (await reader.client.query(NEEDING_ATTENTION)).zibalPaymentsNeedingAttention;
        expect(attention.refundDue).toHaveLength(1);
        await expect(stranger.client.query(NEEDING_ATTENTION)).rejects.toThrow(/not currently authorized/);
        const attemptId = attention.refundDue[0].id;
        await expect(reader.client.query(MARK_REFUNDED, { attemptId })).rejects.toThrow(
            /not currently authorized/,
        );
        await expect(clerk.client.query(RECONCILE)).rejects.toThrow(/not currently authorized/);
        expect((await t.admin.query(NEEDING_ATTENTION)).zibalPaymentsNeedingAttention.refundDue).toHaveLength(
            1,
        );
    });

    it('marks a refund-due attempt refunded once, with who and the note in its history; it leaves the list', async () => {
        const clerk = await createStaffMember(t, ['ReadOrder', 'UpdateOrder']);
        const { zibalPaymentsNeedingAttention: before } = await t.admin.query(NEEDING_ATTENTION);
        const attemptId = before.refundDue[0].id;
        const { markZibalAttemptRefunded: marked } = await clerk.client.query(MARK_REFUNDED, {
            attemptId,
            note: 'Bank transfer 4411',
        });
        expect(marked).toMatchObject({ __typename: 'ZibalPaymentAttempt', state: 'refunded' });
        const last = marked.history[marked.history.length - 1];
        expect(last.event).toBe('refunded-manually');
        expect(last.note).toBe(`user ${await userIdOf(clerk.client)}: Bank transfer 4411`);

        const { markZibalAttemptRefunded: again } = await clerk.client.query(MARK_REFUNDED, { attemptId });
        expect(again).toMatchObject({
            __typename: 'ZibalAttemptNotRefundDueError',
            errorCode: 'ZIBAL_ATTEMPT_NOT_REFUND_DUE_ERROR',
            attemptState: 'refunded',
        });
        const { zibalPaymentsNeedingAttention: after } = await t.admin.query(NEEDING_ATTENTION);
        expect(after.refundDue).toEqual([]);
        const { zibalPaymentAttempts } = await t.admin.query(ATTEMPTS, { orderId: refundDue.orderId });
        expect(zibalPaymentAttempts[0].state).toBe('refunded');
    });

    it('refuses to mark a settled attempt refunded', async () => {
        const { zibalPaymentAttempts } = await t.admin.query(ATTEMPT_IDS, { orderId: settled.orderId });
        const { markZibalAttemptRefunded: refused } = await t.admin.query(MARK_REFUNDED, {
            attemptId: zibalPaymentAttempts[0].id,
        });
        expect(refused).toMatchObject({
            __typename: 'ZibalAttemptNotRefundDueError',
            errorCode: 'ZIBAL_ATTEMPT_NOT_REFUND_DUE_ERROR',
            attemptState: 'settled',
        });
        const { markZibalAttemptRefunded: missing } = await t.admin.query(MARK_REFUNDED, {
            attemptId: '999999',
        });
        expect(missing).toMatchObject({ __typename: 'ZibalAttemptNotRefundDueError', attemptState: null });
    });

    it('drops a refund from the list once staff settle it', async () => {
        await t.admin.query(SETTLE_REFUND, {
            input: { id: settled.refundId, transactionId: 'zibal-panel-77' },
        });
        const { zibalPaymentsNeedingAttention } = await t.admin.query(NEEDING_ATTENTION);
        expect(zibalPaymentsNeedingAttention.pendingRefunds).toEqual([]);
    });
});

async function userIdOf(client: TestShop['admin']): Promise<string> {
    const { me } = await client.query(gql`
        {
            me {
                id
            }
        }
    `);
    return String(me.id);
}

const ATTEMPT_FIELDS = gql`
    fragment OpsAttempt on ZibalPaymentAttempt {
        id
        trackId
        orderId
        orderCode
        amount
        state
        history {
            event
            note
        }
    }
`;

const NEEDING_ATTENTION = gql`
    query {
        zibalPaymentsNeedingAttention {
            refundDue {
                ...OpsAttempt
            }
            awaitingReconciliation {
                ...OpsAttempt
            }
            pendingRefunds {
                id
                orderId
                orderCode
                total
                trackId
                uncertain
                reason
            }
        }
    }
    ${ATTEMPT_FIELDS}
`;

const MARK_REFUNDED = gql`
    mutation ($attemptId: ID!, $note: String) {
        markZibalAttemptRefunded(attemptId: $attemptId, note: $note) {
            __typename
            ... on ZibalPaymentAttempt {
                ...OpsAttempt
            }
            ... on ZibalAttemptNotRefundDueError {
                errorCode
                message
                attemptState
            }
        }
    }
    ${ATTEMPT_FIELDS}
`;

const ATTEMPT_IDS = gql`
    query ($orderId: ID!) {
        zibalPaymentAttempts(orderId: $orderId) {
            id
            state
        }
    }
`;

const RECONCILE = gql`
    mutation {
        reconcileZibalPayments {
            checked
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
        }
    }
`;
