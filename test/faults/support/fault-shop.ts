import { ChildProcess, spawn } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { VendureConfig } from '@vendure/core';
import { SimpleGraphQLClient } from '@vendure/testing';

import { createScratchDatabase, deleteRedisKeys, ScratchDatabase } from '../../../src/db/scratch-database';
import { freePort, waitFor } from '../../../src/testing/test-shop';

/**
 * The services profile as production runs it, for the fault scenarios: the compiled processes
 * (`dist/src/server.js`, `dist/src/worker.js`, `dist/src/simulators/main.js`) as children of the test, each of
 * which the test may SIGKILL, on a fresh PostgreSQL database and a private Redis key prefix. Only local addresses.
 */

const ROOT = path.resolve(__dirname, '../../..');
const DIST = path.join(ROOT, 'dist/src');

/** PostgreSQL server the scenarios make their databases on (any database URL of it). */
export const FAULTS_DATABASE_URL =
    process.env.FAULTS_DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres';
/** The machine's Redis, used with a unique prefix where a scenario does not restart Redis. */
export const FAULTS_REDIS_URL = process.env.FAULTS_REDIS_URL ?? 'redis://127.0.0.1:6379';

/** A minimal config for @vendure/testing's client: bearer tokens, the project's default superadmin. */
export const CLIENT_CONFIG = {
    apiOptions: { channelTokenKey: 'vendure-token' },
    authOptions: {
        tokenMethod: 'bearer',
        authTokenHeaderKey: 'vendure-auth-token',
        superadminCredentials: { identifier: 'superadmin', password: 'superadmin' },
    },
} as unknown as Required<VendureConfig>;

export function shopClient(baseUrl: string, api: 'shop-api' | 'admin-api' = 'shop-api'): SimpleGraphQLClient {
    return new SimpleGraphQLClient(CLIENT_CONFIG, `${baseUrl}/${api}`);
}

/** One child process of the shop: a server, a worker or the simulators. */
export class ShopProcess {
    readonly exited: Promise<number | null>;
    private exitCode: number | null | undefined;

    constructor(
        readonly role: string,
        readonly child: ChildProcess,
        readonly port: number,
        readonly logFile: string,
    ) {
        this.exited = new Promise(resolve =>
            child.once('exit', (code, signal) => {
                this.exitCode = code ?? (signal ? null : code);
                resolve(code);
            }),
        );
    }

    get baseUrl(): string {
        return `http://127.0.0.1:${this.port}`;
    }

    get running(): boolean {
        return this.exitCode === undefined;
    }

    /** SIGKILL, as the kernel's OOM killer or a lost node does: no handler runs. Resolves once it is gone. */
    async kill(signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
        if (this.running) {
            this.child.kill(signal);
            await this.exited;
        }
    }

    /** The last lines of its log, for a failure message. */
    tail(lines = 30): string {
        const text = fs.existsSync(this.logFile) ? fs.readFileSync(this.logFile, 'utf8') : '';
        return text.split('\n').slice(-lines).join('\n');
    }

    log(): string {
        return fs.existsSync(this.logFile) ? fs.readFileSync(this.logFile, 'utf8') : '';
    }
}

export interface FaultShopOptions {
    /** Short name of the scenario, part of the database name and Redis prefix. */
    name: string;
    /** Redis of jobs, cache, sessions, counters (default: the machine's, with a unique prefix). */
    redisUrl?: string;
    /** Variables for every server and worker (e.g. `SMTP_URL`). */
    env?: Record<string, string>;
}

/**
 * A shop made of separate processes: `start()` starts the simulators and the first server (which seeds the demo
 * shop); the scenario starts workers and more servers and kills them. `close()` stops everything it started and
 * drops the database and the Redis keys.
 */
export class FaultShop {
    readonly id: string;
    readonly tmpDir: string;
    readonly redisUrl: string;
    database!: ScratchDatabase;
    simulators!: ShopProcess;
    readonly processes: ShopProcess[] = [];

