import { fork } from 'node:child_process';
import path from 'node:path';

import { VendureConfig } from '@vendure/core';
import { SimpleGraphQLClient } from '@vendure/testing';

import { MetricsService } from '../../src/metrics/metrics.plugin';
import { createTestPaymentMethod, withDummyPayment } from '../../src/testing/checkout-helpers';
import { OtlpReceiver } from '../../src/testing/otlp-receiver';
import { createTestShop } from '../../src/testing/test-shop';
import { tracingStarted } from '../../src/tracing/tracing-state';

import { fmt, nextMessage, runLoad } from './bench-utils';
import { checkoutLoad } from './checkout-load';

/**
 * `npm run bench:observability`: what metrics and tracing cost together. Two shops in two processes: "off" with
 * neither, "on" with METRICS_PORT (scraped every 5 s, three times Prometheus's default rate) and tracing (started by
 * `--require dist/src/tracing/preload.js`, exporting every span by OTLP/HTTP to a receiver in this process).
 * Dummy-payment checkouts (src/testing checkout, 7 Shop API calls each) alternate between them (off, on, off, on,
 * ...: BENCH_ROUNDS rounds) so drift on a shared machine hits both alike. Prints checkouts/s of each and the ratio.
 */
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 4);
const PHASE_MS = Number(process.env.BENCH_PHASE_SECONDS ?? 20) * 1000;
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const PRELOAD = path.join(__dirname, '../../src/tracing/preload.js');

type Mode = 'off' | 'on';

interface Ready {
    baseUrl: string;
    metricsPort?: number;
    tracing: boolean;
}

async function child(mode: Mode): Promise<void> {
    const t = await createTestShop({
        adjustConfig: withDummyPayment,
        env: mode === 'on' ? { METRICS_PORT: '0', LOG_LEVEL: 'warn' } : { LOG_LEVEL: 'warn' },
    });
    await createTestPaymentMethod(t.admin, 'dummy');
    const metricsPort = mode === 'on' ? t.server.app.get(MetricsService).address?.port : undefined;
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
                execArgv: mode === 'on' ? [...process.execArgv, '--require', PRELOAD] : process.execArgv,
                env: mode === 'on' ? { ...baseEnv, OTEL_EXPORTER_OTLP_ENDPOINT: otlp } : baseEnv,
            });
            const ready = await nextMessage<Ready>(proc, 'ready');
            return { mode, proc, ...ready };
        }),
    );
    const [off, on] = shops;
    if (off.tracing || !on.tracing || on.metricsPort === undefined) {
        throw new Error(`Unexpected set-up: off traces ${off.tracing}, on traces ${on.tracing}`);
    }
    const config = {
        authOptions: { authTokenHeaderKey: 'vendure-auth-token' },
        apiOptions: { channelTokenKey: 'vendure-token' },
    } as unknown as Required<VendureConfig>;
    const scrapeUrl = `http://127.0.0.1:${on.metricsPort}/metrics`;
    const scraper = setInterval(() => void fetch(scrapeUrl).then(r => r.text()), 5000);
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
        // Warm-up of both (JIT, caches, the first exports).
        for (const shop of shops) {
            await runLoad((w, i) => loads[shop.mode].dummyCheckout(w * 1000 + i), CONCURRENCY, 5000);
        }
        let n = 0;
        // off, on, on, off, off, on, ...: neither mode always runs first, after the other's load.
        const order = Array.from({ length: ROUNDS }, (_, r) => (r % 2 ? [on, off] : [off, on])).flat();
        for (const shop of order) {
            const cpuBefore = await cpuOf(shop);
            const result = await runLoad(() => loads[shop.mode].dummyCheckout(n++), CONCURRENCY, PHASE_MS);
            const cpuMs = (await cpuOf(shop)) - cpuBefore;
            const total = totals[shop.mode];
            total.n += result.completed;
            total.s += result.seconds;
            total.cpuMs += cpuMs;
            total.rounds.push(result.perSecond);
            total.cpu.push(cpuMs / result.completed);
            console.log(
                `${shop.mode}: ${fmt(result.perSecond, 2)} checkouts/s, server CPU ${fmt(cpuMs / result.completed, 0)} ms per checkout, p50 ${fmt(result.p50, 0)} ms, p99 ${fmt(result.p99, 0)} ms, failed ${result.failed}${result.errors.length ? ` (${result.errors[0]})` : ''}`,
            );
        }
    } finally {
        clearInterval(scraper);
        shops.forEach(s => s.proc.disconnect());
    }
    const offRate = totals.off.n / totals.off.s;
    const onRate = totals.on.n / totals.on.s;
    const offCpu = totals.off.cpuMs / totals.off.n;
    const onCpu = totals.on.cpuMs / totals.on.n;
    console.log(
        '| round | off: checkouts/s | on: checkouts/s | off: server CPU ms/checkout | on: server CPU ms/checkout |',
    );
    console.log(
        '| ----- | ---------------- | --------------- | --------------------------- | -------------------------- |',
    );
    totals.off.rounds.forEach((r, i) =>
        console.log(
            `| ${i + 1} | ${fmt(r, 2)} | ${fmt(totals.on.rounds[i], 2)} | ${fmt(totals.off.cpu[i], 0)} | ${fmt(totals.on.cpu[i], 0)} |`,
        ),
    );
    console.log(`| all | ${fmt(offRate, 2)} | ${fmt(onRate, 2)} | ${fmt(offCpu, 0)} | ${fmt(onCpu, 0)} |`);
    console.log(
        `throughput ratio on/off ${fmt(onRate / offRate, 3)} (cost ${fmt((1 - onRate / offRate) * 100)} %); server CPU per checkout on/off ${fmt(onCpu / offCpu, 3)} (cost ${fmt((onCpu / offCpu - 1) * 100)} %); target <= 5 %. ${receiver.exports} OTLP exports received (concurrency ${CONCURRENCY}, ${ROUNDS} rounds of ${PHASE_MS / 1000} s phases)`,
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
