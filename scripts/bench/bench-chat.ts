import { ChildProcess, fork, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import Redis from 'ioredis';
import { Client } from 'pg';

import { loadAppConfig } from '../../src/config/app-config';
import { createScratchDatabase, deleteRedisKeys } from '../../src/db/scratch-database';
import { PROJECT_ROOT } from '../../src/paths';

import { fmt, nextMessage, Percentiles, percentiles, waitForHealthy } from './bench-utils';
import type { Arrival, ClientCommand, ClientReply, ClientTarget, SentRecord } from './chat-load-client';

/**
 * `npm run bench:chat`: the support chat on two server processes sharing PostgreSQL and Redis, as two pods
 * behind a load balancer. Shopper sockets (guest sessions) and a few staff sockets are spread over both
 * instances; shoppers send BENCH_RATE messages per second in total (open loop), staff answer shoppers on the
 * other instance. Measured: delivery latency from `emit` to `message:new` on a socket of the OTHER instance
 * (through the Redis adapter) and of the same instance, lost and duplicated deliveries, and server memory per
 * socket. Baseline in the same run: a bare socket.io server pair with the same Redis adapter relaying the same
 * events (chat-baseline-server.ts), with the same sockets and traffic.
 *
 * Env: BENCH_SOCKETS_PER_INSTANCE (shopper sockets per instance, 2000), BENCH_RATE (messages/s in total, 200),
 * BENCH_SECONDS (measured window, 120), BENCH_STAFF_PER_INSTANCE (5), BENCH_STAFF_RATE (staff replies/s, part
 * of BENCH_RATE, 8), BENCH_CLIENT_PROCS (load-generator processes, 2), BENCH_DATABASE_URL, BENCH_REDIS_URL,
 * BENCH_CPU_PROFILE=<dir> (V8 CPU profiles of the two Vendure servers), BENCH_ONLY=baseline|vendure.
 */

const env = process.env;
const SHOPPERS = Number(env.BENCH_SOCKETS_PER_INSTANCE ?? 2000);
const RATE = Number(env.BENCH_RATE ?? 200);
// Two minutes: whether a window holds one of the servers' major garbage collections decides much of its p99
// (30-s windows of the same code gave 42-265 ms before HEAP_GROWING_PERCENT; see docs/benchmarks.md).
const SECONDS = Number(env.BENCH_SECONDS ?? 120);
const STAFF = Number(env.BENCH_STAFF_PER_INSTANCE ?? 5);
const STAFF_RATE = Number(env.BENCH_STAFF_RATE ?? 8);
const CLIENT_PROCS = Number(env.BENCH_CLIENT_PROCS ?? 2);
const CONNECT_CONCURRENCY = Number(env.BENCH_CONNECT_CONCURRENCY ?? 50);
const DATABASE_URL = env.BENCH_DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres';
const REDIS_URL = env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379';
/** Sockets sit idle this long before the "after connect" memory reading. */
const IDLE_MS = 5_000;
/**
 * After the last acknowledgement (or ack timeout, 30 s) the sockets are given until no delivery has come for
 * this long (at most DRAIN_MAX_MS); what has not arrived then counts as lost.
 */
const DRAIN_QUIET_MS = 5_000;
const DRAIN_MAX_MS = 120_000;
const TARGET_P99_MS = 100;
const PORT = Number(env.BENCH_PORT ?? 3570);

const DIST = path.join(PROJECT_ROOT, 'dist');
const SERVER_JS = path.join(DIST, 'src/server.js');
const BASELINE_JS = path.join(DIST, 'scripts/bench/chat-baseline-server.js');
const PROBE_JS = path.join(DIST, 'scripts/bench/memory-probe.js');
const CLIENT_JS = path.join(DIST, 'scripts/bench/chat-load-client.js');

interface Memory {
    rss: number;
    heapUsed: number;
}

interface ServerProc {
    instance: number;
    url: string;
    child: ChildProcess;
    logFile: string;
}

interface Tokens {
    shoppers: string[][];
    staff: string[][];
}

interface CpuSample {
    at: number;
    perPid: Map<number, number>;
    redis: number;
    machine: { busy: number; total: number };
}

interface SideResult {
    label: string;
    socketsPerInstance: number;
    connectWallMs: number;
    connect: Percentiles;
    connectFailures: string[];
    memBefore: Memory[];
    memAfter: Memory[];
    memAfterTraffic: Memory[];
    sent: SentRecord[];
    measuredSent: number;
    measuredOk: number;
    measuredSeconds: number;
    ackErrors: Map<string, number>;
    ack: Percentiles;
    /** Every shopper's first message (starts the conversation and assigns it): acknowledged ok, and ack times. */
    warmUpOk: number;
    warmUpAck: Percentiles;
    cross: Percentiles;
    /** Seconds of the window (by send time) with a cross-instance delivery over the p99 target, of all seconds. */
    slowSeconds: { slow: number; of: number; worst: number[] };
    same: Percentiles;
    staffToShopperCross: Percentiles;
    expected: number;
    lost: number;
    duplicated: number;
    refusedButDelivered: number;
    neverDelivered: number;
    disconnects: string[];
    maxLagMs: number;
    skippedStaff: number;
    cpu: { servers: number[]; clients: number[]; redis: number; postgres: number; machineBusy: number };
    serverErrorLines: number;
}

// ---- processes --------------------------------------------------------------------------------------------

function startProcess(
    script: string,
    instance: number,
    port: number,
    extraEnv: NodeJS.ProcessEnv,
    logDir: string,
    execArgv: string[] = [],
): ServerProc {
    const logFile = path.join(logDir, `${path.basename(script, '.js')}-${instance}.log`);
    const fd = fs.openSync(logFile, 'a');
    const child = spawn(process.execPath, ['--expose-gc', '-r', PROBE_JS, ...execArgv, script], {
        env: { ...env, ...extraEnv, PORT: String(port) },
        stdio: ['ignore', fd, fd, 'ipc'],
    });
    fs.closeSync(fd);
    return { instance, url: `http://127.0.0.1:${port}`, child, logFile };
}

async function stopProcess(p: ServerProc): Promise<void> {
    if (p.child.exitCode !== null || p.child.signalCode !== null) {
        return;
    }
    const exited = new Promise(resolve => p.child.once('exit', resolve));
    p.child.kill('SIGTERM');
    const timer = setTimeout(() => p.child.kill('SIGKILL'), 20_000);
    await exited;
    clearTimeout(timer);
}

async function memory(p: ServerProc): Promise<Memory> {
    const reply = nextMessage<Memory>(p.child, 'memory');
    p.child.send('memory');
    return reply;
}

/** Error-level lines a server wrote (pino JSON level ≥ 50, or anything that looks like a stack trace). */
function errorLines(p: ServerProc): number {
    const text = fs.existsSync(p.logFile) ? fs.readFileSync(p.logFile, 'utf8') : '';
    return text.split('\n').filter(l => /"level":(50|60)\b|^\s*Error\b|UnhandledPromise/.test(l)).length;
}

// ---- CPU --------------------------------------------------------------------------------------------------

const TICKS_PER_SECOND = 100;

function cpuSecondsOf(pid: number): number {
    try {
        const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
        const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
        // utime and stime are fields 14 and 15 of the whole line, 12 and 13 after "(comm) ".
        return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND;
    } catch {
        return NaN;
    }
}

function machineTicks(): { busy: number; total: number } {
    const cpu = fs.readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
    const total = cpu.reduce((a, b) => a + b, 0);
    const idle = cpu[3] + (cpu[4] ?? 0);
    return { busy: total - idle, total };
}

async function redisCpuSeconds(redis: Redis): Promise<number> {
    const info = await redis.info('cpu');
    const value = (key: string) => Number(new RegExp(`${key}:([0-9.]+)`).exec(info)?.[1] ?? NaN);
    return value('used_cpu_user') + value('used_cpu_sys');
}

/**
 * CPU seconds of the PostgreSQL backends serving `database` (the scratch database, so no one else's work),
 * polled every second: pooled connections come and go, so each backend counts from when it was first seen
 * until it was last seen. NaN when PostgreSQL runs elsewhere (its processes are not in /proc here).
 */
function watchPostgres(database: string | undefined): { stop(): Promise<number> } {
    const first = new Map<number, number>();
    const last = new Map<number, number>();
    const client = new Client({ connectionString: DATABASE_URL });
    const connected = database ? client.connect() : Promise.resolve();
    const poll = async () => {
        if (!database) {
            return;
        }
        await connected;
        const { rows } = await client.query<{ pid: number }>(
            'SELECT pid FROM pg_stat_activity WHERE datname = $1',
            [database],
        );
        for (const { pid } of rows) {
            const cpu = cpuSecondsOf(pid);
            if (!first.has(pid)) {
                first.set(pid, cpu);
            }
            if (Number.isFinite(cpu)) {
                last.set(pid, cpu);
            }
        }
    };
    let polling = poll();
    const timer = setInterval(() => (polling = polling.then(poll)), 1000);
    return {
        async stop() {
            clearInterval(timer);
            await polling.then(poll);
            if (database) {
                await client.end();
            }
            return sum([...first].map(([pid, cpu]) => (last.get(pid) ?? NaN) - cpu));
        },
    };
}

async function sampleCpu(pids: number[], redis: Redis): Promise<CpuSample> {
    return {
        at: performance.now(),
        perPid: new Map(pids.map(pid => [pid, cpuSecondsOf(pid)])),
        redis: await redisCpuSeconds(redis),
        machine: machineTicks(),
    };
}

/** Share of one core used between two samples, per pid. */
function cpuShare(a: CpuSample, b: CpuSample, pid: number): number {
    return ((b.perPid.get(pid) ?? NaN) - (a.perPid.get(pid) ?? NaN)) / ((b.at - a.at) / 1000);
}

// ---- sessions ---------------------------------------------------------------------------------------------

async function gql(
    url: string,
    query: string,
    variables?: Record<string, unknown>,
): Promise<{ token: string | null; body: { data?: unknown; errors?: unknown } }> {
    const res = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ query, variables }),
    });
    return { token: res.headers.get('vendure-auth-token'), body: (await res.json()) as { data?: unknown } };
}

