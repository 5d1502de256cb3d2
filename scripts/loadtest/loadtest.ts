/**
 * `npm run loadtest`: the whole shop under load on the services profile (docs/load-test.md). It makes its own
 * database, seeds the demo shop, starts the provider simulators, one worker and N servers, ramps each scenario
 * step by step, profiles the servers at each scenario's knee, writes `loadtest-report/report.{json,md}`, stops
 * everything and exits 1 only when a scenario's error rate is above the limit. Traffic goes to 127.0.0.0/8 only.
 *
 *   --servers N            server processes (default 1); shoppers go round-robin over them
 *   --quick                short ramp (CI: proves the suite works, not a measurement)
 *   --server-env K=V       extra environment of the servers, repeatable (e.g. SHOP_RESPONSE_CACHE=on)
 *   --scenarios a,b        only these (browse, cart, checkout-zibal, checkout-cod, otp-login, chat)
 *   --step-seconds S       length of each step (default 10, quick 3)
 *   --profile-seconds S    CPU profile window at each knee (default 8; quick: browse only, 3)
 *   --max-error-rate R     failure threshold per scenario (default 0.02)
 *   --out DIR              report folder (default loadtest-report)
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import pidusage from 'pidusage';
import { Client } from 'pg';

import { PROJECT_ROOT } from '../../src/paths';
import { Recorder } from './load-client';
import type { SqlStat } from './probe-protocol';
import { f, findKnee, mergeSql, renderMarkdown, RunReport, ScenarioResult, StepResult } from './report';
import { Budget, otpStats, readCatalog, Scenario, SCENARIOS, ShopUnderTest } from './scenarios';
import { ShopCluster } from './shop-cluster';

interface Options {
    servers: number;
    quick: boolean;
    serverEnv: Record<string, string>;
    scenarios: string[];
    stepSeconds: number;
    profileSeconds: number;
    maxErrorRate: number;
    out: string;
}

function parseArgs(argv: string[]): Options {
    const o: Options = {
        servers: 1,
        quick: false,
        serverEnv: {},
        scenarios: SCENARIOS.map(s => s.name),
        stepSeconds: NaN,
        profileSeconds: NaN,
        maxErrorRate: 0.02,
        out: path.join(PROJECT_ROOT, 'loadtest-report'),
    };
    for (let i = 0; i < argv.length; i++) {
        const a = argv[i];
        const value = () => {
            const v = argv[++i];
            if (v === undefined) {
                throw new Error(`${a} needs a value`);
            }
            return v;
        };
        if (a === '--quick') {
            o.quick = true;
        } else if (a === '--servers') {
            o.servers = Number(value());
        } else if (a === '--server-env') {
            const [k, ...v] = value().split('=');
            o.serverEnv[k] = v.join('=');
        } else if (a === '--scenarios') {
            o.scenarios = value().split(',');
        } else if (a === '--step-seconds') {
            o.stepSeconds = Number(value());
        } else if (a === '--profile-seconds') {
            o.profileSeconds = Number(value());
        } else if (a === '--max-error-rate') {
            o.maxErrorRate = Number(value());
        } else if (a === '--out') {
            o.out = path.resolve(value());
        } else {
            throw new Error(
                `unknown option ${a} (see the comment at the top of scripts/loadtest/loadtest.ts)`,
            );
        }
    }
    if (!Number.isInteger(o.servers) || o.servers < 1 || o.servers > 16) {
        throw new Error('--servers must be 1 to 16');
    }
    const unknown = o.scenarios.filter(n => !SCENARIOS.some(s => s.name === n));
    if (unknown.length) {
        throw new Error(`unknown scenario(s): ${unknown.join(', ')}`);
    }
    o.stepSeconds = Number.isFinite(o.stepSeconds) ? o.stepSeconds : o.quick ? 3 : 10;
    o.profileSeconds = Number.isFinite(o.profileSeconds) ? o.profileSeconds : o.quick ? 3 : 8;
    return o;
}

const log = (line: string) => console.log(`[loadtest ${new Date().toISOString().slice(11, 19)}] ${line}`);

/** CPU and memory of the shop's processes, PostgreSQL's backends of this database and the load generator. */
class UsageSampler {
    private samples = new Map<string, { cpu: number[]; rss: number[] }>();
    private poolWaitingMax = 0;
    private timer?: NodeJS.Timeout;
    private cpu0 = process.cpuUsage();
    private t0 = performance.now();

