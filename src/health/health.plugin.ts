import {
    Inject,
    Injectable,
    MiddlewareConsumer,
    NestMiddleware,
    NestModule,
    OnApplicationShutdown,
} from '@nestjs/common';
import { PluginCommonModule, TransactionalConnection, VendurePlugin } from '@vendure/core';
import type { NextFunction, Request, Response } from 'express';

import { HealthChecker } from './health-checks';

const HEALTH_OPTIONS = Symbol('HEALTH_OPTIONS');

interface HealthPluginOptions {
    redisUrl?: string;
}

@Injectable()
class HealthMiddleware implements NestMiddleware, OnApplicationShutdown {
    private readonly checker: HealthChecker;

    constructor(connection: TransactionalConnection, @Inject(HEALTH_OPTIONS) options: HealthPluginOptions) {
        this.checker = new HealthChecker(connection.rawConnection, options.redisUrl);
    }

    async use(req: Request, res: Response, next: NextFunction): Promise<void> {
        if (req.method === 'GET' && req.path === '/live') {
            // Liveness: the process answers. No dependency is checked, so a database outage does not get every
            // pod restarted (readiness, `/health`, takes them out of the Service instead).
            res.status(200).json({ status: 'ok' });
            return;
        }
        if (req.method !== 'GET' || (req.path !== '/' && req.path !== '')) {
            next();
            return;
        }
        const report = await this.checker.check();
        res.status(report.status === 'ok' ? 200 : 503).json(report);
    }

    onApplicationShutdown(): void {
        this.checker.close();
    }
}

/**
 * `GET /health/live`: 200 while the process answers (liveness probes).
 * `GET /health`: 200 `{ status: 'ok', info: { database: { status: 'up' }, redis: ... } }` or 503 when a
 * dependency is down. Replaces Vendure's own `/health`, which since 3.6 answers "ok" without checking anything.
 */
@VendurePlugin({
    imports: [PluginCommonModule],
    providers: [{ provide: HEALTH_OPTIONS, useFactory: () => HealthPlugin.options }, HealthMiddleware],
    compatibility: '^3.7.0',
})
export class HealthPlugin implements NestModule {
    static options: HealthPluginOptions = {};

    static init(options: HealthPluginOptions): typeof HealthPlugin {
        HealthPlugin.options = options;
        return HealthPlugin;
    }

    configure(consumer: MiddlewareConsumer): void {
        consumer.apply(HealthMiddleware).forRoutes('health');
    }
}
