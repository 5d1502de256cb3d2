import gql from 'graphql-tag';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { createStaffMember } from '../../../src/testing/admin-staff';
import { createTestShop, TestShop, testProfile } from '../../../src/testing/test-shop';
import { ZibalPaymentPlugin } from '../zibal-payment.plugin';

import { ATTEMPTS, followCallback, orderByCode, startZibalPayment } from './zibal-helpers';

/** The Admin API behind the Admin UI's "payments needing attention" screen and the order page's Zibal panel. */
describe(`Zibal payments needing attention (${testProfile()})`, () => {
    let t: TestShop;
    let refundDue: { orderId: string; code: string; trackId: string };
    let settled: { orderId: string; code: string; trackId: string; refundId: string };
    let waiting: { code: string; trackId: string };

    beforeAll(async () => {
        t = await createTestShop({
            // The platform API refunds, so a refund without a clear answer can be made.
            env: { ZIBAL_PLATFORM_TOKEN: 'platform-token' },
            adjustConfig: config => {
                // Pending attempts are due for reconciliation at once (the default waits 10 minutes).
                ZibalPaymentPlugin.init({ ...ZibalPaymentPlugin.options, reconcileAfterMs: 0 });
                return config;
            },
        });

        // Paid and verified at Zibal, but for another amount than the order's: refund-due.
        const mismatch = await startZibalPayment(t, 1);
        const callback = t.simulators.zibal.pay(Number(mismatch.trackId));
        t.simulators.zibal.faults.arm('/v1/verify', {
            kind: 'result',
            body: {
                result: 100,
                message: 'success',
                status: 1,
                amount: mismatch.totalWithTax / 100 - 10_000,
                refNumber: 1,
                orderId: mismatch.code,
            },
        });
        await followCallback(callback);
        const mismatchOrder = await orderByCode(t, mismatch.code);
        refundDue = { orderId: mismatchOrder.id, code: mismatch.code, trackId: mismatch.trackId };

        // Paid and settled, then a refund Zibal gives no clear answer to: Pending and uncertain.
        const paid = await startZibalPayment(t, 2);
        await followCallback(t.simulators.zibal.pay(Number(paid.trackId)));
        const paidOrder = await orderByCode(t, paid.code);
        t.simulators.zibal.faults.arm('/v1/account/refund', { kind: 'http-error', status: 503 });
        const { refundOrder } = await t.admin.query(REFUND, {
            input: {
                paymentId: paidOrder.payments[0].id,
                amount: 1_000_000,
                shipping: 0,
                adjustment: 0,
                reason: 'returned',
            },
        });
        expect(refundOrder).toMatchObject({ state: 'Pending', metadata: { uncertain: true } });
        settled = { orderId: paidOrder.id, code: paid.code, trackId: paid.trackId, refundId: refundOrder.id };

        // The shopper never came back from the bank page: reconciliation will inquire it.
        const left = await startZibalPayment(t, 3);
        waiting = { code: left.code, trackId: left.trackId };
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

const REFUND = gql`
    mutation ($input: RefundOrderInput!) {
        refundOrder(input: $input) {
            ... on Refund {
                id
                state
                total
                metadata
            }
            ... on ErrorResult {
                errorCode
                message
            }
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