    constructor(
        private readonly cluster: ShopCluster,
        private readonly pgPids: number[],
    ) {}

    start(): void {
        this.cpu0 = process.cpuUsage();
        this.t0 = performance.now();
        // The first pidusage call per pid only primes it (CPU % is per interval).
        void this.tick(true);
        this.timer = setInterval(() => void this.tick(false), 1000);
    }

    private async tick(prime: boolean): Promise<void> {
        const procs = [...this.cluster.pids(), ...this.pgPids.map(pid => ({ role: 'postgres', pid }))];
        const stats: Record<number, pidusage.Status | undefined> = await pidusage(
            procs.map(p => p.pid),
        ).catch(() => ({}));
        if (!prime) {
            const byRole = new Map<string, { cpu: number; rss: number }>();
            for (const p of procs) {
                const s = stats[p.pid];
                if (!s) {
                    continue;
                }
                const role = p.role.startsWith('server-') ? 'server' : p.role;
                const r = byRole.get(role) ?? { cpu: 0, rss: 0 };
                r.cpu += s.cpu;
                r.rss = role === 'postgres' ? r.rss + s.memory : Math.max(r.rss, s.memory);
                byRole.set(role, r);
            }
            for (const [role, r] of byRole) {
                const s = this.samples.get(role) ?? { cpu: [], rss: [] };
                s.cpu.push(r.cpu);
                s.rss.push(r.rss / 1e6);
                this.samples.set(role, s);
            }
        }
        await Promise.all(
            this.cluster.servers.map(s =>
                fetch(s.metricsUrl)
                    .then(r => r.text())
                    .then(text => {
                        const m = /^shop_db_pool_waiting_requests(?:\{[^}]*\})? (\d+(?:\.\d+)?)/m.exec(text);
                        this.poolWaitingMax = Math.max(this.poolWaitingMax, m ? Number(m[1]) : 0);
                    })
                    .catch(() => undefined),
            ),
        );
    }

    stop(): { usage: StepResult['usage']; poolWaitingMax: number } {
        clearInterval(this.timer);
        const usage: StepResult['usage'] = {};
        for (const [role, s] of this.samples) {
            usage[role] = { cpu: s.cpu.reduce((a, b) => a + b, 0) / s.cpu.length, rssMb: Math.max(...s.rss) };
        }
        const cpu = process.cpuUsage(this.cpu0);
        const ms = performance.now() - this.t0;
        usage.loadgen = {
            cpu: (100 * (cpu.user + cpu.system)) / 1000 / ms,
            rssMb: process.memoryUsage().rss / 1e6,
        };
        return { usage, poolWaitingMax: this.poolWaitingMax };
    }
}

async function postgresPids(pg: Client, db: string): Promise<number[]> {
    const { rows } = await pg.query<{ pid: number }>('SELECT pid FROM pg_stat_activity WHERE datname = $1', [
        db,
    ]);
    return rows.map(r => r.pid);
}

/** SQL stats of every server since the last call (and resets them). */
async function takeSql(cluster: ShopCluster) {
    const replies = await Promise.all(
        cluster.servers.map(s => cluster.probe(s, { cmd: 'sql', reset: true }, 'sql')),
    );
    return {
        statements: mergeSql(
            replies.map(r => r.statements),
            40,
        ),
        queries: replies.reduce((n, r) => n + r.queries, 0),
        queryMs: replies.reduce((n, r) => n + r.queryMs, 0),
        poolWaits: replies.reduce(
            (w, r) => ({
                count: w.count + r.poolWaits.count,
                totalMs: w.totalMs + r.poolWaits.totalMs,
                maxMs: Math.max(w.maxMs, r.poolWaits.maxMs),
                over5ms: w.over5ms + r.poolWaits.over5ms,
            }),
            { count: 0, totalMs: 0, maxMs: 0, over5ms: 0 },
        ),
    };
}

const ms = (h: Recorder['requests'], p: number) => (h.totalCount ? h.getValueAtPercentile(p) / 1000 : NaN);

