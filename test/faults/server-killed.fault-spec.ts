import { SimpleGraphQLClient } from '@vendure/testing';
import gql from 'graphql-tag';
import { Client } from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { FaultShop, shopClient, ShopProcess, waitFor } from './support/fault-shop';
import { recordFigures, since } from './support/figures';
import { isNetworkError, RoundRobin } from './support/round-robin';
import {
    adminClient,
    adminOrder,
    firstVariantIds,
    followCallback,
    payAtBank,
    startZibalCheckout,
} from './support/shop-flows';

/**
 * Scenario 2 of issue 17: two server processes behind the test's round-robin client; 20 shoppers check out and
 * pay with Zibal at once; Zibal verifies the first payments but its answers hang, and one server is SIGKILLed
 * while it waits for them (money taken, nothing recorded). Once reconciliation has run (the claims a dead
 * process left expire after ZIBAL_CLAIM_TTL_SECONDS, 5 s here): every order Zibal was paid for is settled exactly
 * once, no order is half-written, and the surviving server serves throughout.
 */

const SHOPPERS = 20;
const HELD_VERIFIES = 4;

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

interface Shopper {
    email: string;
    code?: string;
    trackId?: string;
    /** Requests of this shopper that failed because the server died with them (then tried again once). */
    errors: number;
    callbackStatus?: number;
}

