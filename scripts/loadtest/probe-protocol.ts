import type { ProfileSummary } from './profile-summary';

/** Messages between the load-test runner and the probe preloaded into each server (probe.ts). */
export type ProbeCommand = { id: number } & (
    { cmd: 'sql'; reset: boolean } | { cmd: 'profile-start' } | { cmd: 'profile-stop'; file?: string }
);

export interface SqlStat {
    /** The statement with whitespace collapsed and `IN ($1, …)` lists made one (first 400 characters). */
    statement: string;
    count: number;
    totalMs: number;
    maxMs: number;
}

export interface PoolWaits {
    /** Connections taken from the pool, and the time each took (including waiting for a free one). */
    count: number;
    totalMs: number;
    maxMs: number;
    over5ms: number;
}

export type ProbeReply =
    | { kind: 'sql'; statements: SqlStat[]; queries: number; queryMs: number; poolWaits: PoolWaits }
    | { kind: 'profiling' }
    | { kind: 'profile'; summary: ProfileSummary }
    | { kind: 'error'; message: string };