/** Guest sessions: one Shop API call without a token each (bearer mode answers with a new session token). */
async function vendureTokens(servers: ServerProc[]): Promise<Tokens> {
    const { superadmin } = loadAppConfig(env);
    const tokens: Tokens = { shoppers: [[], []], staff: [[], []] };
    for (const s of servers) {
        for (let i = 0; i < STAFF; i++) {
            const { token, body } = await gql(
                `${s.url}/admin-api`,
                'mutation($u:String!,$p:String!){login(username:$u,password:$p){__typename}}',
                { u: superadmin.username, p: superadmin.password },
            );
            if (!token) {
                throw new Error(`Admin login failed: ${JSON.stringify(body)}`);
            }
            tokens.staff[s.instance].push(token);
        }
    }
    const jobs = servers.flatMap(s => Array.from({ length: SHOPPERS }, () => s));
    let next = 0;
    await Promise.all(
        Array.from({ length: 16 }, async () => {
            while (next < jobs.length) {
                const s = jobs[next++];
                const { token, body } = await gql(`${s.url}/shop-api`, '{ supportConversations { id } }');
                if (!token) {
                    throw new Error(`No guest session: ${JSON.stringify(body)}`);
                }
                tokens.shoppers[s.instance].push(token);
            }
        }),
    );
    return tokens;
}

