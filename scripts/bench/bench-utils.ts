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
    latencies.sort((a, b) => a - b);
    const pct = (p: number) =>
        latencies.length ? latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))] : NaN;
    return {
        completed: latencies.length,
        failed,
        seconds,
        perSecond: latencies.length / seconds,
        p50: pct(0.5),
        p99: pct(0.99),
        errors,
    };
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
