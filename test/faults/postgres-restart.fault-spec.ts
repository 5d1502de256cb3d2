import gql from 'graphql-tag';
import { Client } from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { ADD_PAYMENT, prepareOrderForPayment } from '../../src/testing/checkout-helpers';

import { FAULTS_DATABASE_URL, FaultShop, shopClient, ShopProcess, waitFor } from './support/fault-shop';
import { recordFigures, since } from './support/figures';
import { adminClient, firstVariantIds } from './support/shop-flows';

/**
 * Scenario 3 of issue 17: PostgreSQL goes away under load and comes back. The test owns its database, not the
 * machine's PostgreSQL, so the "restart" is done to that database alone: every connection to it is terminated
 * (pg_terminate_backend) and new ones are refused (`ALLOW_CONNECTIONS false`, "database is not currently
 * accepting connections", as during a restart) for OUTAGE_MS, then allowed again. Shoppers keep checking out
 * throughout. Promise: every request answers (a result or a clean GraphQL error, never a dropped connection or a
 * hang), no order is left half-written, /health says down then up, and the server and the worker work again
 * without being restarted.
 */

const OUTAGE_MS = 6000;
const SHOPPERS = 6;

const SEARCH = gql`
    query ($term: String!) {
        search(input: { term: $term, take: 5 }) {
            totalItems
        }
    }
`;

const UPDATE_PRODUCT = gql`
    mutation ($input: [UpdateProductInput!]!) {
        updateProducts(input: $input) {
            id
        }
    }
`;

interface Outcomes {
    completed: number;
    cleanErrors: number;
    /** The distinct messages shoppers were shown. */
    messages: Set<string>;
    /** A dropped connection, a non-JSON answer or no answer within 30 s. */
    unclean: string[];
}

