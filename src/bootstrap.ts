import http from 'node:http';

import { INestApplication } from '@nestjs/common';
import {
    bootstrap,
    bootstrapWorker,
    JobQueueService,
    Logger,
    TransactionalConnection,
    VendureConfig,
    VendureWorker,
} from '@vendure/core';

import { adminUiPath, buildVendureConfig, ProcessRole } from '../vendure-config';

import { adminUiSource, prepareAdminUiApp } from './admin-ui';

import { AppConfig } from './config/app-config';
import { applyMigrations } from './db/migrations';
import { HealthChecker } from './health/health-checks';
import { closeOnSignal, drainOnSignal, signalListeners } from './http/graceful-shutdown';
import { seedDemoShop } from './seed/seed';
import { ProviderUrls } from './simulators/provider-urls';
import { tuneHeap } from './runtime';
import { tracingStarted } from './tracing/tracing-state';

const loggerCtx = 'Bootstrap';

export interface StartOptions {
    providers: ProviderUrls;
    /** Seed the demo shop into an empty database (default: `app.seedOnStart`). */
    seed?: boolean;
    /** Process jobs in this process too (default: only in the embedded profile). Tests use it. */
    runJobsInProcess?: boolean;
    /** Last changes to the Vendure config, e.g. from tests. */
    adjustConfig?: (config: VendureConfig) => VendureConfig;
}

export interface RunningServer {
    app: INestApplication;
    config: VendureConfig;
    /** The port actually listened on (differs from the configured one when that is 0). */
    port: number;
    close(): Promise<void>;
}

/**
 * Starts the HTTP server. In the embedded profile it is the only process: it also runs the job queue
 * and the scheduled tasks, because a second process on the same SQLite file makes checkouts fail with
 * `database is locked` (docs/architecture.md).
 */
export async function startServer(app: AppConfig, options: StartOptions): Promise<RunningServer> {
    tuneHeap(app);
    const role: ProcessRole = app.profile === 'embedded' ? 'embedded' : 'server';
    const config = configFor(app, role, options);
    const adminUi = adminUiSource();
    prepareAdminUiApp(adminUiPath(app), adminUi.dir);
    if (!adminUi.withExtensions) {
        Logger.warn(
            'Admin UI without the project extensions (no Support chat screen): run `npm run build`',
            loggerCtx,
        );
    }
    if (app.appEnv === 'production' && app.assetStorage.type === 'local') {
        Logger.warn(
            `Assets are stored on this machine's disk (${app.assetsDir}): with more than one server replica, set S3_BUCKET`,
            loggerCtx,
        );
    }
    const ran = await applyMigrations(config);
    if (ran.length) {
        Logger.info(`Applied migrations: ${ran.join(', ')}`, loggerCtx);
    }
    const listenersBefore = signalListeners();
    const nest = await bootstrap(config);
    const httpServer = nest.getHttpServer() as http.Server;
    // From here on SIGTERM drains instead of Nest's immediate close (the seed below may take a while).
    const shutdown = drainOnSignal(nest, httpServer, app.shutdownDrainMs, listenersBefore);
    if (options.runJobsInProcess ?? role === 'embedded') {
        await nest.get(JobQueueService).start();
    }
    if (options.seed ?? app.seedOnStart) {
        await seedDemoShop(nest, app);
    }
    // Longer than the idle timeout of load balancers and HTTP clients' pools (60 s is common), so an idle
    // keep-alive connection is never closed by us while a client starts reusing it (ECONNRESET).
    httpServer.keepAliveTimeout = 65_000;
    httpServer.headersTimeout = 66_000;
    const address = httpServer.address();
    const port = typeof address === 'object' && address ? address.port : app.port;
    // Idempotent: a test (or a signal) may close it before its owner does.
    let closing: Promise<void> | undefined;
    return {
        app: nest,
        config,
        port,
        close: () => {
            shutdown.dispose();
            return (closing ??= nest.close());
        },
    };
}

/** Starts the worker process of the services profile: job queue, scheduled tasks and a health endpoint. */
export async function startWorker(app: AppConfig, options: StartOptions): Promise<RunningWorker> {
    if (app.profile === 'embedded') {
        throw new Error(
            'The embedded profile runs its jobs inside the server process; set DATABASE_URL to run a worker.',
        );
    }
    const config = configFor(app, 'worker', options);
    await applyMigrations(config);
    const listenersBefore = signalListeners();
    const worker = await bootstrapWorker(config);
    await worker.startJobQueue();
    const health = await startHealthServer(
        new HealthChecker(worker.app.get(TransactionalConnection).rawConnection, app.redisUrl),
        app.workerHealthPort,
        app.host,
    );
    const running: RunningWorker = {
        worker,
        async close() {
            await health.close();
            await worker.app.close();
        },
    };
    closeOnSignal(() => running.close(), listenersBefore);
    return running;
}

export interface RunningWorker {
    worker: VendureWorker;
    close(): Promise<void>;
}

/** The worker has no HTTP server of its own; this one answers `GET /health` and `GET /health/live` for probes. */
async function startHealthServer(
    checker: HealthChecker,
    port: number,
    host: string,
): Promise<{ close(): Promise<void> }> {
    const server = http.createServer((req, res) => {
        if (req.method === 'GET' && req.url === '/health/live') {
            res.writeHead(200, { 'content-type': 'application/json' }).end('{"status":"ok"}');
            return;
        }
        if (req.method !== 'GET' || req.url !== '/health') {
            res.writeHead(404).end();
            return;
        }
        void checker.check().then(report => {
            res.writeHead(report.status === 'ok' ? 200 : 503, { 'content-type': 'application/json' });
            res.end(JSON.stringify(report));
        });
    });
    await new Promise<void>(resolve => server.listen(port, host, resolve));
    Logger.info(`Worker health endpoint: http://${host}:${port}/health`, loggerCtx);
    return {
        close: () =>
            new Promise<void>(resolve => {
                checker.close();
                server.close(() => resolve());
            }),
    };
}

function configFor(app: AppConfig, role: ProcessRole, options: StartOptions): VendureConfig {
    if (app.tracing && !tracingStarted()) {
        Logger.warn(
            'OTEL_EXPORTER_OTLP_ENDPOINT is set, but this process did not start tracing: load src/tracing/preload first (the entry points do; other scripts: node --require ./dist/src/tracing/preload.js)',
            loggerCtx,
        );
    }
    const config = buildVendureConfig(app, { role, providers: options.providers });
    return options.adjustConfig ? options.adjustConfig(config) : config;
}
