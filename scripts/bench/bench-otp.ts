import { ChildProcess, fork } from 'node:child_process';
import fs from 'node:fs';
import inspector from 'node:inspector';
import os from 'node:os';
import path from 'node:path';

import { SmsOtpPlugin } from '../../plugins/sms-otp';
import { startServer } from '../../src/bootstrap';
import { createScratchDatabase, deleteRedisKeys, ScratchDatabase } from '../../src/db/scratch-database';
import { ProviderSimulators } from '../../src/simulators/simulator-server';
import { resolveProviderUrls } from '../../src/simulators/provider-urls';

import { benchAppConfig, nextMessage } from './bench-utils';

/**
 * `npm run bench:otp`: SMS login throughput of ONE server process against the SMS.ir simulator.
 *
 * The parent process runs the simulators (the shopper reads the code from the simulator's inbox in memory) and
 * the load generator; a forked child runs the server alone, with SQLite, or PostgreSQL + Redis when
 * DATABASE_URL / REDIS_URL are set (a scratch database is created and dropped). Phases, each BENCH_SECONDS
 * (default 10) at BENCH_CONCURRENCY (default 16) shoppers:
 *   1. baseline: the Shop API `activeCustomer` query (anonymous), the cheapest authenticated-path request;
 *   2. `requestLoginOtp` alone (the send path: limiter, SMS.ir call, one insert);
 *   3. sign-up pairs: `requestLoginOtp` + `authenticate(smsOtp)` for numbers without an account;
 *   4. login pairs: the same for numbers that have an account.
 * The cooldown and the challenge are off and the caps are raised for the run, so every pair does the full work.
 *
 * Besides rates and latencies, each phase reports the server process's CPU time per operation (user + system,
 * all its threads) and how busy its event loop was: on a shared machine the rates move with the other load,
 * the CPU cost of one operation much less. BENCH_CPU_PROFILE=<dir> writes one V8 CPU profile of the server per
 * phase there. `node dist/scripts/bench/otp-sql-trace.js` lists the SQL statements of each request.
 */

type Phase = {
    name: string;
    ops: number;
    errors: number;
    seconds: number;
    latencies: number[];
    peakRssMb: number;
    /** Server process CPU time (user + system, all threads incl. GC) during the phase, in ms. */
    serverCpuMs: number;
    /** Share of the phase the server's event loop (its one JS thread) was busy, 0..1. */
    serverElu: number;
};

const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 16);

async function serve(): Promise<void> {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-otp-'));
    const app = benchAppConfig(dir, `bench_otp_${process.pid}`);
    const providers = resolveProviderUrls(app, process.env.BENCH_SIMULATOR_URL!);
    const server = await startServer(app, {
        providers,
        seed: false,
        adjustConfig: config => {
            SmsOtpPlugin.init({
                ...SmsOtpPlugin.options,
                resendCooldownSeconds: 0,
                caps: {
                    phone: { hourly: 1_000, daily: 1_000 },
                    ip: { hourly: 10_000_000, daily: 10_000_000 },
                    network: { hourly: 10_000_000, daily: 10_000_000 },
                    global: { hourly: 10_000_000, daily: 10_000_000 },
                },
                challenge: false,
            });
            return config;
        },
    });
    let peak = process.memoryUsage.rss();
    let cpu = process.cpuUsage();
    let elu = performance.eventLoopUtilization();
    setInterval(() => (peak = Math.max(peak, process.memoryUsage.rss())), 50).unref();
    // BENCH_CPU_PROFILE=<dir>: one V8 CPU profile of the server per phase, written there.
    const profileDir = process.env.BENCH_CPU_PROFILE;
    const profiler = profileDir ? new inspector.Session() : undefined;
    const post = (method: string) =>
        new Promise<unknown>((resolve, reject) =>
            profiler!.post(method, (err, result) => (err ? reject(err) : resolve(result))),
        );
    if (profiler) {
        profiler.connect();
        await post('Profiler.enable');
    }
    process.on('message', (m: { kind: string; phase: string }) => {
        if (m.kind === 'start') {
            void (async () => {
                peak = process.memoryUsage.rss();
                cpu = process.cpuUsage();
                elu = performance.eventLoopUtilization();
                if (profiler) {
                    await post('Profiler.start');
                }
                process.send!({ kind: 'ack' });
            })();
        } else if (m.kind === 'report') {
            const used = process.cpuUsage(cpu);
            const utilization = performance.eventLoopUtilization(elu).utilization;
            void (async () => {
                if (profiler) {
                    const { profile } = (await post('Profiler.stop')) as { profile: object };
                    const file = `${m.phase.split(':')[0].replace(/[^a-z0-9]+/gi, '-')}.cpuprofile`;
                    fs.writeFileSync(path.join(profileDir!, file), JSON.stringify(profile));
                }
                process.send!({
                    kind: 'peak',
                    rssMb: peak / 1024 / 1024,
                    cpuMs: (used.user + used.system) / 1000,
                    elu: utilization,
                });
            })();
        } else if (m.kind === 'stop') {
            void server.close().then(async () => {
                await deleteRedisKeys(app.redisUrl, app.redisPrefix);
                fs.rmSync(dir, { recursive: true, force: true });
                process.exit(0);
            });
        }
    });
    process.send!({ kind: 'ready', port: server.port });
}