function baselineTokens(): Tokens {
    const run = `${process.pid}`;
    return {
        shoppers: [0, 1].map(i => Array.from({ length: SHOPPERS }, (_, n) => `guest-${run}-${i}-${n}`)),
        staff: [0, 1].map(i => Array.from({ length: STAFF }, (_, n) => `staff:${run}-${i}-${n}`)),
    };
}

// ---- one side (baseline or Vendure) -------------------------------------------------------------------------

async function runSide(
    label: string,
    servers: ServerProc[],
    tokens: Tokens,
    redis: Redis,
    database?: string,
): Promise<SideResult> {
    let index = 0;
    const targets = (kind: 'shoppers' | 'staff'): ClientTarget[] =>
        // Interleaved over the instances, so each client process gets its share of both.
        Array.from({ length: tokens[kind][0].length }).flatMap((_, n) =>
            servers.map(s => ({
                index: index++,
                url: s.url,
                instance: s.instance,
                token: tokens[kind][s.instance][n],
            })),
        );
    const staffTargets = targets('staff');
    const shopperTargets = targets('shoppers');
    const clients = Array.from({ length: CLIENT_PROCS }, (_, no) =>
        fork(CLIENT_JS, [], {
            env: { ...env, BENCH_CLIENT_NO: String(no) },
            stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
        }),
    );
    const send = (c: ChildProcess, cmd: ClientCommand) => c.send(cmd);
    const ask = async <K extends ClientReply['kind']>(kind: K, cmd: (no: number) => ClientCommand) => {
        const replies = clients.map(c => nextMessage<Extract<ClientReply, { kind: K }>>(c, kind));
        clients.forEach((c, no) => send(c, cmd(no)));
        return Promise.all(replies);
    };
    const share = <T>(list: T[], no: number) => list.filter((_, i) => i % CLIENT_PROCS === no);
    try {
        // Both readings after the same idle time and a full GC, so the garbage of session set-up is not counted.
        await new Promise(r => setTimeout(r, IDLE_MS));
        const memBefore = await Promise.all(servers.map(memory));
        const t0 = performance.now();
        const connected = await ask('connected', no => ({
            cmd: 'connect',
            shoppers: share(shopperTargets, no),
            staff: share(staffTargets, no),
            concurrency: CONNECT_CONCURRENCY,
        }));
        const connectWallMs = performance.now() - t0;
        await new Promise(r => setTimeout(r, IDLE_MS));
        const memAfter = await Promise.all(servers.map(memory));

        const shopperRate = (RATE - STAFF_RATE) / CLIENT_PROCS;
        // Warm-up: every shopper opens its conversation (on Vendure: the first message starts it and assigns it
        // to the online staff); not in the latency figures, but in the delivery count.
        await ask('ran', no => ({
            cmd: 'run',
            phase: 'warm-up',
            shopperRate,
            shopperCount: share(shopperTargets, no).length,
            staffRate: 0,
        }));
        const pids = [...servers.map(s => s.child.pid!), ...clients.map(c => c.pid!)];
        const postgres = watchPostgres(database);
        const cpu0 = await sampleCpu(pids, redis);
        const window0 = process.hrtime.bigint() / 1000n;
        const paced = clients.map(c => nextMessage(c, 'paced'));
        const running = ask('ran', () => ({
            cmd: 'run',
            phase: 'measure',
            shopperRate,
            seconds: SECONDS,
            staffRate: STAFF_RATE / CLIENT_PROCS,
        }));
        await Promise.all(paced);
        const cpu1 = await sampleCpu(pids, redis);
        const postgresCpu = await postgres.stop();
        if (env.BENCH_CPU_PROFILE) {
            // CLOCK_MONOTONIC µs, the clock of the profiles' timestamps: to cut the measured window out of them.
            console.log(
                `  ${label}: measured window ${window0}–${process.hrtime.bigint() / 1000n} µs (monotonic)`,
            );
        }
        const ran = await running;
        await drain(async () => sum((await ask('count', () => ({ cmd: 'count' }))).map(c => c.arrivals)));
        const reports = await ask('report', () => ({ cmd: 'report' }));
        const memAfterTraffic = await Promise.all(servers.map(memory));

        const sent = reports.flatMap(r => r.sent);
        const arrivals = reports.flatMap(r => r.arrivals);
        const staffSockets = staffTargets.length;
        const measured = new Set(sent.filter(s => s.phase === 'measure').map(s => s.id));
        const stats = deliveries(sent, arrivals, staffSockets, measured);
        const ackErrors = new Map<string, number>();
        for (const s of sent.filter(x => !x.ok)) {
            ackErrors.set(s.code ?? '?', (ackErrors.get(s.code ?? '?') ?? 0) + 1);
        }
        const measuredSeconds = (cpu1.at - cpu0.at) / 1000;
        return {
            label,
            socketsPerInstance: SHOPPERS + STAFF,
            connectWallMs,
            connect: percentiles(connected.flatMap(c => c.connectMs)),
            connectFailures: connected.flatMap(c => c.failures),
            memBefore,
            memAfter,
            memAfterTraffic,
            sent,
            measuredSent: measured.size,
            measuredOk: sent.filter(x => x.ok && measured.has(x.id)).length,
            measuredSeconds,
            ackErrors,
            ack: percentiles(sent.filter(s => s.ok && measured.has(s.id)).map(s => s.ackMs)),
            warmUpOk: sent.filter(s => s.ok && s.phase === 'warm-up').length,
            warmUpAck: percentiles(sent.filter(s => s.ok && s.phase === 'warm-up').map(s => s.ackMs)),
            ...stats,
            disconnects: reports.flatMap(r => r.disconnects),
            maxLagMs: Math.max(...ran.map(r => r.maxLagMs)),
            skippedStaff: ran.reduce((a, r) => a + r.skippedStaff, 0),
            cpu: {
                servers: servers.map(s => cpuShare(cpu0, cpu1, s.child.pid!)),
                clients: clients.map(c => cpuShare(cpu0, cpu1, c.pid!)),
                redis: (cpu1.redis - cpu0.redis) / measuredSeconds,
                postgres: database ? postgresCpu / measuredSeconds : 0,
                machineBusy:
                    (cpu1.machine.busy - cpu0.machine.busy) / (cpu1.machine.total - cpu0.machine.total),
            },
            serverErrorLines: servers.reduce((a, s) => a + errorLines(s), 0),
        };
    } finally {
        for (const c of clients) {
            if (c.exitCode === null) {
                const exited = new Promise(r => c.once('exit', r));
                c.send({ cmd: 'close' } satisfies ClientCommand);
                await exited;
            }
        }
    }
}

