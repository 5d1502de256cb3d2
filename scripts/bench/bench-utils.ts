import type { ChildProcess } from 'node:child_process';
import path from 'node:path';

import { AppConfig, loadAppConfig } from '../../src/config/app-config';

/** Shared by the benchmarks: run a closed-loop load for a while and summarise latencies. */
export interface LoadResult {
    completed: number;
    failed: number;
    seconds: number;
    perSecond: number;
    p50: number;
    p99: number;
    errors: string[];
}

/** Runs `task` from `concurrency` workers in a loop until `durationMs` passes; each worker waits for its task. */
export async function runLoad(
    task: (worker: number, i: number) => Promise<void>,
    concurrency: number,
    durationMs: number,
): Promise<LoadResult> {
    const latencies: number[] = [];
    const errors: string[] = [];
    let failed = 0;
    const start = performance.now();
    const deadline = start + durationMs;
    await Promise.all(
        Array.from({ length: concurrency }, async (_, worker) => {
            for (let i = 0; performance.now() < deadline; i++) {
                const t0 = performance.now();
                try {
                    await task(worker, i);
                    latencies.push(performance.now() - t0);
                } catch (e) {
                    failed++;
                    if (errors.length < 5) {
                        errors.push(e instanceof Error ? e.message : String(e));
                    }
                }
            }
        }),
    );
    const seconds = (performance.now() - start) / 1000;
    const { p50, p99 } = percentiles(latencies);
    return {
        completed: latencies.length,
        failed,
        seconds,
        perSecond: latencies.length / seconds,
        p50,
        p99,
        errors,
    };
}

export interface Percentiles {
    n: number;
    p50: number;
    p95: number;
    p99: number;
    max: number;
}

/** Nearest-rank percentiles of `values` (NaN when empty); sorts a copy. */
export function percentiles(values: readonly number[]): Percentiles {
    const sorted = Float64Array.from(values).sort();
    const pct = (p: number) =>
        sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] : NaN;
    return {
        n: sorted.length,
        p50: pct(0.5),
        p95: pct(0.95),
        p99: pct(0.99),
        max: sorted.length ? sorted[sorted.length - 1] : NaN,
    };
}

/** The next IPC message of `kind` from a child process; rejects if the child exits first. */
export function nextMessage<T>(child: ChildProcess, kind: string): Promise<T> {
    return new Promise((resolve, reject) => {
        const onMessage = (m: { kind: string } & T) => {
            if (m.kind === kind) {
                child.off('message', onMessage);
                child.off('exit', onExit);
                resolve(m);
            }
        };
        const onExit = (code: number | null) =>
            reject(
                new Error(`The child process ${child.pid} exited with code ${code} before sending ${kind}`),
            );
        child.on('message', onMessage);
        child.once('exit', onExit);
    });
}

/** Polls `GET <baseUrl>/health` until it answers 200; fails if `child` exits or `timeoutMs` passes. */
export async function waitForHealthy(
    baseUrl: string,
    child: ChildProcess,
    timeoutMs = 120_000,
): Promise<void> {
    const deadline = performance.now() + timeoutMs;
    for (;;) {
        if (child.exitCode !== null) {
            throw new Error(`The server at ${baseUrl} exited with code ${child.exitCode}`);
        }
        const ok = await fetch(`${baseUrl}/health`).then(
            r => r.status === 200,
            () => false,
        );
        if (ok) {
            return;
        }
        if (performance.now() > deadline) {
            throw new Error(`${baseUrl}/health did not answer 200 within ${timeoutMs / 1000} s`);
        }
        await new Promise(r => setTimeout(r, 50));
    }
}

export function fmt(n: number, digits = 1): string {
    return Number.isFinite(n) ? n.toFixed(digits) : 'n/a';
}

/**
 * The app config of a benchmark's own server: test mode, a free port on loopback, quiet JSON logs, the SQLite file
 * and assets under `dir` (PostgreSQL when `env` has DATABASE_URL), its Redis keys under `redisPrefix`.
 */
export function benchAppConfig(
    dir: string,
    redisPrefix: string,
    env: NodeJS.ProcessEnv = process.env,
): AppConfig {
    return loadAppConfig({
        ...env,
        APP_ENV: 'test',
        PORT: '0',
        HOST: '127.0.0.1',
        LOG_LEVEL: 'error',
        LOG_FORMAT: 'json',
        SQLITE_PATH: path.join(dir, 'shop.sqlite'),
        ASSETS_DIR: path.join(dir, 'assets'),
        REDIS_PREFIX: redisPrefix,
    });
}