async function main(): Promise<void> {
    const sims = new ProviderSimulators();
    const simUrl = await sims.listen(0);
    const scratch = await scratchDatabase();
    if (process.env.BENCH_CPU_PROFILE) {
        fs.mkdirSync(process.env.BENCH_CPU_PROFILE, { recursive: true });
    }
    const child = fork(__filename, ['--serve'], {
        env: {
            ...process.env,
            BENCH_SIMULATOR_URL: simUrl,
            SMSIR_API_URL: `${simUrl}/smsir`,
            ZIBAL_API_URL: `${simUrl}/zibal`,
            POSTEX_API_URL: `${simUrl}/postex/api/v1`,
            ...(scratch ? { DATABASE_URL: scratch.url } : {}),
        },
    });
    try {
        const { port } = await nextMessage<{ port: number }>(child, 'ready');
        const shopApi = `http://127.0.0.1:${port}/shop-api`;
        const phones: string[] = [];
        let next = 0;
        // One storefront session per simulated shopper for the baseline.
        const sessions = Array.from({ length: CONCURRENCY }, () => ({}) as { token?: string });
        const newPhone = () => `0935${String(next++).padStart(7, '0')}`;

        // Warm-up (JIT, schema, connection pools): not reported.
        await phase(
            child,
            'warm-up',
            async () => (await gql(shopApi, 'query { activeCustomer { id } }')).data !== undefined,
            2,
        );
        const phases: Phase[] = [];
        phases.push(
            await phase(child, 'baseline: activeCustomer query (anonymous session)', async worker => {
                const body = await gql(shopApi, 'query { activeCustomer { id } }', {}, sessions[worker]);
                return body.data?.activeCustomer === null;
            }),
        );
        phases.push(
            await phase(child, 'requestLoginOtp alone (new number)', async () => {
                const sent = await gql(
                    shopApi,
                    'mutation($p:String!){requestLoginOtp(phoneNumber:$p){__typename}}',
                    { p: `0936${String(next++).padStart(7, '0')}` },
                );
                return sent.data?.requestLoginOtp?.__typename === 'RequestLoginOtpSuccess';
            }),
        );
        const pair = async (phone: string) => {
            const sent = await gql(
                shopApi,
                'mutation($p:String!){requestLoginOtp(phoneNumber:$p){__typename}}',
                {
                    p: phone,
                },
            );
            if (sent.data?.requestLoginOtp?.__typename !== 'RequestLoginOtpSuccess') {
                return false;
            }
            const code = sims.smsir.lastCodeTo(phone);
            const auth = await gql(
                shopApi,
                'mutation($p:String!,$c:String!){authenticate(input:{smsOtp:{phoneNumber:$p,code:$c}}){__typename}}',
                { p: phone, c: code },
            );
            return auth.data?.authenticate?.__typename === 'CurrentUser';
        };
        phases.push(
            await phase(child, 'sign-up pairs: requestLoginOtp + authenticate (new number)', async () => {
                const phone = newPhone();
                const ok = await pair(phone);
                if (ok) {
                    phones.push(phone);
                }
                return ok;
            }),
        );
        let cursor = 0;
        phases.push(
            await phase(child, 'login pairs: requestLoginOtp + authenticate (existing account)', async () =>
                pair(phones[cursor++ % phones.length]),
            ),
        );
        report(phases, scratch ? 'PostgreSQL + Redis' : 'SQLite (embedded)');
    } finally {
        child.send({ kind: 'stop' });
        await new Promise(resolve => child.once('exit', resolve));
        await sims.close();
        await scratch?.drop();
    }
}

