import gql from 'graphql-tag';

import { createTestPaymentMethod, withDummyPayment } from '../../src/testing/checkout-helpers';
import { createTestShop } from '../../src/testing/test-shop';

import { fmt, LoadResult, runLoad } from './bench-utils';
import { checkoutLoad } from './checkout-load';

/**
 * `npm run bench:checkout`: complete checkouts per second through Zibal (simulator: intent, bank page, callback,
 * verify, settle) against the same checkout paid with Vendure's dummy handler, in one run on one server.
 * Phases alternate (dummy, zibal, dummy, zibal) so drift on a shared machine hits both alike.
 */
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 10);
const PHASE_MS = Number(process.env.BENCH_PHASE_SECONDS ?? 15) * 1000;

async function main(): Promise<void> {
    const t = await createTestShop({ adjustConfig: withDummyPayment });
    try {
        await createTestPaymentMethod(t.admin, 'dummy');
        const load = await checkoutLoad(() => t.newShopClient());
        let n = 0;
        const dummyCheckout = () => load.dummyCheckout(n++);
        const zibalCheckout = async () => {
            const client = await load.prepare(n++);
            const { createZibalPaymentIntent: intent } = await client.query(gql`
                mutation {
                    createZibalPaymentIntent {
                        ... on ZibalPaymentIntent {
                            paymentUrl
                        }
                        ... on ErrorResult {
                            message
                        }
                    }
                }
            `);
            if (!intent.paymentUrl) {
                throw new Error(`intent: ${intent.message}`);
            }
            const bank = await fetch(`${intent.paymentUrl}/pay`, { method: 'POST', redirect: 'manual' });
            const callback = await fetch(bank.headers.get('location')!, { redirect: 'manual' });
            if (!callback.headers.get('location')?.includes('/checkout/confirmation/')) {
                throw new Error(`callback: ${callback.status} ${callback.headers.get('location')}`);
            }
        };
        // Warm up both paths.
        await runLoad(dummyCheckout, 2, 2000);
        await runLoad(zibalCheckout, 2, 2000);
        const results: Record<'dummy' | 'zibal', LoadResult[]> = { dummy: [], zibal: [] };
        for (let round = 0; round < 2; round++) {
            results.dummy.push(await runLoad(dummyCheckout, CONCURRENCY, PHASE_MS));
            results.zibal.push(await runLoad(zibalCheckout, CONCURRENCY, PHASE_MS));
        }
        const total = (rs: LoadResult[]) => ({
            perSecond: rs.reduce((s, r) => s + r.completed, 0) / rs.reduce((s, r) => s + r.seconds, 0),
            failed: rs.reduce((s, r) => s + r.failed, 0),
            p50: rs.reduce((s, r) => s + r.p50, 0) / rs.length,
            p99: Math.max(...rs.map(r => r.p99)),
            errors: rs.flatMap(r => r.errors),
        });
        const dummy = total(results.dummy);
        const zibal = total(results.zibal);
        console.log(
            `bench:checkout (${t.app.database.type}, ${CONCURRENCY} concurrent shoppers, 2 x ${PHASE_MS / 1000} s per path)`,
        );
        console.log('| path | checkouts/s | p50 ms | p99 ms | failed |');
        console.log('|---|---|---|---|---|');
        console.log(
            `| dummy payment (baseline) | ${fmt(dummy.perSecond, 2)} | ${fmt(dummy.p50, 0)} | ${fmt(dummy.p99, 0)} | ${dummy.failed} |`,
        );
        console.log(
            `| Zibal (simulator) | ${fmt(zibal.perSecond, 2)} | ${fmt(zibal.p50, 0)} | ${fmt(zibal.p99, 0)} | ${zibal.failed} |`,
        );
        console.log(`ratio zibal/dummy: ${fmt(zibal.perSecond / dummy.perSecond, 2)} (target >= 0.9)`);
        if (dummy.errors.length || zibal.errors.length) {
            console.log('errors:', [...dummy.errors, ...zibal.errors].slice(0, 5));
        }
    } finally {
        await t.close();
    }
}

main().catch(e => {
    console.error(e);
    process.exit(1);
});
