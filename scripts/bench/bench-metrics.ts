import { fork } from 'node:child_process';

import { VendureConfig } from '@vendure/core';
import { SimpleGraphQLClient } from '@vendure/testing';

import { MetricsService } from '../../src/metrics/metrics.plugin';
import {
    ADD_PAYMENT,
    createTestPaymentMethod,
    FIRST_VARIANT_IDS,
    prepareOrderForPayment,
    withDummyPayment,
} from '../../src/testing/checkout-helpers';
import { createTestShop } from '../../src/testing/test-shop';

import { fmt, nextMessage, runLoad } from './bench-utils';

/**
 * `npm run bench:metrics`: the cost of metrics. Two shops in two processes, one with METRICS_PORT (and a scraper
 * reading it every 5 s, three times Prometheus's default rate) and one without; dummy-payment checkouts
 * (7 GraphQL calls each) alternate between them (off, on, off, on, ...: BENCH_ROUNDS rounds) so drift on a shared machine hits both alike.
 * Prints checkouts/s of each and the ratio.
 */
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 8);
const PHASE_MS = Number(process.env.BENCH_PHASE_SECONDS ?? 20) * 1000;
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);

async function child(metrics: boolean): Promise<void> {
    const t = await createTestShop({
        adjustConfig: withDummyPayment,
        env: metrics ? { METRICS_PORT: '0', LOG_LEVEL: 'warn' } : { LOG_LEVEL: 'warn' },
    });
    await createTestPaymentMethod(t.admin, 'dummy');
    const metricsPort = metrics ? t.server.app.get(MetricsService).address?.port : undefined;
    process.send!({ kind: 'ready', baseUrl: t.baseUrl, metricsPort });
    process.once('disconnect', () => void t.close().then(() => process.exit(0)));
}

async function main(): Promise<void> {
    const shops = await Promise.all(
        (['off', 'on'] as const).map(async mode => {
            const proc = fork(__filename, ['child', mode], { stdio: 'inherit' });
            const ready = await nextMessage<{ baseUrl: string; metricsPort?: number }>(proc, 'ready');
            return { mode, proc, ...ready };
        }),
    );
    const config = {
        authOptions: { authTokenHeaderKey: 'vendure-auth-token' },
        apiOptions: { channelTokenKey: 'vendure-token' },
    } as unknown as Required<VendureConfig>;
    const scrapeUrl = `http://127.0.0.1:${shops[1].metricsPort}/metrics`;
    const scraper = setInterval(() => void fetch(scrapeUrl).then(r => r.text()), 5000);
    const totals = { off: { n: 0, s: 0 }, on: { n: 0, s: 0 } };
    try {
        for (const shop of Array.from({ length: ROUNDS }, () => shops).flat()) {
            const client = () => new SimpleGraphQLClient(config, `${shop.baseUrl}/shop-api`);
            const { products } = await client().query(FIRST_VARIANT_IDS);
            const variants: string[] = products.items.map(
                (p: { variants: Array<{ id: string }> }) => p.variants[0].id,
            );
            const result = await runLoad(
                async (worker, i) => {
                    const c = client();
                    await prepareOrderForPayment(c, {
                        variantId: variants[(worker + i) % variants.length],
                        email: `bench-${worker}-${i}@example.ir`,
                    });
                    const { addPaymentToOrder } = await c.query(ADD_PAYMENT, {
                        input: { method: 'dummy', metadata: {} },
                    });
                    if (addPaymentToOrder.state !== 'PaymentSettled') {
                        throw new Error(JSON.stringify(addPaymentToOrder));
                    }
                },
                CONCURRENCY,
                PHASE_MS,
            );
            totals[shop.mode].n += result.completed;
            totals[shop.mode].s += result.seconds;
            console.log(
                `metrics ${shop.mode}: ${fmt(result.perSecond)} checkouts/s, p50 ${fmt(result.p50, 0)} ms, p99 ${fmt(result.p99, 0)} ms, failed ${result.failed}${result.errors.length ? ` (${result.errors[0]})` : ''}`,
            );
        }
    } finally {
        clearInterval(scraper);
        shops.forEach(s => s.proc.disconnect());
    }
    const off = totals.off.n / totals.off.s;
    const on = totals.on.n / totals.on.s;
    console.log(
        `checkouts/s without metrics ${fmt(off)}, with metrics ${fmt(on)}: cost ${fmt((1 - on / off) * 100)} % (concurrency ${CONCURRENCY}, ${ROUNDS} rounds of ${PHASE_MS / 1000} s phases)`,
    );
}

if (process.argv[2] === 'child') {
    child(process.argv[3] === 'on').catch(e => {
        console.error(e);
        process.exit(1);
    });
} else {
    main().catch(e => {
        console.error(e);
        process.exit(1);
    });
}