async function drain(count: () => Promise<number>): Promise<void> {
    const deadline = performance.now() + DRAIN_MAX_MS;
    let last = await count();
    let quietSince = performance.now();
    while (performance.now() - quietSince < DRAIN_QUIET_MS && performance.now() < deadline) {
        await new Promise(r => setTimeout(r, 500));
        const now = await count();
        if (now !== last) {
            last = now;
            quietSince = performance.now();
        }
    }
}

/**
 * Every stored message reaches every staff socket once (all staff share the queue) and exactly one shopper
 * socket (the sender's own, or the shopper a staff reply is for). A message counts as stored when its send was
 * acknowledged, or when it timed out but reached some socket. Latencies: measured-window messages only.
 */
function deliveries(sent: SentRecord[], arrivals: Arrival[], staffSockets: number, measured: Set<string>) {
    const byId = new Map(sent.map(s => [s.id, s]));
    const stored = new Set(sent.filter(s => s.ok).map(s => s.id));
    const seen = new Map<string, number>();
    const cross: number[] = [];
    const same: number[] = [];
    const staffToShopperCross: number[] = [];
    // Message ids are `p<client>-<n>`, numbered in send order at a fixed rate per client: n places a message in
    // the window's seconds without comparing clocks.
    const numberOf = (id: string) => Number(id.slice(id.indexOf('-') + 1));
    const firstMeasured = new Map<string, number>();
    for (const id of measured) {
        const client = id.slice(0, id.indexOf('-'));
        firstMeasured.set(client, Math.min(firstMeasured.get(client) ?? Infinity, numberOf(id)));
    }
    const perClientRate = RATE / CLIENT_PROCS;
    const slowBySecond = new Map<number, number>();
    let duplicated = 0;
    let refusedButDelivered = 0;
    for (const [id, rxKind, rxIndex, rxInstance, latency] of arrivals) {
        const message = byId.get(id);
        if (!message || (!message.ok && message.code !== 'TIMEOUT')) {
            refusedButDelivered++;
            continue;
        }
        stored.add(id);
        const key = rxKind === 'staff' ? `${id}@${rxIndex}` : `${id}@shopper`;
        const n = (seen.get(key) ?? 0) + 1;
        seen.set(key, n);
        if (n > 1) {
            duplicated++;
            continue;
        }
        if (!measured.has(id)) {
            continue;
        }
        const isCross = rxInstance !== message.instance;
        (isCross ? cross : same).push(latency);
        if (isCross) {
            const second = Math.floor(
                (numberOf(id) - (firstMeasured.get(id.slice(0, id.indexOf('-'))) ?? 0)) / perClientRate,
            );
            slowBySecond.set(second, (slowBySecond.get(second) ?? 0) + (latency > TARGET_P99_MS ? 1 : 0));
        }
        if (isCross && message.kind === 'staff' && rxKind === 'shopper') {
            staffToShopperCross.push(latency);
        }
    }
    const expected = stored.size * (staffSockets + 1);
    // Timed out and seen nowhere: still queued in a server when counting stopped, or dropped.
    const neverDelivered = sent.filter(s => s.code === 'TIMEOUT' && !stored.has(s.id)).length;
    return {
        neverDelivered,
        cross: percentiles(cross),
        same: percentiles(same),
        staffToShopperCross: percentiles(staffToShopperCross),
        slowSeconds: {
            slow: [...slowBySecond.values()].filter(n => n > 0).length,
            of: slowBySecond.size,
            worst: [...slowBySecond.values()].sort((a, b) => b - a).slice(0, 3),
        },
        expected,
        lost: expected - seen.size,
        duplicated,
        refusedButDelivered,
    };
}