    constructor(private readonly options: FaultShopOptions) {
        this.id = `faults_${options.name}_${process.pid}_${crypto.randomBytes(2).toString('hex')}`;
        this.tmpDir = fs.mkdtempSync(path.join(os.tmpdir(), `faults-${options.name}-`));
        this.redisUrl = options.redisUrl ?? FAULTS_REDIS_URL;
    }

    get simulatorUrl(): string {
        return this.simulators.baseUrl;
    }

    /** Directory the file transport writes emails to (when no SMTP_URL is given). */
    get emailDir(): string {
        return path.join(this.tmpDir, 'emails');
    }

    async start(): Promise<ShopProcess> {
        this.database = await createScratchDatabase(FAULTS_DATABASE_URL, this.id);
        const simPort = await freePort();
        this.simulators = this.spawn('simulators', path.join(DIST, 'simulators/main.js'), simPort, {
            SIMULATOR_PORT: String(simPort),
            HOST: '127.0.0.1',
        });
        await waitFor(() => httpOk(`${this.simulatorUrl}/health`), 30_000, 'the simulators');
        const first = await this.startServer({ SEED_ON_START: 'true', LOG_LEVEL: 'info' });
        // The seed goes on after the first products are visible (collections, search index): a fault injected
        // before it ends would fail the seed, which stops the server as any start-up error does.
        await this.until(
            first,
            async () => first.log().includes('Demo shop seeded'),
            180_000,
            'the seed to end',
        );
        return first;
    }

    /** Environment of every server and worker of this shop. */
    env(extra: Record<string, string> = {}): Record<string, string> {
        const sim = this.simulatorUrl;
        return {
            APP_ENV: 'test',
            HOST: '127.0.0.1',
            LOG_FORMAT: 'json',
            LOG_LEVEL: process.env.FAULTS_LOG_LEVEL ?? 'info',
            DATABASE_URL: this.database.url,
            DB_POOL_SIZE: '5',
            REDIS_URL: this.redisUrl,
            REDIS_PREFIX: this.id,
            ASSETS_DIR: path.join(this.tmpDir, 'assets'),
            ADMIN_UI_DIR: path.join(this.tmpDir, `admin-ui-${crypto.randomBytes(3).toString('hex')}`),
            ZIBAL_API_URL: `${sim}/zibal`,
            ZIBAL_PLATFORM_URL: `${sim}/zibal-api`,
            SMSIR_API_URL: `${sim}/smsir`,
            POSTEX_API_URL: `${sim}/postex/api/v1`,
            // A killed worker's job is taken up again within 2-4 s instead of 30-60 s.
            JOB_LOCK_SECONDS: '2',
            SEED_ON_START: 'false',
            SHUTDOWN_DRAIN_SECONDS: '2',
            HEAP_GROWING_PERCENT: '0',
            RATE_LIMIT_LOGIN: '100000/1m',
            RATE_LIMIT_REGISTER: '100000/1m',
            RATE_LIMIT_PASSWORD_RESET: '100000/1m',
            RATE_LIMIT_NEW_ORDER: '100000/1m',
            ...this.options.env,
            ...extra,
        };
    }

    /** Starts a server process; resolves when it answers the Shop API with the seeded catalogue. */
    async startServer(extra: Record<string, string> = {}): Promise<ShopProcess> {
        const port = await freePort();
        const proc = this.spawn(
            'server',
            path.join(DIST, 'server.js'),
            port,
            this.env({ PORT: String(port), PUBLIC_URL: `http://127.0.0.1:${port}`, ...extra }),
        );
        await this.until(proc, () => hasProducts(proc.baseUrl), 180_000, 'the server to serve products');
        return proc;
    }

