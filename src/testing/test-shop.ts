import crypto from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

import { ConfigService, DefaultSchedulerPlugin, VendureConfig } from '@vendure/core';
import { SimpleGraphQLClient } from '@vendure/testing';

import { RunningServer, startServer } from '../bootstrap';
import { AppConfig, loadAppConfig } from '../config/app-config';
import { createScratchDatabase, deleteRedisKeys } from '../db/scratch-database';
import { ProviderSimulators } from '../simulators/simulator-server';
import { resolveProviderUrls } from '../simulators/provider-urls';

export interface TestShopOptions {
    /** Seed the demo shop (default true). */
    seed?: boolean;
    /** Extra environment variables for this shop (e.g. `{ VAT_PERCENT: '9' }`). */
    env?: Record<string, string>;
    /** Last changes to the Vendure config (e.g. add a test payment handler). */
    adjustConfig?: (config: VendureConfig) => VendureConfig;
    /** Runs on the new, empty database before the server starts (and migrates it), e.g. to load a fixture. */
    prepareDatabase?: (app: AppConfig) => Promise<void>;
    /**
     * Run the shop on this existing PostgreSQL database as it is (not created, not dropped on close), e.g. a cluster
     * restored by the backup drill. Default: a fresh database per shop.
     */
    databaseUrl?: string;
    /** Process jobs in this process (default true); false leaves them queued, as a server without a worker does. */
    runJobsInProcess?: boolean;
}

export interface TestShop {
    app: AppConfig;
    server: RunningServer;
    simulators: ProviderSimulators;
    shop: SimpleGraphQLClient;
    admin: SimpleGraphQLClient;
    baseUrl: string;
    /** A new Shop API client with its own session, e.g. one per concurrent shopper. */
    newShopClient(): SimpleGraphQLClient;
    /**
     * Starts one more server on this shop's database (and Redis), like a second replica, with its own port and
     * ASSETS_DIR plus `env`; stopped by {@link close} unless stopped before. Needs the services profile: in the
     * embedded profile only one process may use the SQLite file.
     */
    startReplica(env?: Record<string, string>): Promise<{ server: RunningServer; baseUrl: string }>;
    close(): Promise<void>;
}

/** Which database and queue the e2e suite runs on: SQLite by default, PostgreSQL + Redis when their URLs are set. */
export function testProfile(): 'sqlite' | 'postgres' {
    return process.env.DATABASE_URL ? 'postgres' : 'sqlite';
}

/**
 * Starts a real shop for an e2e test file, through the same `startServer()` as production: a fresh database
 * (a SQLite file, or a new PostgreSQL database when DATABASE_URL is set), migrations, the demo seed, the job
 * queue (BullMQ with a private key prefix when REDIS_URL is set) and the provider simulators in-process.
 */