// ---- the two sides ------------------------------------------------------------------------------------------

async function baselineSide(logDir: string, redis: Redis): Promise<SideResult> {
    const key = `bench_chat_${process.pid}:baseline:socket.io`;
    const servers = [0, 1].map(i =>
        startProcess(BASELINE_JS, i, PORT + 10 + i, { REDIS_URL, BASELINE_KEY: key }, logDir),
    );
    try {
        await Promise.all(servers.map(s => waitForHealthy(s.url, s.child)));
        return await runSide('bare socket.io + Redis adapter (baseline)', servers, baselineTokens(), redis);
    } finally {
        await Promise.all(servers.map(stopProcess));
    }
}

async function vendureSide(logDir: string, redis: Redis): Promise<SideResult> {
    const name = `bench_chat_${process.pid}`;
    const scratch = await createScratchDatabase(DATABASE_URL, name);
    let servers: ServerProc[] = [];
    const profile = env.BENCH_CPU_PROFILE ? ['--cpu-prof', `--cpu-prof-dir=${env.BENCH_CPU_PROFILE}`] : [];
    const start = async (execArgv: string[]) => {
        for (const i of [0, 1]) {
            // The first instance applies the migrations; the second starts on the migrated database.
            const server = startProcess(
                SERVER_JS,
                i,
                PORT + i,
                {
                    DATABASE_URL: scratch.url,
                    REDIS_URL,
                    REDIS_PREFIX: name,
                    SIMULATOR_PORT: String(PORT + 20 + i),
                    ASSETS_DIR: path.join(logDir, `instance-${i}`, 'assets'),
                    SEED_ON_START: 'false',
                    LOG_LEVEL: 'warn',
                    LOG_FORMAT: 'json',
                },
                logDir,
                execArgv,
            );
            servers.push(server);
            await waitForHealthy(server.url, server.child);
        }
    };
    try {
        await start([]);
        const t0 = performance.now();
        const tokens = await vendureTokens(servers);
        console.log(
            `  ${2 * SHOPPERS} guest sessions and ${2 * STAFF} admin logins in ${fmt((performance.now() - t0) / 1000)} s`,
        );
        // Fresh processes for the measurement (the sessions live in the database and Redis): thousands of
        // set-up requests leave memory that GC frees but the process keeps, which would blur the per-socket RSS.
        await Promise.all(servers.map(stopProcess));
        servers = [];
        await start(profile);
        return await runSide('Vendure support chat', servers, tokens, redis, name);
    } finally {
        await Promise.all(servers.map(stopProcess));
        await scratch.drop();
        await deleteRedisKeys(REDIS_URL, name);
    }
}