async function phase(
    child: ChildProcess,
    name: string,
    op: (worker: number) => Promise<boolean>,
    seconds = SECONDS,
): Promise<Phase> {
    child.send({ kind: 'start', phase: name });
    await nextMessage(child, 'ack');
    const latencies: number[] = [];
    let ops = 0;
    let errors = 0;
    const started = Date.now();
    const deadline = started + seconds * 1000;
    await Promise.all(
        Array.from({ length: CONCURRENCY }, async (_, worker) => {
            while (Date.now() < deadline) {
                const t0 = performance.now();
                const ok = await op(worker).catch(() => false);
                latencies.push(performance.now() - t0);
                if (ok) {
                    ops++;
                } else {
                    errors++;
                }
            }
        }),
    );
    child.send({ kind: 'report', phase: name });
    const { rssMb, cpuMs, elu } = await nextMessage<{ rssMb: number; cpuMs: number; elu: number }>(
        child,
        'peak',
    );
    return {
        name,
        ops,
        errors,
        seconds: (Date.now() - started) / 1000,
        latencies,
        peakRssMb: rssMb,
        serverCpuMs: cpuMs,
        serverElu: elu,
    };
}

function report(phases: Phase[], db: string): void {
    const baseline = phases[0].ops / phases[0].seconds;
    console.log(
        `\nbench:otp — one server process (${db}), Node ${process.version}, ${os.cpus().length} cores, ` +
            `${CONCURRENCY} concurrent shoppers, ${SECONDS} s per phase, load generator + simulator on the same machine; ` +
            `load average at the end ${os
                .loadavg()
                .map(l => l.toFixed(2))
                .join(' ')}\n`,
    );
    console.log(
        '| phase | ops/s | vs baseline | p50 ms | p95 ms | errors | server CPU ms/op | server event loop busy | server peak RSS MB |',
    );
    console.log('|---|---|---|---|---|---|---|---|---|');
    for (const p of phases) {
        const rate = p.ops / p.seconds;
        const sorted = [...p.latencies].sort((a, b) => a - b);
        const pct = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0;
        console.log(
            `| ${p.name} | ${rate.toFixed(0)} | ${(rate / baseline).toFixed(2)}× | ${pct(0.5).toFixed(1)} | ${pct(0.95).toFixed(1)} | ${p.errors} | ${(p.serverCpuMs / Math.max(p.ops, 1)).toFixed(2)} | ${(p.serverElu * 100).toFixed(0)} % | ${p.peakRssMb.toFixed(0)} |`,
        );
    }
}

type GqlBody = { data?: Record<string, { __typename?: string; id?: string } | null> };

/** One Shop API call; with `session`, the bearer token is kept between calls like a storefront does. */
async function gql(
    url: string,
    query: string,
    variables?: Record<string, unknown>,
    session?: { token?: string },
): Promise<GqlBody> {
    const res = await fetch(url, {
        method: 'POST',
        headers: {
            'content-type': 'application/json',
            ...(session?.token ? { authorization: `Bearer ${session.token}` } : {}),
        },
        body: JSON.stringify({ query, variables }),
    });
    if (session) {
        session.token = res.headers.get('vendure-auth-token') ?? session.token;
    }
    return (await res.json()) as GqlBody;
}

async function scratchDatabase(): Promise<ScratchDatabase | undefined> {
    const base = process.env.DATABASE_URL;
    return base ? createScratchDatabase(base, `bench_otp_${process.pid}`) : undefined;
}

(process.argv.includes('--serve') ? serve() : main()).catch(e => {
    console.error(e);
    process.exit(1);
});