describe('server killed mid-checkout: no order paid twice, none left paid but unsettled', () => {
    let shop: FaultShop;
    let serverA: ShopProcess;
    let serverB: ShopProcess;
    let admin: SimpleGraphQLClient;
    let variantIds: string[];

    beforeAll(async () => {
        shop = new FaultShop({
            name: 'server',
            env: { ZIBAL_RECONCILE_AFTER_SECONDS: '0', ZIBAL_CLAIM_TTL_SECONDS: '5', DB_POOL_SIZE: '10' },
        });
        serverA = await shop.start();
        serverB = await shop.startServer();
        await shop.startWorker();
        admin = await adminClient(serverA.baseUrl);
        variantIds = await firstVariantIds(shopClient(serverA.baseUrl));
    });

    afterAll(async () => {
        await shop?.close();
    });

    /** One try again after a request the dead server lost, as a shopper reloads the page. */
    async function retryOnce<T>(shopper: Shopper, step: () => Promise<T>): Promise<T> {
        try {
            return await step();
        } catch (e) {
            if (!isNetworkError(e)) {
                throw e;
            }
            shopper.errors += 1;
            return step();
        }
    }

    it('20 concurrent Zibal checkouts while a server is SIGKILLed mid-verify', async () => {
        const balancer = new RoundRobin([serverA.baseUrl, serverB.baseUrl]);
        // Zibal verifies the first payments (the money is taken) but its answers do not arrive yet.
        await shop.fault('zibal', '/v1/verify', { kind: 'hold-answer', delayMs: 120_000 }, HELD_VERIFIES);
        const shoppers: Shopper[] = Array.from({ length: SHOPPERS }, (_, i) => ({
            email: `rr-${i}@example.ir`,
            errors: 0,
        }));
        let killedAt = 0;
        const killer = (async () => {
            await waitFor(
                async () => (await shop.calls('zibal', '/v1/verify')).length >= HELD_VERIFIES,
                120_000,
                'verify calls to hang at Zibal',
            );
            killedAt = performance.now();
            await serverB.kill('SIGKILL');
            // The answers now arrive: server A's waiting callbacks go on; B's connections are gone.
            await shop.release('zibal');
        })();
        const runShopper = async (s: Shopper, i: number) => {
            const client = balancer.client();
            const started = await retryOnce(s, () =>
                startZibalCheckout(client, variantIds[i % 3], s.email),
            ).catch(e => {
                if (isNetworkError(e)) {
                    s.errors += 1;
                    return undefined;
                }
                throw e;
            });
            if (!started) {
                return;
            }
            s.code = started.code;
            s.trackId = started.trackId;
            const callback = new URL(await payAtBank(shop.simulatorUrl, started.trackId));
            const answer = await retryOnce(s, () =>
                balancer.send(baseUrl => followCallback(`${baseUrl}${callback.pathname}${callback.search}`)),
            ).catch(e => {
                if (isNetworkError(e)) {
                    s.errors += 1;
                    return undefined;
                }
                throw e;
            });
            s.callbackStatus = answer?.status;
        };
        killer.catch(() => undefined);
        const start = performance.now();
        await Promise.all(shoppers.map(runShopper));
        await killer;
        const shoppersDoneMs = since(start);

        // The surviving server keeps serving: a new shopper checks out and pays through it.
        const late = shopClient(serverA.baseUrl);
        const lateOrder = await startZibalCheckout(late, variantIds[0], 'after-kill@example.ir');
        const lateCallback = await payAtBank(shop.simulatorUrl, lateOrder.trackId);
        expect((await followCallback(lateCallback)).status).toBe(303);
        expect((await adminOrder(admin, lateOrder.code))?.state).toBe('PaymentSettled');

        // Reconciliation after the dead server's claims expired.
        await new Promise(r => setTimeout(r, 6000));
        const { reconcileZibalPayments: report } = await admin.query(RECONCILE);
        const settledAfterKillMs = since(killedAt);

        const db = new Client({ connectionString: shop.database.url });
        await db.connect();
        try {
            let paidAtZibal = 0;
            let settledOnce = 0;
            for (const s of shoppers.filter(x => x.code)) {
                const order = (await adminOrder(admin, s.code!))!;
                const zibal = await inquiry(shop.simulatorUrl, s.trackId!);
                const settled = order.payments.filter(p => p.state === 'Settled');
                // Never paid twice.
                expect(settled.length, `order ${s.code}`).toBeLessThanOrEqual(1);
                if (zibal.status === 1 || zibal.status === 2) {
                    paidAtZibal += 1;
                    // Paid at Zibal: settled on the order, once, for the order's total, with this trackId.
                    expect(order.state, `order ${s.code} paid at Zibal (${zibal.status})`).toBe(
                        'PaymentSettled',
                    );
                    expect(settled).toHaveLength(1);
                    expect(settled[0].amount).toBe(order.totalWithTax);
                    // The payment Zibal took for this order, the one the shopper paid.
                    expect(settled[0].transactionId).toBe(String(zibal.refNumber ?? s.trackId));
                    expect(zibal.orderId).toBe(s.code);
                    settledOnce += 1;
                } else {
                    expect(settled).toHaveLength(0);
                }
            }
            // No half-written order: every order has its lines, every payment row belongs to an order with a total
            // it matches, and no attempt is left verifying.
            const { rows: noLines } = await db.query(
                `select o.code from "order" o where o.state not in ('Created', 'AddingItems', 'Draft')
                   and not exists (select 1 from order_line l where l."orderId" = o.id)`,
            );
            expect(noLines).toEqual([]);
            const { rows: mismatched } = await db.query(
                `select o.code from payment p join "order" o on o.id = p."orderId"
                  where p.state = 'Settled' and p.amount <> o."subTotalWithTax" + o."shippingWithTax"`,
            );
            expect(mismatched).toEqual([]);
            const { rows: verifying } = await db.query(
                `select "trackId", state from zibal_payment_attempt where state in ('verifying', 'refund-due')`,
            );
            expect(verifying).toEqual([]);
            expect(paidAtZibal).toBeGreaterThanOrEqual(HELD_VERIFIES);
            recordFigures('2-server-killed', {
                ordersInFlight: SHOPPERS,
                ordersStarted: shoppers.filter(s => s.code).length,
                verifiesHeldAtKill: HELD_VERIFIES,
                paidAtZibal,
                paidOnce: settledOnce,
                paidTwice: 0,
                settledByReconcile: report.settled,
                shopperRequestsLost: shoppers.reduce((n, s) => n + s.errors, 0),
                shoppersDoneMs,
                allSettledAfterKillMs: settledAfterKillMs,
            });
        } finally {
            await db.end();
        }
    });
});

async function inquiry(
    simulatorUrl: string,
    trackId: string,
): Promise<{ result: number; status: number; refNumber: string | null; orderId: string | null }> {
    const res = await fetch(`${simulatorUrl}/zibal/v1/inquiry`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ merchant: 'zibal', trackId: Number(trackId) }),
    });
    return (await res.json()) as {
        result: number;
        status: number;
        refNumber: string | null;
        orderId: string | null;
    };
}
