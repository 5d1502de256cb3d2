import { fork } from 'node:child_process';
import path from 'node:path';

import { VendureConfig } from '@vendure/core';
import { SimpleGraphQLClient } from '@vendure/testing';
import gql from 'graphql-tag';

import { MetricsService } from '../../src/metrics/metrics.plugin';
import {
    createTestPaymentMethod,
    FIRST_VARIANT_IDS,
    withDummyPayment,
} from '../../src/testing/checkout-helpers';
import { OtlpReceiver } from '../../src/testing/otlp-receiver';
import { createTestShop } from '../../src/testing/test-shop';
import { tracingStarted } from '../../src/tracing/tracing-state';

import { fmt, nextMessage, percentiles, runLoad } from './bench-utils';
import { checkoutLoad } from './checkout-load';

/**
 * `npm run bench:observability`: what metrics and tracing cost together. Two shops in two processes: "off" with
 * neither, "on" with METRICS_PORT (scraped every 5 s, three times Prometheus's default rate) and tracing (started by
 * `--require dist/src/tracing/preload.js`, exporting every span by OTLP/HTTP to a receiver in this process).
 * Dummy-payment checkouts (scripts/bench/checkout-load.ts, 7 Shop API calls each) alternate between them checkout by
 * checkout, so drift on a shared machine hits both alike. Prints the server CPU time per checkout of each (the cost;
 * throughput is shared by construction) and the p50 latency, per round (BENCH_ROUNDS) and in all, and the ratio.
 */
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 4);
const PHASE_MS = Number(process.env.BENCH_PHASE_SECONDS ?? 20) * 1000;
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
/** Both shops under the measured load before the first round: the JIT settles, the first exports are done. */
const WARMUP_MS = Number(process.env.BENCH_WARMUP_SECONDS ?? 20) * 1000;
const PRELOAD = path.join(__dirname, '../../src/tracing/preload.js');
/** What the "on" shop has: BENCH_ON=metrics,tracing (default), one of them to see its share, or none (the noise floor). */
const ON = new Set((process.env.BENCH_ON ?? 'metrics,tracing').split(','));

type Mode = 'off' | 'on';

const SET_STOCK = gql`
    mutation ($input: [UpdateProductVariantInput!]!) {
        updateProductVariants(input: $input) {
            id
        }
    }
`;

interface Ready {
    baseUrl: string;
    metricsPort?: number;
    tracing: boolean;
}

async function child(mode: Mode): Promise<void> {
    const t = await createTestShop({
        adjustConfig: withDummyPayment,
        env:
            mode === 'on' && ON.has('metrics')
                ? { METRICS_PORT: '0', LOG_LEVEL: 'warn' }
                : { LOG_LEVEL: 'warn' },
    });
    await createTestPaymentMethod(t.admin, 'dummy');
    // Stock for any number of rounds: a checkout refused for stock would cost CPU without being counted.
    const { products } = await t.admin.query(FIRST_VARIANT_IDS);
    await t.admin.query(SET_STOCK, {
        input: products.items.map((p: { variants: Array<{ id: string }> }) => ({
            id: p.variants[0].id,
            stockOnHand: 1_000_000,
        })),
    });
    const metricsPort =
        mode === 'on' && ON.has('metrics') ? t.server.app.get(MetricsService).address?.port : undefined;
    process.send!({ kind: 'ready', baseUrl: t.baseUrl, metricsPort, tracing: tracingStarted() });
    // CPU time of this process (the shop's server), asked for around each phase.
    process.on('message', (m: { kind: string }) => {
        if (m.kind === 'cpu') {
            const { user, system } = process.cpuUsage();
            process.send!({ kind: 'cpu', ms: (user + system) / 1000 });
        }
    });
    process.once('disconnect', () => void t.close().then(() => process.exit(0)));
}