// ---- report -------------------------------------------------------------------------------------------------

const mb = (bytes: number) => bytes / 1024 / 1024;
const perSocketKb = (r: SideResult, key: keyof Memory, after: Memory[] = r.memAfter) =>
    r.memBefore.map((m, i) => (after[i][key] - m[key]) / 1024 / r.socketsPerInstance);
const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
const avg = (xs: number[]) => sum(xs) / xs.length;
const pct = (x: number) => `${fmt(x * 100, 0)} %`;

function report(sides: SideResult[]): void {
    const [base, vendure] = [
        sides.find(s => s.label.includes('baseline')),
        sides.find(s => s.label.includes('Vendure')),
    ];
    const columns = sides.map(s => s.label);
    const rows: Array<[string, (r: SideResult) => string, ((r: SideResult) => number) | undefined]> = [
        ['sockets per instance (shoppers + staff)', () => `${SHOPPERS} + ${STAFF}`, undefined],
        ['connect all sockets, wall s', r => fmt(r.connectWallMs / 1000), r => r.connectWallMs],
        [
            'connect per socket p50 / p99 ms',
            r => `${fmt(r.connect.p50)} / ${fmt(r.connect.p99)}`,
            r => r.connect.p99,
        ],
        ['connect failures', r => String(r.connectFailures.length), undefined],
        [
            'server RSS before → after connect, MB (per instance)',
            r =>
                r.memBefore
                    .map((m, i) => `${fmt(mb(m.rss), 0)} → ${fmt(mb(r.memAfter[i].rss), 0)}`)
                    .join('; '),
            undefined,
        ],
        [
            '**RSS per socket, KB** (mean of instances)',
            r => fmt(avg(perSocketKb(r, 'rss'))),
            r => avg(perSocketKb(r, 'rss')),
        ],
        [
            'heapUsed per socket, KB (after GC)',
            r => fmt(avg(perSocketKb(r, 'heapUsed'))),
            r => avg(perSocketKb(r, 'heapUsed')),
        ],
        [
            'RSS after the traffic, MB (per instance)',
            r => r.memAfterTraffic.map(m => fmt(mb(m.rss), 0)).join('; '),
            undefined,
        ],
        [
            'messages in the measured window (msg/s)',
            r => `${r.measuredSent} (${fmt(r.measuredSent / r.measuredSeconds)})`,
            undefined,
        ],
        [
            'acknowledged ok in the window (msg/s)',
            r => `${r.measuredOk} (${fmt(r.measuredOk / r.measuredSeconds)})`,
            undefined,
        ],
        [
            'server CPU per message sent, ms (both instances)',
            r =>
                fmt((sum(r.cpu.servers) * r.measuredSeconds * 1000) / r.measuredSent, 2) +
                // A backlog means the CPU went to other messages than those sent in the window.
                (r.measuredOk < r.measuredSent ? ' (saturated: not comparable)' : ''),
            r => (sum(r.cpu.servers) * r.measuredSeconds * 1000) / r.measuredSent,
        ],
        [
            'warm-up, new conversations: acknowledged ok; ack p50 / p99 ms',
            r => `${r.warmUpOk}; ${fmt(r.warmUpAck.p50)} / ${fmt(r.warmUpAck.p99)}`,
            r => r.warmUpAck.p99,
        ],
        ['ack p50 / p99 ms', r => `${fmt(r.ack.p50)} / ${fmt(r.ack.p99)}`, r => r.ack.p99],
        ['**delivery, other instance: p50** ms', r => fmt(r.cross.p50), r => r.cross.p50],
        ['delivery, other instance: p95 ms', r => fmt(r.cross.p95), r => r.cross.p95],
        ['**delivery, other instance: p99** ms', r => fmt(r.cross.p99), r => r.cross.p99],
        ['delivery, other instance: max ms', r => fmt(r.cross.max), r => r.cross.max],
        [
            `seconds with a delivery over ${TARGET_P99_MS} ms (other instance), of the window; most in one second`,
            r => `${r.slowSeconds.slow} of ${r.slowSeconds.of}; ${r.slowSeconds.worst.join(', ')}`,
            undefined,
        ],
        [
            'delivery, same instance: p50 / p99 ms',
            r => `${fmt(r.same.p50)} / ${fmt(r.same.p99)}`,
            r => r.same.p99,
        ],
        [
            'staff reply → shopper on the other instance: p50 / p99 ms (n)',
            r =>
                `${fmt(r.staffToShopperCross.p50)} / ${fmt(r.staffToShopperCross.p99)} (${r.staffToShopperCross.n})`,
            undefined,
        ],
        ['deliveries timed (other / same instance)', r => `${r.cross.n} / ${r.same.n}`, undefined],
        ['deliveries expected, all phases', r => String(r.expected), undefined],
        [
            'lost / duplicated deliveries (refused messages delivered)',
            r => `${r.lost} / ${r.duplicated} (${r.refusedButDelivered})`,
            undefined,
        ],
        ['timed out and never delivered (messages)', r => String(r.neverDelivered), undefined],
        [
            'ack errors',
            r => (r.ackErrors.size ? [...r.ackErrors].map(([k, v]) => `${k} ${v}`).join(', ') : '0'),
            undefined,
        ],
        ['unexpected disconnects', r => String(r.disconnects.length), undefined],
        ['server error log lines', r => String(r.serverErrorLines), undefined],
        [
            'CPU per server (share of one core)',
            r => r.cpu.servers.map(pct).join('; '),
            r => avg(r.cpu.servers),
        ],
        ['CPU per client process', r => r.cpu.clients.map(pct).join('; '), undefined],
        ['CPU Redis', r => pct(r.cpu.redis), undefined],
        ['CPU PostgreSQL (backends of the scratch database)', r => pct(r.cpu.postgres), undefined],
        ['machine busy (all cores)', r => pct(r.cpu.machineBusy), undefined],
        ['client max send lag ms', r => fmt(r.maxLagMs), undefined],
    ];
    const ratio = base && vendure;
    console.log(`\n| measure | ${columns.join(' | ')} |${ratio ? ' Vendure / baseline |' : ''}`);
    console.log(`|---|${columns.map(() => '---').join('|')}|${ratio ? '---|' : ''}`);
    for (const [name, cell, value] of rows) {
        const r = ratio && value ? `${fmt(value(vendure) / value(base), 2)}×` : '';
        console.log(`| ${name} | ${sides.map(cell).join(' | ')} |${ratio ? ` ${r} |` : ''}`);
    }
    for (const s of sides) {
        if (s.connectFailures.length) {
            console.log(
                `${s.label}: connect failures, e.g. ${[...new Set(s.connectFailures)].slice(0, 3).join('; ')}`,
            );
        }
        if (s.disconnects.length) {
            console.log(`${s.label}: disconnects, e.g. ${s.disconnects.slice(0, 3).join('; ')}`);
        }
        if (s.skippedStaff) {
            console.log(`${s.label}: ${s.skippedStaff} staff replies skipped (no conversation known yet)`);
        }
    }
    if (vendure) {
        const connectedAll = !vendure.connectFailures.length;
        const p99 = vendure.cross.p99;
        console.log(
            `\nTarget ${SHOPPERS + STAFF} sockets per process: ${connectedAll ? 'met' : 'NOT met'}; ` +
                `target p99 < ${TARGET_P99_MS} ms (other instance): ${p99 < TARGET_P99_MS ? 'met' : 'NOT met'} (${fmt(p99)} ms).`,
        );
    }
}

