import { Logger } from '@vendure/core';
import Redis from 'ioredis';
import { DataSource } from 'typeorm';

/** Only up or down: the health endpoints are public, so why a check failed goes to the log, not the answer. */
export type CheckStatus = { status: 'up' | 'down' };

export interface HealthReport {
    status: 'ok' | 'error';
    info: Record<string, CheckStatus>;
}

const TIMEOUT_MS = 2000;

/**
 * Checks what this process depends on: the database (`SELECT 1`) and, where used, Redis (`PING`).
 * Used by the server's `/health` and by the worker's health endpoint.
 */
export class HealthChecker {
    private redis: Redis | undefined;

    constructor(
        private readonly dataSource: DataSource,
        private readonly redisUrl?: string,
    ) {}

    async check(): Promise<HealthReport> {
        const checks: Array<[string, () => Promise<unknown>]> = [
            ['database', () => this.dataSource.query('SELECT 1')],
        ];
        if (this.redisUrl) {
            checks.push(['redis', () => this.redisClient().ping()]);
        }
        const results = await Promise.all(
            checks.map(async ([name, run]): Promise<[string, CheckStatus]> => {
                try {
                    await withTimeout(run(), TIMEOUT_MS);
                    return [name, { status: 'up' }];
                } catch (e) {
                    Logger.warn(
                        `Health check ${name} failed: ${e instanceof Error ? e.message : String(e)}`,
                        'Health',
                    );
                    return [name, { status: 'down' }];
                }
            }),
        );
        const info = Object.fromEntries(results);
        return { status: results.every(([, r]) => r.status === 'up') ? 'ok' : 'error', info };
    }

    close(): void {
        this.redis?.disconnect();
    }

    private redisClient(): Redis {
        this.redis ??= new Redis(this.redisUrl!, {
            maxRetriesPerRequest: 1,
            connectTimeout: TIMEOUT_MS,
        });
        // Errors surface through ping(); an unhandled 'error' event would crash the process.
        this.redis.on('error', () => undefined);
        return this.redis;
    }
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
    let timer: NodeJS.Timeout | undefined;
    return Promise.race([
        promise,
        new Promise<never>((_, reject) => {
            timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms`)), ms);
        }),
    ]).finally(() => clearTimeout(timer));
}