    /** Starts a worker process; resolves when its health endpoint answers 200. */
    async startWorker(extra: Record<string, string> = {}): Promise<ShopProcess> {
        const port = await freePort();
        const proc = this.spawn(
            'worker',
            path.join(DIST, 'worker.js'),
            port,
            this.env({ WORKER_HEALTH_PORT: String(port), PORT: '0', ...extra }),
        );
        await this.until(proc, () => httpOk(`${proc.baseUrl}/health`), 120_000, 'the worker to be healthy');
        return proc;
    }

    /** Waits for `check`, failing early (with the log) when the process exits. */
    async until(
        proc: ShopProcess,
        check: () => Promise<boolean>,
        timeoutMs: number,
        label: string,
    ): Promise<void> {
        await waitFor(
            async () => {
                if (!proc.running) {
                    throw new Error(`${proc.role} exited while waiting for ${label}:\n${proc.tail()}`);
                }
                return check();
            },
            timeoutMs,
            label,
        ).catch(e => {
            throw new Error(`${(e as Error).message}\n${proc.tail()}`);
        });
    }

    /** Arms a fault at the simulators (see src/simulators/fault-injector.ts). */
    async fault(
        provider: 'zibal' | 'smsir' | 'postex',
        faultPath: string,
        fault: object,
        times = 1,
    ): Promise<void> {
        await postJson(`${this.simulatorUrl}/__control/fault`, { provider, path: faultPath, fault, times });
    }

    /** Lets every call the simulators hold for `provider` go on. */
    async release(provider: 'zibal' | 'smsir' | 'postex'): Promise<void> {
        await postJson(`${this.simulatorUrl}/__control/release`, { provider });
    }

    async calls(
        provider: 'zibal' | 'smsir' | 'postex',
        callPath?: string,
    ): Promise<Array<{ path: string; body: unknown }>> {
        const q = new URLSearchParams({ provider, ...(callPath ? { path: callPath } : {}) });
        return (await fetch(`${this.simulatorUrl}/__control/calls?${q}`)).json() as Promise<
            Array<{ path: string; body: unknown }>
        >;
    }

    async close(): Promise<void> {
        for (const proc of this.processes) {
            await proc.kill('SIGKILL');
        }
        await this.database?.drop().catch(() => undefined);
        await deleteRedisKeys(this.redisUrl, this.id).catch(() => undefined);
        if (!process.env.FAULTS_KEEP_LOGS) {
            fs.rmSync(this.tmpDir, { recursive: true, force: true });
        }
    }

    private spawn(role: string, script: string, port: number, env: Record<string, string>): ShopProcess {
        const logFile = path.join(this.tmpDir, `${role}-${this.processes.length}.log`);
        const out = fs.openSync(logFile, 'a');
        const child = spawn(process.execPath, [script], {
            cwd: ROOT,
            env: { PATH: process.env.PATH ?? '', VENDURE_DISABLE_TELEMETRY: 'true', ...env },
            stdio: ['ignore', out, out],
        });
        fs.closeSync(out);
        const proc = new ShopProcess(role, child, port, logFile);
        this.processes.push(proc);
        return proc;
    }
}

export async function httpOk(url: string): Promise<boolean> {
    try {
        const res = await fetch(url, { signal: AbortSignal.timeout(5000) });
        await res.arrayBuffer();
        return res.ok;
    } catch {
        return false;
    }
}

async function hasProducts(baseUrl: string): Promise<boolean> {
    try {
        const res = await fetch(`${baseUrl}/shop-api`, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify({ query: '{ products(options: { take: 1 }) { totalItems } }' }),
            signal: AbortSignal.timeout(5000),
        });
        const body = (await res.json()) as { data?: { products?: { totalItems: number } } };
        return (body.data?.products?.totalItems ?? 0) > 0;
    } catch {
        return false;
    }
}

export async function postJson(url: string, body: unknown): Promise<unknown> {
    const res = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
    });
    if (!res.ok) {
        throw new Error(`${url}: HTTP ${res.status}`);
    }
    return res.json();
}

export { waitFor };