async function runStep(
    cluster: ShopCluster,
    pg: Client,
    shop: ShopUnderTest,
    scenario: Scenario,
    concurrency: number,
    seconds: number,
    budget: Budget,
): Promise<{ step: StepResult; statements: SqlStat[] }> {
    await takeSql(cluster);
    const sampler = new UsageSampler(cluster, await postgresPids(pg, cluster.name));
    const rec = new Recorder();
    sampler.start();
    const t0 = performance.now();
    await scenario.run(shop, concurrency, seconds, rec, budget);
    const elapsed = (performance.now() - t0) / 1000;
    const { usage, poolWaitingMax } = sampler.stop();
    const sql = await takeSql(cluster);
    const step: StepResult = {
        concurrency,
        seconds: elapsed,
        iterations: rec.flowCount,
        iterationsPerSecond: rec.flowCount / elapsed,
        requests: rec.requestCount,
        requestsPerSecond: rec.requestCount / elapsed,
        p50: ms(rec.requests, 50),
        p95: ms(rec.requests, 95),
        p99: ms(rec.requests, 99),
        iterationP50: ms(rec.flows, 50),
        iterationP95: ms(rec.flows, 95),
        errorRate: rec.flowCount ? rec.flowErrors / rec.flowCount : 0,
        errors: Object.fromEntries(rec.errorKinds),
        usage,
        sql: {
            queries: sql.queries,
            queriesPerRequest: rec.requestCount ? sql.queries / rec.requestCount : NaN,
            sqlMsPerRequest: rec.requestCount ? sql.queryMs / rec.requestCount : NaN,
            poolWaits: sql.poolWaits,
        },
        poolWaitingMax,
        loadAverage: os.loadavg()[0],
    };
    rec.destroy();
    log(
        `${scenario.name} @${concurrency}: ${f(step.iterationsPerSecond)} it/s, ${f(step.requestsPerSecond)} req/s, ` +
            `p50/p95/p99 ${f(step.p50, 0)}/${f(step.p95, 0)}/${f(step.p99, 0)} ms, errors ${f(100 * step.errorRate, 2)} %, ` +
            `server CPU ${f(usage.server?.cpu ?? NaN, 0)} %, loadgen CPU ${f(usage.loadgen.cpu, 0)} %`,
    );
    return { step, statements: sql.statements };
}

async function profileAtKnee(
    cluster: ShopCluster,
    shop: ShopUnderTest,
    scenario: Scenario,
    concurrency: number,
    seconds: number,
    dir: string,
): Promise<ScenarioResult['profile']> {
    const server = cluster.servers[0];
    const file = path.join(dir, `${scenario.name}.cpuprofile`);
    await takeSql(cluster);
    await cluster.probe(server, { cmd: 'profile-start' }, 'profiling');
    const rec = new Recorder();
    await scenario.run(shop, concurrency, seconds, rec, new Budget(scenario.budget ? 50 : Infinity));
    rec.destroy();
    const { summary } = await cluster.probe(server, { cmd: 'profile-stop', file }, 'profile');
    const sql = await takeSql(cluster);
    log(
        `${scenario.name}: profiled server 0 at ${concurrency} concurrent; top modules: ` +
            summary.modules
                .slice(0, 4)
                .map(m => `${m.name} ${f(m.percent, 0)} %`)
                .join(', '),
    );
    return {
        concurrency,
        seconds: summary.seconds,
        file: path.relative(PROJECT_ROOT, file),
        summary,
        sql: sql.statements,
    };
}