function failures(sides: SideResult[]): string[] {
    return sides.flatMap(s => [
        ...(s.connectFailures.length ? [`${s.label}: ${s.connectFailures.length} connect failures`] : []),
        ...(s.lost ? [`${s.label}: ${s.lost} lost deliveries`] : []),
        ...(s.duplicated ? [`${s.label}: ${s.duplicated} duplicated deliveries`] : []),
        ...(s.neverDelivered
            ? [`${s.label}: ${s.neverDelivered} messages timed out and never delivered`]
            : []),
        ...(s.refusedButDelivered
            ? [`${s.label}: ${s.refusedButDelivered} deliveries of refused messages`]
            : []),
        ...(s.ackErrors.size
            ? [`${s.label}: ${[...s.ackErrors.values()].reduce((a, b) => a + b)} ack errors`]
            : []),
        ...(s.disconnects.length ? [`${s.label}: ${s.disconnects.length} unexpected disconnects`] : []),
    ]);
}

async function main(): Promise<void> {
    const shopperRatePerSocket = (RATE - STAFF_RATE) / (2 * SHOPPERS);
    const staffRatePerSocket = STAFF_RATE / (2 * STAFF);
    // The plugin's defaults stay: 10 messages per 10 s per socket, 30 per minute per shopper.
    if (shopperRatePerSocket > 0.4 || staffRatePerSocket > 0.8) {
        throw new Error(
            `Per-socket rates ${fmt(shopperRatePerSocket, 2)}/s (shopper), ${fmt(staffRatePerSocket, 2)}/s (staff) ` +
                'would hit the chat rate limits: use more sockets or a lower BENCH_RATE / BENCH_STAFF_RATE',
        );
    }
    const logDir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-chat-'));
    const redis = new Redis(REDIS_URL);
    const load = os
        .loadavg()
        .map(l => l.toFixed(2))
        .join(' ');
    console.log(
        `bench:chat — Node ${process.version}, ${os.cpus().length} cores, load average ${load}; two instances, ` +
            `${SHOPPERS} shopper + ${STAFF} staff sockets each, ${RATE} msg/s (${STAFF_RATE} of them staff replies), ` +
            `${SECONDS} s measured, ${CLIENT_PROCS} client processes; server logs in ${logDir}`,
    );
    const sides: SideResult[] = [];
    try {
        if (env.BENCH_ONLY !== 'vendure') {
            console.log('baseline: bare socket.io pair…');
            sides.push(await baselineSide(logDir, redis));
        }
        if (env.BENCH_ONLY !== 'baseline') {
            console.log('Vendure: two server processes…');
            sides.push(await vendureSide(logDir, redis));
        }
    } finally {
        redis.disconnect();
    }
    console.log(
        `load average after: ${os
            .loadavg()
            .map(l => l.toFixed(2))
            .join(' ')}`,
    );
    report(sides);
    const failed = failures(sides);
    if (failed.length) {
        console.error(`\nFAILED: ${failed.join('; ')}`);
        process.exitCode = 1;
    }
}

main().catch(e => {
    console.error(e);
    process.exit(1);
});