async function main(): Promise<void> {
    const receiver = new OtlpReceiver();
    receiver.countOnly = true;
    const otlp = await receiver.listen();
    const { OTEL_EXPORTER_OTLP_ENDPOINT: _unset, METRICS_PORT: _off, ...baseEnv } = process.env;
    const shops = await Promise.all(
        (['off', 'on'] as const).map(async mode => {
            const proc = fork(__filename, ['child', mode], {
                stdio: 'inherit',
                execArgv: [
                    ...process.execArgv,
                    ...(mode === 'on' && ON.has('tracing') ? ['--require', PRELOAD] : []),
                    // BENCH_CPU_PROFILE=<dir>: a V8 CPU profile of each shop, written when it exits.
                    ...(process.env.BENCH_CPU_PROFILE
                        ? [
                              '--cpu-prof',
                              `--cpu-prof-dir=${process.env.BENCH_CPU_PROFILE}`,
                              `--cpu-prof-name=${mode}.cpuprofile`,
                          ]
                        : []),
                ],
                env:
                    mode === 'on' && ON.has('tracing')
                        ? { ...baseEnv, OTEL_EXPORTER_OTLP_ENDPOINT: otlp }
                        : baseEnv,
            });
            const ready = await nextMessage<Ready>(proc, 'ready');
            return { mode, proc, ...ready };
        }),
    );
    const [off, on] = shops;
    if (
        off.tracing ||
        on.tracing !== ON.has('tracing') ||
        (on.metricsPort !== undefined) !== ON.has('metrics')
    ) {
        throw new Error(`Unexpected set-up: off traces ${off.tracing}, on traces ${on.tracing}`);
    }
    const config = {
        authOptions: { authTokenHeaderKey: 'vendure-auth-token' },
        apiOptions: { channelTokenKey: 'vendure-token' },
    } as unknown as Required<VendureConfig>;
    const scrapeUrl = `http://127.0.0.1:${on.metricsPort}/metrics`;
    const scraper = setInterval(
        () => void (on.metricsPort !== undefined && fetch(scrapeUrl).then(r => r.text())),
        5000,
    );
    // Per mode: checkouts, seconds, server CPU, and per round the p50 latency and CPU ms per checkout.
    const totals: Record<Mode, { n: number; s: number; cpuMs: number; rounds: number[]; cpu: number[] }> = {
        off: { n: 0, s: 0, cpuMs: 0, rounds: [], cpu: [] },
        on: { n: 0, s: 0, cpuMs: 0, rounds: [], cpu: [] },
    };
    const cpuOf = async (shop: (typeof shops)[number]) => {
        const reply = nextMessage<{ ms: number }>(shop.proc, 'cpu');
        shop.proc.send({ kind: 'cpu' });
        return (await reply).ms;
    };
    try {
        const loads = {
            off: await checkoutLoad(() => new SimpleGraphQLClient(config, `${off.baseUrl}/shop-api`)),
            on: await checkoutLoad(() => new SimpleGraphQLClient(config, `${on.baseUrl}/shop-api`)),
        };
        let n = 0;
        // Warm-up of both, alternating as measured (JIT, caches, the first exports): the first measured round cost
        // more with 5 s per shop (the instrumented paths optimise later), which a long-running server does not pay.
        await runLoad(
            (worker, i) => loads[(worker + i) % 2 ? 'on' : 'off'].dummyCheckout(n++),
            CONCURRENCY,
            WARMUP_MS,
        );
        // Each shopper alternates between the two shops checkout by checkout, so both run at the same time under
        // the same load from neighbours (phases of one mode after the other drifted by a factor of two here).
        for (let round = 0; round < ROUNDS; round++) {
            const latencies: Record<Mode, number[]> = { off: [], on: [] };
            const cpuBefore = { off: await cpuOf(off), on: await cpuOf(on) };
            const result = await runLoad(
                async (worker, i) => {
                    const mode: Mode = (worker + i) % 2 ? 'on' : 'off';
                    const t0 = performance.now();
                    await loads[mode].dummyCheckout(n++);
                    latencies[mode].push(performance.now() - t0);
                },
                CONCURRENCY,
                PHASE_MS,
            );
            for (const mode of ['off', 'on'] as const) {
                const cpuMs = (await cpuOf(mode === 'off' ? off : on)) - cpuBefore[mode];
                const total = totals[mode];
                const done = latencies[mode].length;
                total.n += done;
                total.s += result.seconds;
                total.cpuMs += cpuMs;
                total.rounds.push(percentiles(latencies[mode]).p50);
                total.cpu.push(cpuMs / done);
            }
            console.log(
                `round ${round + 1}: ${result.completed} checkouts in ${fmt(result.seconds, 0)} s, failed ${result.failed}${result.errors.length ? ` (${result.errors[0]})` : ''}; server CPU ms per checkout off ${fmt(totals.off.cpu[round], 0)}, on ${fmt(totals.on.cpu[round], 0)}; p50 ms off ${fmt(totals.off.rounds[round], 0)}, on ${fmt(totals.on.rounds[round], 0)}`,
            );
        }
    } finally {
        clearInterval(scraper);
        shops.forEach(s => s.proc.disconnect());
    }
    const offCpu = totals.off.cpuMs / totals.off.n;
    const onCpu = totals.on.cpuMs / totals.on.n;
    console.log('| round | server CPU ms/checkout, off | on | p50 ms, off | on |');
    console.log('| ----- | --------------------------- | -- | ----------- | -- |');
    totals.off.cpu.forEach((c, i) =>
        console.log(
            `| ${i + 1} | ${fmt(c, 1)} | ${fmt(totals.on.cpu[i], 1)} | ${fmt(totals.off.rounds[i], 0)} | ${fmt(totals.on.rounds[i], 0)} |`,
        ),
    );
    console.log(`| all | ${fmt(offCpu, 1)} | ${fmt(onCpu, 1)} | | |`);
    const sampler = `${process.env.OTEL_TRACES_SAMPLER ?? 'parentbased_always_on'} ${process.env.OTEL_TRACES_SAMPLER_ARG ?? ''}`;
    console.log(
        `"on" = ${[...ON].join(' + ')}; server CPU per checkout on/off ${fmt(onCpu / offCpu, 3)} (cost ${fmt((onCpu / offCpu - 1) * 100)} %, target <= 5 %); ${totals.off.n} + ${totals.on.n} checkouts; ${receiver.exports} OTLP exports received (concurrency ${CONCURRENCY}, ${ROUNDS} rounds of ${PHASE_MS / 1000} s; sampler ${sampler.trim()})`,
    );
    await receiver.close();
}

if (process.argv[2] === 'child') {
    child(process.argv[3] as Mode).catch(e => {
        console.error(e);
        process.exit(1);
    });
} else {
    main().catch(e => {
        console.error(e);
        process.exit(1);
    });
}
