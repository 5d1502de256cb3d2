import { createTestShop, TestShop, TestShopOptions } from '../../../src/testing/test-shop';

/** PostgreSQL server of the fault scenarios; each scenario makes its own database on it. */
export const FAULTS_DATABASE_URL =
    process.env.FAULTS_DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres';
/** The machine's Redis; each shop writes under its own key prefix. */
export const FAULTS_REDIS_URL = process.env.FAULTS_REDIS_URL ?? 'redis://127.0.0.1:6379';

/**
 * An in-process shop of the services profile (PostgreSQL + Redis/BullMQ, fresh database and key prefix), for the
 * scenarios where the process boundary does not matter (the promises live in the database and in locks that work
 * across processes the same way). `createTestShop` reads the profile from the environment.
 */
export async function startFaultShop(options: TestShopOptions = {}): Promise<TestShop> {
    process.env.DATABASE_URL = FAULTS_DATABASE_URL;
    process.env.REDIS_URL = FAULTS_REDIS_URL;
    return createTestShop({ ...options, env: { DB_POOL_SIZE: FAULTS_DB_POOL_SIZE, ...options.env } });
}

/**
 * PostgreSQL connections per shop process (20 by default): the scenarios start up to two processes each, on a
 * PostgreSQL server other work shares (100 connections by default).
 */
export const FAULTS_DB_POOL_SIZE = '8';

/** Runs `work` and returns its result with the time it took (ms). */
export async function timed<T>(work: () => Promise<T>): Promise<{ value: T; ms: number }> {
    const start = performance.now();
    const value = await work();
    return { value, ms: Math.round(performance.now() - start) };
}

/** The p-th percentile (0..100) of `values` (nearest rank). */
export function percentile(values: number[], p: number): number {
    const sorted = [...values].sort((a, b) => a - b);
    return sorted[Math.max(0, Math.ceil((p / 100) * sorted.length) - 1)] ?? 0;
}

/** One line of figures for docs/reliability.md, printed so a run's log carries them. */
export function report(scenario: string, figures: Record<string, unknown>): void {
    console.log(`[faults] ${scenario}: ${JSON.stringify(figures)}`);
}
