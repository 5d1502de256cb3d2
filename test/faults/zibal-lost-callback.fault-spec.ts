/**
 * Scenario 5 of issue 17: the shopper pays at Zibal and closes the browser, so the callback never comes.
 * Reconciliation (the scheduled task, here run on demand through the Admin API) settles the order; a late callback
 * arriving on another server instance while reconciliation verifies the same payment does not settle it twice.
 *
 * In-process shops on PostgreSQL + Redis (services profile): reconciliation runs on one instance, the late
 * callbacks arrive at a second instance on the same database. Settle-once rests on the per-order PostgreSQL
 * advisory lock and the claim row, which work across connections the same way whether or not a process boundary
 * lies between them.
 */
import gql from 'graphql-tag';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { TestShop, waitFor } from '../../src/testing/test-shop';
import { ZibalPaymentPlugin } from '../../plugins/zibal-payment';
import {
    ATTEMPTS,
    followCallback,
    orderByCode,
    startZibalPayment,
} from '../../plugins/zibal-payment/e2e/zibal-helpers';

import { report, startFaultShop, timed } from './support/app-shop';

const RECONCILE = gql`
    mutation {
        reconcileZibalPayments {
            checked
            settled
            failed
            expired
        }
    }
`;

describe('faults 5: lost Zibal callback', () => {
    let t: TestShop;
    let replicaUrl: string;

    beforeAll(async () => {
        t = await startFaultShop({
            adjustConfig: config => {
                // Inquire attempts at once (the default waits 10 minutes for the callback).
                ZibalPaymentPlugin.init({ ...ZibalPaymentPlugin.options, reconcileAfterMs: 0 });
                return config;
            },
        });
        replicaUrl = (await t.startReplica()).baseUrl;
    });

    afterAll(async () => {
        await t?.close();
    });

    const verifyCalls = (trackId: string) =>
        t.simulators.zibal.faults
            .callsTo('/v1/verify')
            .filter(c => String((c.body as { trackId?: unknown })?.trackId) === trackId);
    const onReplica = (callback: string) => callback.replace(t.baseUrl, replicaUrl);

    it('settles a paid order whose callback never came, once, through reconciliation', async () => {
        const shoppers = await Promise.all([0, 1, 2, 3].map(i => startZibalPayment(t, i)));
        // Paid at the bank; the browser closes before it follows the callback URL.
        const paidAt = Date.now();
        for (const p of shoppers) {
            t.simulators.zibal.pay(Number(p.trackId));
        }
        const { value, ms } = await timed(() => t.admin.query(RECONCILE));
        const settled = await Promise.all(shoppers.map(p => orderByCode(t, p.code)));
        for (const order of settled) {
            expect(order.state).toBe('PaymentSettled');
            expect(order.payments).toHaveLength(1);
            expect(order.payments[0].state).toBe('Settled');
        }
        expect(value.reconcileZibalPayments.settled).toBeGreaterThanOrEqual(shoppers.length);
        // A second run finds nothing left to do and verifies nothing again.
        const again = await t.admin.query(RECONCILE);
        expect(again.reconcileZibalPayments.settled).toBe(0);
        for (const p of shoppers) {
            expect(verifyCalls(p.trackId)).toHaveLength(1);
        }
        report('5 lost callback', {
            orders: shoppers.length,
            reconcileRunMs: ms,
            paidToSettledMs: Date.now() - paidAt,
            paymentsPerOrder: 1,
        });
    });

    it('settles once when the late callback arrives at another instance while reconciliation verifies', async () => {
        const p = await startZibalPayment(t, 4);
        const callback = t.simulators.zibal.pay(Number(p.trackId));
        // Reconciliation's verify call is held at Zibal until released: the attempt is claimed ("verifying").
        t.simulators.zibal.faults.arm('/v1/verify', { kind: 'delay', delayMs: 20_000 });
        const reconciling = t.admin.query(RECONCILE);
        await waitFor(async () => verifyCalls(p.trackId).length === 1, 20_000, 'reconciliation to verify');
        // The shopper's browser comes back late, to the other instance.
        const lateCallback = timed(() => followCallback(onReplica(callback)));
        await waitFor(
            async () => (await attempts(p.code))[0].state === 'verifying',
            5_000,
            'the attempt to be claimed',
        );
        await new Promise(resolve => setTimeout(resolve, 500));
        t.simulators.zibal.faults.release();
        const [{ value: landing, ms: callbackMs }, reconciled] = await Promise.all([
            lateCallback,
            reconciling,
        ]);

        expect(landing).toMatch(new RegExp(`/checkout/confirmation/${p.code}$`));
        expect(reconciled.reconcileZibalPayments.settled).toBe(1);
        const order = await orderByCode(t, p.code);
        expect(order.state).toBe('PaymentSettled');
        expect(order.payments).toHaveLength(1);
        expect(verifyCalls(p.trackId)).toHaveLength(1);
        const [attempt] = await attempts(p.code);
        expect(attempt.state).toBe('settled');
        expect(attempt.history.filter((e: { event: string }) => e.event === 'settled')).toHaveLength(1);
        report('5 late callback during reconciliation', {
            paymentsOnOrder: order.payments.length,
            verifyCalls: verifyCalls(p.trackId).length,
            lateCallbackAnsweredMs: callbackMs,
        });
    });

    it('settles each order once when late callbacks race reconciliation on 8 orders at once', async () => {
        const shoppers = await Promise.all([5, 6, 7, 8, 9, 0, 1, 2].map(i => startZibalPayment(t, i)));
        const callbacks = shoppers.map(p => t.simulators.zibal.pay(Number(p.trackId)));
        const started = Date.now();
        const [landings] = await Promise.all([
            Promise.all(
                callbacks.map(async (callback, i) => {
                    // Spread over the reconciliation run, half on each instance.
                    await new Promise(resolve => setTimeout(resolve, i * 40));
                    return followCallback(i % 2 ? onReplica(callback) : callback);
                }),
            ),
            t.admin.query(RECONCILE),
        ]);
        const elapsed = Date.now() - started;
        shoppers.forEach((p, i) =>
            expect(landings[i]).toMatch(new RegExp(`/checkout/confirmation/${p.code}$`)),
        );
        for (const p of shoppers) {
            const order = await orderByCode(t, p.code);
            expect(order.state).toBe('PaymentSettled');
            expect(order.payments).toHaveLength(1);
            expect(verifyCalls(p.trackId)).toHaveLength(1);
        }
        report('5 race on 8 orders', { orders: shoppers.length, allSettledMs: elapsed, doubleSettled: 0 });
    });

    async function attempts(code: string) {
        const order = await orderByCode(t, code);
        return (await t.admin.query(ATTEMPTS, { orderId: order.id })).zibalPaymentAttempts;
    }
});
