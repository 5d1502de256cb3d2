/**
 * Preloaded into each server process of `npm run loadtest` (`node -r dist/scripts/loadtest/probe.js`): it times
 * every SQL statement and every wait for a pooled PostgreSQL connection (by wrapping the `pg` driver the app
 * loads), and takes CPU profiles with the in-process inspector, all on request of the runner over the fork's IPC
 * channel. Nothing here runs in a normal server; the measuring costs a few microseconds per query.
 */
import fs from 'node:fs';
import { Session } from 'node:inspector';

import pg from 'pg';

import { summariseProfile, type CpuProfile } from './profile-summary';
import type { ProbeCommand, ProbeReply, SqlStat } from './probe-protocol';

interface Timing {
    count: number;
    totalMs: number;
    maxMs: number;
}

const statements = new Map<string, Timing & { sample: string }>();
const poolWaits = { count: 0, totalMs: 0, maxMs: 0, over5ms: 0 };

/** One key per statement shape: whitespace collapsed, `IN ($1, $2, …)` lists of any length made one. */
export function statementKey(sql: string): string {
    return sql
        .replace(/\s+/g, ' ')
        .replace(/\$\d+(?:\s*,\s*\$\d+)+/g, '$n…')
        .trim()
        .slice(0, 2000);
}

/** Raw SQL → key: TypeORM sends the same text again and again, and the regular expressions are not free. */
const keys = new Map<string, string>();

function recordStatement(sql: string, ms: number): void {
    let key = keys.get(sql);
    if (key === undefined) {
        if (keys.size > 10_000) {
            keys.clear();
        }
        key = statementKey(sql);
        keys.set(sql, key);
    }
    const t = statements.get(key);
    if (t) {
        t.count++;
        t.totalMs += ms;
        t.maxMs = Math.max(t.maxMs, ms);
    } else {
        statements.set(key, { count: 1, totalMs: ms, maxMs: ms, sample: key.slice(0, 400) });
    }
}

type AnyFn = (...args: unknown[]) => unknown;

/** Calls `original` with `args`, and `done` once its callback runs or its promise settles. */
function timed(original: AnyFn, self: unknown, args: unknown[], done: (ms: number) => void): unknown {
    const t0 = performance.now();
    const last = args.length - 1;
    if (last >= 0 && typeof args[last] === 'function') {
        const cb = args[last] as AnyFn;
        args[last] = (...cbArgs: unknown[]) => {
            done(performance.now() - t0);
            return cb(...cbArgs);
        };
        return original.apply(self, args);
    }
    const result = original.apply(self, args);
    if (result && typeof (result as Promise<unknown>).then === 'function') {
        (result as Promise<unknown>).then(
            () => done(performance.now() - t0),
            () => done(performance.now() - t0),
        );
    }
    return result;
}

function wrapDriver(): void {
    const clientQuery = pg.Client.prototype.query as unknown as AnyFn;
    (pg.Client.prototype as unknown as { query: AnyFn }).query = function (
        this: unknown,
        ...args: unknown[]
    ) {
        const q = args[0];
        const sql = typeof q === 'string' ? q : ((q as { text?: string } | undefined)?.text ?? '');
        return timed(clientQuery, this, args, ms => recordStatement(sql, ms));
    };
    const poolConnect = pg.Pool.prototype.connect as unknown as AnyFn;
    (pg.Pool.prototype as unknown as { connect: AnyFn }).connect = function (
        this: unknown,
        ...args: unknown[]
    ) {
        return timed(poolConnect, this, args, ms => {
            poolWaits.count++;
            poolWaits.totalMs += ms;
            poolWaits.maxMs = Math.max(poolWaits.maxMs, ms);
            if (ms > 5) {
                poolWaits.over5ms++;
            }
        });
    };
}

function sqlReport(reset: boolean): Extract<ProbeReply, { kind: 'sql' }> {
    const stats: SqlStat[] = [...statements.values()].map(t => ({
        statement: t.sample,
        count: t.count,
        totalMs: t.totalMs,
        maxMs: t.maxMs,
    }));
    stats.sort((a, b) => b.totalMs - a.totalMs);
    const reply: Extract<ProbeReply, { kind: 'sql' }> = {
        kind: 'sql',
        statements: stats.slice(0, 40),
        queries: stats.reduce((n, s) => n + s.count, 0),
        queryMs: stats.reduce((n, s) => n + s.totalMs, 0),
        poolWaits: { ...poolWaits },
    };
    if (reset) {
        statements.clear();
        Object.assign(poolWaits, { count: 0, totalMs: 0, maxMs: 0, over5ms: 0 });
    }
    return reply;
}

let session: Session | undefined;

function post<T>(method: string, params?: object): Promise<T> {
    return new Promise((resolve, reject) =>
        session!.post(method, params ?? {}, (err, result) => (err ? reject(err) : resolve(result as T))),
    );
}

async function handle(cmd: ProbeCommand): Promise<ProbeReply> {
    switch (cmd.cmd) {
        case 'sql':
            return sqlReport(cmd.reset);
        case 'profile-start':
            session = new Session();
            session.connect();
            await post('Profiler.enable');
            await post('Profiler.setSamplingInterval', { interval: 500 });
            await post('Profiler.start');
            return { kind: 'profiling' };
        case 'profile-stop': {
            const { profile } = await post<{ profile: CpuProfile }>('Profiler.stop');
            session?.disconnect();
            session = undefined;
            if (cmd.file) {
                fs.writeFileSync(cmd.file, JSON.stringify(profile));
            }
            return { kind: 'profile', summary: summariseProfile(profile) };
        }
    }
}

wrapDriver();
if (process.send) {
    process.on('message', (cmd: ProbeCommand) => {
        handle(cmd).then(
            reply => process.send?.({ ...reply, id: cmd.id }),
            (e: unknown) => process.send?.({ kind: 'error', id: cmd.id, message: String(e) }),
        );
    });
    // The IPC channel must not keep a stopped server alive.
    process.channel?.unref();
}