describe('PostgreSQL restarted under load: clean errors, no partial orders, recovery without restarts', () => {
    let shop: FaultShop;
    let server: ShopProcess;
    let worker: ShopProcess;
    let variantIds: string[];
    let superuser: Client;

    beforeAll(async () => {
        shop = new FaultShop({ name: 'pg' });
        server = await shop.start();
        worker = await shop.startWorker();
        variantIds = await firstVariantIds(shopClient(server.baseUrl));
        // On the server's maintenance database, not the shop's (whose connections are ended).
        superuser = new Client({ connectionString: FAULTS_DATABASE_URL });
        await superuser.connect();
    });

    afterAll(async () => {
        const name = shop?.database ? new URL(shop.database.url).pathname.slice(1) : undefined;
        if (name) {
            await superuser?.query(`alter database ${name} allow_connections true`).catch(() => undefined);
        }
        await superuser?.end();
        await shop?.close();
    });

    async function health(url: string): Promise<number> {
        try {
            const res = await fetch(url, { signal: AbortSignal.timeout(10_000) });
            await res.arrayBuffer();
            return res.status;
        } catch {
            return 0;
        }
    }

    it('goes down and comes back while shoppers check out', async () => {
        const dbName = new URL(shop.database.url).pathname.slice(1);
        const outcomes: Outcomes = { completed: 0, cleanErrors: 0, messages: new Set(), unclean: [] };
        let stop = false;
        const shopperLoop = async (i: number) => {
            let n = 0;
            while (!stop) {
                const client = shopClient(server.baseUrl);
                try {
                    await withDeadline(
                        (async () => {
                            await prepareOrderForPayment(client, {
                                variantId: variantIds[(i + n) % 3],
                                email: `pg-${i}-${n}@example.ir`,
                            });
                            const paid = await client.query(ADD_PAYMENT, {
                                input: { method: 'cash-on-delivery', metadata: {} },
                            });
                            if (paid.addPaymentToOrder.errorCode) {
                                throw new Error(`addPaymentToOrder ${paid.addPaymentToOrder.errorCode}`);
                            }
                        })(),
                        30_000,
                    );
                    outcomes.completed += 1;
                } catch (e) {
                    classify(e, outcomes);
                    // A shopper who saw an error tries again a moment later.
                    await new Promise(r => setTimeout(r, 250));
                }
                n += 1;
            }
        };
        const statuses = { server: new Set<number>(), worker: new Set<number>() };
        let watching = true;
        const watcher = (async () => {
            while (watching) {
                statuses.server.add(await health(`${server.baseUrl}/health`));
                statuses.worker.add(await health(`${worker.baseUrl}/health`));
                await new Promise(r => setTimeout(r, 300));
            }
        })();
        const loops = Array.from({ length: SHOPPERS }, (_, i) => shopperLoop(i));
        await new Promise(r => setTimeout(r, 3000));
        const beforeOutage = outcomes.completed;

        await superuser.query(`alter database ${dbName} allow_connections false`);
        const { rows: terminated } = await superuser.query(
            `select pg_terminate_backend(pid) from pg_stat_activity where datname = $1 and pid <> pg_backend_pid()`,
            [dbName],
        );
        await waitFor(
            async () =>
                (await health(`${server.baseUrl}/health`)) === 503 &&
                (await health(`${worker.baseUrl}/health`)) === 503,
            OUTAGE_MS * 3,
            '/health to report down',
        );
        await new Promise(r => setTimeout(r, OUTAGE_MS));
        await superuser.query(`alter database ${dbName} allow_connections true`);
        const upAt = performance.now();
        const completedAtRestore = outcomes.completed;

        await waitFor(
            async () =>
                (await health(`${server.baseUrl}/health`)) === 200 &&
                (await health(`${worker.baseUrl}/health`)) === 200,
            60_000,
            '/health to report up',
        );
        const healthUpMs = since(upAt);
        await waitFor(
            async () => outcomes.completed > completedAtRestore,
            60_000,
            'a checkout after the outage',
        );
        const firstCheckoutMs = since(upAt);
        stop = true;
        await Promise.all(loops);
        watching = false;
        await watcher;

        // Neither process was restarted: the same processes answer.
        expect(server.running && worker.running).toBe(true);
        expect(statuses.server.has(503) && statuses.server.has(200)).toBe(true);
        expect(statuses.worker.has(503) && statuses.worker.has(200)).toBe(true);
        expect(outcomes.unclean).toEqual([]);
        // What shoppers were told names nothing of the database (its name, host or the driver's words).
        console.log(`[faults] shoppers saw: ${JSON.stringify([...outcomes.messages])}`);
        for (const message of outcomes.messages) {
            expect(message).not.toContain(dbName);
            expect(message).not.toMatch(/connection|terminat|database|query runner/i);
        }
        expect(outcomes.completed).toBeGreaterThan(beforeOutage);

        // The worker runs jobs again: a product renamed now reaches the search index.
        const admin = await adminClient(server.baseUrl);
        const name = `after-pg-${Date.now()}`;
        await admin.query(UPDATE_PRODUCT, {
            input: [{ id: '3', translations: [{ languageCode: 'fa', name }] }],
        });
        const shopper = shopClient(server.baseUrl);
        await waitFor(
            async () => (await shopper.query(SEARCH, { term: name })).search.totalItems > 0,
            60_000,
            'the worker to index the renamed product',
        );
        const jobsBackMs = since(upAt);

        // No order is half-written: an order that reached a payment has its lines, its shipping line and exactly
        // one authorized payment of its total; no payment row without its order moving on.
        const db = new Client({ connectionString: shop.database.url });
        await db.connect();
        try {
            const { rows: partial } = await db.query(`
                select o.code, o.state,
                       (select count(*) from order_line l where l."orderId" = o.id) as lines,
                       (select count(*) from shipping_line s where s."orderId" = o.id) as shipping,
                       (select count(*) from payment p where p."orderId" = o.id and p.state = 'Authorized') as payments,
                       (select coalesce(sum(p.amount), 0) from payment p where p."orderId" = o.id and p.state = 'Authorized') as paid,
                       o."subTotalWithTax" + o."shippingWithTax" as total
                  from "order" o
                 where o.state in ('ArrangingPayment', 'PaymentAuthorized')
                    or exists (select 1 from payment p where p."orderId" = o.id)`);
            const authorized = partial.filter(o => o.state === 'PaymentAuthorized');
            for (const o of partial) {
                expect(Number(o.lines), `order ${o.code}`).toBeGreaterThan(0);
                expect(Number(o.shipping), `order ${o.code}`).toBe(1);
                if (o.state === 'PaymentAuthorized') {
                    expect(Number(o.payments), `order ${o.code}`).toBe(1);
                    expect(Number(o.paid), `order ${o.code}`).toBe(Number(o.total));
                } else {
                    expect(Number(o.payments), `order ${o.code} in ${o.state}`).toBe(0);
                }
            }
            expect(authorized.length).toBe(outcomes.completed);
            recordFigures('3-postgres-restart', {
                connectionsTerminated: terminated.length,
                outageMs: OUTAGE_MS,
                checkoutsCompleted: outcomes.completed,
                requestsFailedClean: outcomes.cleanErrors,
                requestsFailedUnclean: outcomes.unclean.length,
                ordersHalfWritten: 0,
                healthUpAfterRestoreMs: healthUpMs,
                firstCheckoutAfterRestoreMs: firstCheckoutMs,
                workerJobsAfterRestoreMs: jobsBackMs,
            });
        } finally {
            await db.end();
        }
    });
});

function withDeadline<T>(promise: Promise<T>, ms: number): Promise<T> {
    let timer: NodeJS.Timeout | undefined;
    return Promise.race([
        promise,
        new Promise<never>((_, reject) => {
            timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
        }),
    ]).finally(() => clearTimeout(timer));
}

/**
 * A clean error is a GraphQL answer the client could read: an errors array (the client library throws it) or an
 * ErrorResult. Anything else (a dropped connection, a body that is not JSON, no answer) is unclean.
 */
function classify(e: unknown, outcomes: Outcomes): void {
    const message = e instanceof Error ? e.message : String(e);
    const graphqlErrors = (e as { response?: { errors?: unknown[] } }).response?.errors;
    if (
        Array.isArray(graphqlErrors) ||
        /failed: [A-Z_]+ /.test(message) ||
        /^addPaymentToOrder /.test(message)
    ) {
        outcomes.cleanErrors += 1;
        for (const error of (graphqlErrors ?? []) as Array<{ message: string }>) {
            outcomes.messages.add(error.message);
        }
        if (!graphqlErrors) {
            outcomes.messages.add(message);
        }
        return;
    }
    outcomes.unclean.push(message.slice(0, 200));
}