export async function createTestShop(options: TestShopOptions = {}): Promise<TestShop> {
    const id = `e2e_${process.pid}_${crypto.randomBytes(3).toString('hex')}`;
    const tmpDir = fs.mkdtempSync(path.join(os.tmpdir(), 'shop-e2e-'));
    const port = await freePort();
    const database = options.databaseUrl
        ? { url: options.databaseUrl, drop: async () => undefined }
        : await scratchDatabase(id);
    const simulators = new ProviderSimulators();
    const simulatorUrl = await simulators.listen(0);
    const appEnv: Record<string, string | undefined> = {
        APP_ENV: 'test',
        PORT: String(port),
        HOST: '127.0.0.1',
        PUBLIC_URL: `http://127.0.0.1:${port}`,
        LOG_LEVEL: process.env.LOG_LEVEL ?? 'error',
        LOG_FORMAT: 'json',
        SQLITE_PATH: path.join(tmpDir, 'shop.sqlite'),
        ASSETS_DIR: path.join(tmpDir, 'assets'),
        DATABASE_URL: database.url,
        REDIS_URL: process.env.REDIS_URL,
        REDIS_PREFIX: id,
        // Every e2e request comes from 127.0.0.1: the per-IP limits run (their code path is exercised) but stay out
        // of the way of suites that log in or start carts by the dozen; test/hardening.e2e-spec.ts sets real ones.
        RATE_LIMIT_LOGIN: '100000/1m',
        RATE_LIMIT_REGISTER: '100000/1m',
        RATE_LIMIT_PASSWORD_RESET: '100000/1m',
        RATE_LIMIT_NEW_ORDER: '100000/1m',
        ...options.env,
    };
    const app = loadAppConfig(appEnv);
    const providers = resolveProviderUrls(app, simulatorUrl);
    let server: RunningServer;
    try {
        await options.prepareDatabase?.(app);
        server = await startServer(app, {
            providers,
            seed: options.seed ?? true,
            runJobsInProcess: options.runJobsInProcess ?? true,
            adjustConfig: config => {
                // The test server stands in for the worker too: jobs and scheduled tasks run in this process.
                config.schedulerOptions = { ...config.schedulerOptions, runTasksInWorkerOnly: false };
                return options.adjustConfig ? options.adjustConfig(config) : config;
            },
        });
    } catch (e) {
        await simulators.close();
        await database.drop();
        throw e;
    }
    const runtimeConfig = server.app.get(ConfigService) as unknown as Required<VendureConfig>;
    const baseUrl = `http://127.0.0.1:${server.port}`;
    const replicas: RunningServer[] = [];
    const startReplica = async (env: Record<string, string> = {}) => {
        const replicaPort = await freePort();
        const replicaApp = loadAppConfig({
            ...appEnv,
            PORT: String(replicaPort),
            PUBLIC_URL: `http://127.0.0.1:${replicaPort}`,
            ASSETS_DIR: fs.mkdtempSync(path.join(tmpDir, 'replica-assets-')),
            ...env,
        });
        const replica = await startServer(replicaApp, {
            providers,
            seed: false,
            runJobsInProcess: false,
            adjustConfig: config => {
                // The scheduler's cron jobs are named process-wide, and the first server runs them already.
                config.plugins = (config.plugins ?? []).filter(p => p !== DefaultSchedulerPlugin);
                return options.adjustConfig ? options.adjustConfig(config) : config;
            },
        });
        // close() is idempotent, so a test may stop a replica itself and close() still stops whatever is left.
        replicas.push(replica);
        return { server: replica, baseUrl: `http://127.0.0.1:${replica.port}` };
    };
    const newShopClient = () => new SimpleGraphQLClient(runtimeConfig, `${baseUrl}/shop-api`);
    const admin = new SimpleGraphQLClient(runtimeConfig, `${baseUrl}/admin-api`);
    await admin.asSuperAdmin();
    return {
        app,
        server,
        simulators,
        shop: newShopClient(),
        admin,
        baseUrl,
        newShopClient,
        startReplica,
        async close() {
            for (const replica of replicas) {
                await replica.close();
            }
            await server.close();
            await simulators.close();
            await database.drop();
            await deleteRedisKeys(app.redisUrl, app.redisPrefix);
            fs.rmSync(tmpDir, { recursive: true, force: true });
        },
    };
}

/** A second server instance of a test shop (see {@link startSecondInstance}). */
export interface SecondInstance {
    server: RunningServer;
    baseUrl: string;
    /** A new Shop API client of this instance, with its own session. */
    newShopClient(): SimpleGraphQLClient;
}

/**
 * Starts a second server instance of a test shop: same database, same Redis and key prefix, its own port, as a
 * second pod behind a load balancer would be. Jobs stay on the first instance. Close it before the shop.
 */
export async function startSecondInstance(
    t: TestShop,
    adjustConfig: (config: VendureConfig) => VendureConfig = config => config,
): Promise<SecondInstance> {
    const app = { ...t.app, port: 0 };
    const server = await startServer(app, {
        providers: resolveProviderUrls(app, 'http://127.0.0.1:9'),
        seed: false,
        runJobsInProcess: false,
        adjustConfig: config => {
            // Both instances live in this test process, and the scheduler's cron jobs are named process-wide:
            // the second one runs without (in production servers leave scheduled tasks to the worker anyway).
            config.plugins = (config.plugins ?? []).filter(p => p !== DefaultSchedulerPlugin);
            return adjustConfig(config);
        },
    });
    const baseUrl = `http://127.0.0.1:${server.port}`;
    const runtimeConfig = server.app.get(ConfigService) as unknown as Required<VendureConfig>;
    return {
        server,
        baseUrl,
        newShopClient: () => new SimpleGraphQLClient(runtimeConfig, `${baseUrl}/shop-api`),
    };
}

async function scratchDatabase(id: string): Promise<{ url?: string; drop(): Promise<void> }> {
    const serverUrl = process.env.DATABASE_URL;
    return serverUrl ? createScratchDatabase(serverUrl, id) : { url: undefined, drop: async () => undefined };
}

export function freePort(): Promise<number> {
    return new Promise((resolve, reject) => {
        const server = net.createServer();
        server.once('error', reject);
        server.listen(0, '127.0.0.1', () => {
            const { port } = server.address() as net.AddressInfo;
            server.close(() => resolve(port));
        });
    });
}

/** Polls `check` until it returns a truthy value or the deadline passes; for effects of background jobs. */
export async function waitFor<T>(
    check: () => Promise<T | undefined | false>,
    timeoutMs = 10_000,
    label = 'condition',
): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
        const result = await check();
        if (result) {
            return result;
        }
        if (Date.now() > deadline) {
            throw new Error(`Timed out after ${timeoutMs} ms waiting for ${label}`);
        }
        await new Promise(r => setTimeout(r, 100));
    }
}