async function main(): Promise<void> {
    const options = parseArgs(process.argv.slice(2));
    const pgUrl = process.env.DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres';
    const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
    for (const u of [pgUrl, redisUrl]) {
        const host = new URL(u).hostname;
        if (!/^(127\.\d+\.\d+\.\d+|localhost|\[::1\])$/.test(host)) {
            throw new Error(`the load test runs against local services only, not ${host}`);
        }
    }
    const started = new Date();
    const t0 = performance.now();
    fs.rmSync(options.out, { recursive: true, force: true });
    const dir = path.join(options.out, 'run');
    fs.mkdirSync(dir, { recursive: true });
    const cluster = new ShopCluster({
        servers: options.servers,
        pgUrl,
        redisUrl,
        serverEnv: options.serverEnv,
        dir,
        log,
    });
    const pg = new Client({ connectionString: pgUrl });
    let stopping = false;
    const stop = async () => {
        if (!stopping) {
            log('stopping the shop');
            stopping = true;
            await pg.end().catch(() => undefined);
            await cluster.stop();
        }
    };
    process.once('SIGINT', () => void stop().then(() => process.exit(130)));
    process.once('SIGTERM', () => void stop().then(() => process.exit(143)));
    const results: ScenarioResult[] = [];
    const notes: string[] = [];
    let postgres = '';
    try {
        await pg.connect();
        postgres = (await pg.query<{ v: string }>("SELECT current_setting('server_version') AS v")).rows[0].v;
        await cluster.start();
        const shop = await readCatalog(
            cluster.servers.map(s => s.url),
            cluster.simulatorUrl,
        );
        log(
            `catalog: ${shop.slugs.length} products, ${shop.variantIds.length} variants, ${shop.facetValueIds.length} facet values`,
        );
        for (const scenario of SCENARIOS.filter(s => options.scenarios.includes(s.name))) {
            const budget = new Budget(scenario.budget);
            const steps: StepResult[] = [];
            const statements: SqlStat[][] = [];
            for (const c of options.quick ? scenario.steps.quick : scenario.steps.full) {
                if (budget.left <= 0) {
                    notes.push(
                        `${scenario.name}: the ramp stopped before ${c} concurrent: its budget of ${scenario.budget} iterations was spent.`,
                    );
                    break;
                }
                const r = await runStep(cluster, pg, shop, scenario, c, options.stepSeconds, budget);
                steps.push(r.step);
                statements.push(r.statements);
                if (r.step.errorRate > 0.5) {
                    notes.push(
                        `${scenario.name}: the ramp stopped after ${c} concurrent: ${f(100 * r.step.errorRate, 0)} % of the iterations failed.`,
                    );
                    break;
                }
            }
            const { knee, reason } = findKnee(steps);
            const iterations = steps.reduce((n, s) => n + s.iterations, 0);
            const failed = steps.reduce((n, s) => n + s.errorRate * s.iterations, 0);
            const result: ScenarioResult = {
                name: scenario.name,
                iteration: scenario.iteration,
                steps,
                knee,
                kneeReason: reason,
                errorRate: iterations ? failed / iterations : 1,
                sql: mergeSql(statements),
            };
            const failing = steps.some(s => s.errorRate > 0.5);
            if (!failing && (!options.quick || scenario.name === 'browse')) {
                result.profile = await profileAtKnee(
                    cluster,
                    shop,
                    scenario,
                    knee,
                    options.profileSeconds,
                    dir,
                );
            }
            results.push(result);
        }
        if (otpStats.challenges) {
            notes.push(
                `otp-login: ${otpStats.challenges} code requests were answered with the proof-of-work challenge (the shop asks once 100 codes went out in the hour) and solved by the load generator, as a storefront would.`,
            );
        }
    } finally {
        await stop();
    }
    const passed = results.length > 0 && results.every(r => r.errorRate <= options.maxErrorRate);
    const report: RunReport = {
        startedAt: started.toISOString(),
        command: `npm run loadtest -- ${process.argv.slice(2).join(' ')}`.trim().replace(/ --$/, ''),
        machine: {
            cpus: os.cpus().length,
            model: os.cpus()[0]?.model ?? 'unknown',
            memoryGb: os.totalmem() / 2 ** 30,
            node: process.version,
            postgres,
        },
        servers: options.servers,
        serverEnv: options.serverEnv,
        quick: options.quick,
        stepSeconds: options.stepSeconds,
        seconds: (performance.now() - t0) / 1000,
        scenarios: results,
        notes,
        passed,
        maxErrorRate: options.maxErrorRate,
    };
    fs.writeFileSync(path.join(options.out, 'report.json'), JSON.stringify(report, null, 2));
    fs.writeFileSync(path.join(options.out, 'report.md'), renderMarkdown(report));
    log(
        `report: ${path.relative(process.cwd(), path.join(options.out, 'report.md'))} (${f(report.seconds, 0)} s)`,
    );
    for (const r of results) {
        const k = r.steps.find(s => s.concurrency === r.knee)!;
        log(
            `${r.name.padEnd(15)} knee ${String(r.knee).padStart(3)}: ${f(k.iterationsPerSecond).padStart(6)} it/s, p95 ${f(k.p95, 0).padStart(5)} ms, errors ${f(100 * r.errorRate, 2)} %`,
        );
    }
    if (!passed) {
        log(
            `FAILED: a scenario's error rate is above ${f(100 * options.maxErrorRate, 1)} % (or nothing ran)`,
        );
        process.exitCode = 1;
    }
}

main().catch(e => {
    console.error(e);
    process.exitCode = 1;
});
