import http from 'node:http';
import type { AddressInfo } from 'node:net';

import { Inject, Injectable, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import {
    ConfigService,
    EventBus,
    JobQueueService,
    Logger,
    PluginCommonModule,
    TransactionalConnection,
    VendurePlugin,
} from '@vendure/core';
import { collectDefaultMetrics, Gauge, Registry } from 'prom-client';
import type { DataSource } from 'typeorm';

import { registerBusinessMetrics } from './business-metrics';
import { HttpMetrics } from './http-metrics';
import { bullBacklog, JobQueueMetrics, sqlBacklog } from './job-queue-metrics';

const loggerCtx = 'Metrics';
const METRICS_OPTIONS = Symbol('METRICS_OPTIONS');

export interface MetricsPluginOptions {
    /** Which process this is; every series carries it as the `process` label. */
    role: 'embedded' | 'server' | 'worker';
    /** Port of the metrics endpoint (`GET /metrics`); 0 picks a free one (tests). Never the public port. */
    port: number;
    host: string;
}

/**
 * One registry per process and its endpoint on a port of its own, off the Ingress. Filled by the HTTP/GraphQL
 * instrumentation (set up in `configuration`, before Vendure builds its API), the job queue instrumentation
 * (wrapping the strategy the job queue plugin configured: list MetricsPlugin after it) and collectors read at
 * scrape time.
 */
@Injectable()
export class MetricsService implements OnApplicationBootstrap, OnApplicationShutdown {
    private server?: http.Server;
    private readonly cleanups: Array<() => void> = [];

    constructor(
        @Inject(METRICS_OPTIONS) private readonly options: MetricsPluginOptions,
        private readonly connection: TransactionalConnection,
        private readonly configService: ConfigService,
        private readonly eventBus: EventBus,
        private readonly jobQueueService: JobQueueService,
        private readonly moduleRef: ModuleRef,
    ) {}

    get registry(): Registry {
        return MetricsPlugin.registry;
    }

    /** The address the endpoint listens on (the real port when configured as 0). */
    get address(): AddressInfo | undefined {
        return (this.server?.address() as AddressInfo | null) ?? undefined;
    }

    async onApplicationBootstrap(): Promise<void> {
        const registry = this.registry;
        const dataSource = this.connection.rawConnection;
        registerDatabaseMetrics(registry, dataSource);
        const strategy = this.configService.jobQueueOptions.jobQueueStrategy as unknown as {
            queue?: Parameters<typeof bullBacklog>[0];
        };
        MetricsPlugin.jobs.setBacklogSource(
            () =>
                strategy.queue
                    ? bullBacklog(strategy.queue)
                    : dataSource.entityMetadatas.some(m => m.tableName === 'job_record')
                      ? sqlBacklog(dataSource)
                      : Promise.resolve([]),
            () => this.jobQueueService.getJobQueues().map(q => q.name),
        );
        this.cleanups.push(
            ...registerBusinessMetrics(
                registry,
                this.moduleRef,
                this.eventBus,
                dataSource,
                this.options.role,
            ),
        );
        this.server = http.createServer((req, res) => {
            if (req.method !== 'GET' || (req.url ?? '').split('?')[0] !== '/metrics') {
                res.writeHead(404).end();
                return;
            }
            registry.metrics().then(
                text => res.writeHead(200, { 'content-type': registry.contentType }).end(text),
                (e: Error) => {
                    Logger.error(`Metrics collection failed: ${e.message}`, loggerCtx);
                    res.writeHead(500).end();
                },
            );
        });
        await new Promise<void>((resolve, reject) => {
            this.server!.once('error', reject);
            this.server!.listen(this.options.port, this.options.host, resolve);
        });
        const address = this.address!;
        Logger.info(`Metrics endpoint: http://${address.address}:${address.port}/metrics`, loggerCtx);
    }

    async onApplicationShutdown(): Promise<void> {
        this.cleanups.forEach(c => c());
        await new Promise<void>(resolve => (this.server ? this.server.close(() => resolve()) : resolve()));
    }
}

/** Connections of the PostgreSQL pool (node-postgres); SQLite has no pool. */
function registerDatabaseMetrics(registry: Registry, dataSource: DataSource): void {
    const pool = () =>
        (
            dataSource.driver as unknown as {
                master?: {
                    totalCount: number;
                    idleCount: number;
                    waitingCount: number;
                    options?: { max?: number };
                };
            }
        ).master;
    if (!pool()) {
        return;
    }
    new Gauge({
        name: 'shop_db_pool_connections',
        help: "Connections of this process's database pool by state (in_use, idle).",
        labelNames: ['state'],
        registers: [registry],
        collect() {
            const p = pool();
            if (p) {
                this.set({ state: 'in_use' }, p.totalCount - p.idleCount);
                this.set({ state: 'idle' }, p.idleCount);
            }
        },
    });
    new Gauge({
        name: 'shop_db_pool_waiting_requests',
        help: "Queries waiting for a free connection of this process's pool.",
        registers: [registry],
        collect() {
            this.set(pool()?.waitingCount ?? 0);
        },
    });
    new Gauge({
        name: 'shop_db_pool_max_connections',
        help: "The size of this process's pool (DB_POOL_SIZE).",
        registers: [registry],
        collect() {
            this.set(pool()?.options?.max ?? 0);
        },
    });
}

/**
 * Prometheus metrics of the shop on `METRICS_PORT` (server) and `WORKER_METRICS_PORT` (worker): HTTP and GraphQL
 * traffic, job queues, the database pool, Node's runtime and the plugins' business metrics. See README
 * "Observability" and docs/runbook.md.
 */
@VendurePlugin({
    imports: [PluginCommonModule],
    providers: [{ provide: METRICS_OPTIONS, useFactory: () => MetricsPlugin.options }, MetricsService],
    exports: [MetricsService],
    configuration: config => {
        const { registry, http: httpMetrics, jobs } = MetricsPlugin;
        config.apiOptions.middleware.push({
            route: '/',
            handler: httpMetrics.middleware,
            beforeListen: true,
        });
        config.apiOptions.apolloServerPlugins.push(httpMetrics.apolloPlugin());
        jobs.instrument(config.jobQueueOptions.jobQueueStrategy);
        void registry;
        return config;
    },
    compatibility: '^3.7.0',
})
export class MetricsPlugin {
    static options: MetricsPluginOptions;
    static registry: Registry;
    static http: HttpMetrics;
    static jobs: JobQueueMetrics;

    static init(options: MetricsPluginOptions): typeof MetricsPlugin {
        this.options = options;
        this.registry = new Registry();
        this.registry.setDefaultLabels({ process: options.role });
        collectDefaultMetrics({ register: this.registry });
        this.http = new HttpMetrics(this.registry);
        this.jobs = new JobQueueMetrics(this.registry);
        return this;
    }
}
