import type { IncomingMessage, ServerResponse } from 'node:http';

import type { ApolloServerPlugin, GraphQLRequestContext } from '@apollo/server';
import type { NextFunction, Request, Response } from 'express';
import { OperationDefinitionNode } from 'graphql';
import { Counter, Histogram, Registry } from 'prom-client';

import { rootFields } from '../http/graphql-operation';

import { BoundedLabel } from './bounded-label';

/** The parts of the public port a dashboard tells apart; every other path is `other` (bounded label). */
const ROUTES: Array<[prefix: string, route: string]> = [
    ['/shop-api', 'shop-api'],
    ['/admin-api', 'admin-api'],
    ['/payments/zibal/callback', 'zibal-callback'],
    ['/health', 'health'],
    ['/assets', 'assets'],
    ['/admin', 'admin-ui'],
    ['/support-chat', 'support-chat'],
    ['/socket.io', 'socket.io'],
    ['/postex', 'postex'],
    ['/storefront', 'storefront'],
];

export function routeOf(path: string): string {
    for (const [prefix, route] of ROUTES) {
        if (path === prefix || path.startsWith(`${prefix}/`) || path.startsWith(`${prefix}?`)) {
            return route;
        }
    }
    return 'other';
}

export const LATENCY_BUCKETS = [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/** HTTP requests by route, method and status class; GraphQL operations by API, root field and outcome. */
export class HttpMetrics {
    private readonly requests: Counter<'route' | 'method' | 'status_class'>;
    private readonly requestDuration: Histogram<'route'>;
    private readonly operations: Counter<'api' | 'type' | 'operation' | 'outcome'>;
    private readonly operationDuration: Histogram<'api' | 'type' | 'operation'>;
    private readonly operationNames = new BoundedLabel(400);

    constructor(registry: Registry) {
        this.requests = new Counter({
            name: 'shop_http_requests_total',
            help: 'HTTP requests on the public port, by route (path prefix), method and status class.',
            labelNames: ['route', 'method', 'status_class'],
            registers: [registry],
        });
        this.requestDuration = new Histogram({
            name: 'shop_http_request_duration_seconds',
            help: 'Time from the request to the end of the response, by route.',
            labelNames: ['route'],
            buckets: LATENCY_BUCKETS,
            registers: [registry],
        });
        this.operations = new Counter({
            name: 'shop_graphql_operations_total',
            help: 'GraphQL operations by API (shop/admin), type, operation (the first root field; unknown when it does not parse or validate) and outcome (ok, error_result: an ErrorResult union member, error: GraphQL errors).',
            labelNames: ['api', 'type', 'operation', 'outcome'],
            registers: [registry],
        });
        this.operationDuration = new Histogram({
            name: 'shop_graphql_operation_duration_seconds',
            help: 'GraphQL operation duration, by API, type and operation (first root field).',
            labelNames: ['api', 'type', 'operation'],
            buckets: LATENCY_BUCKETS,
            registers: [registry],
        });
    }

    /** Express middleware: counts every request of the public port when its response ends. */
    readonly middleware = (req: Request, res: Response, next: NextFunction): void => {
        this.observe(req, res);
        next();
    };

    /** Counts the request when its response ends (also for answers given before Express, see vendure-config.ts). */
    observe(req: IncomingMessage & { originalUrl?: string }, res: ServerResponse): void {
        const started = process.hrtime.bigint();
        const route = routeOf(req.originalUrl ?? req.url ?? '');
        const method = req.method && METHODS.has(req.method) ? req.method : 'OTHER';
        let done = false;
        const record = (aborted: boolean) => {
            if (done) {
                return;
            }
            done = true;
            const statusClass =
                aborted && !res.writableFinished ? 'aborted' : `${Math.floor(res.statusCode / 100)}xx`;
            this.requests.inc({ route, method, status_class: statusClass });
            this.requestDuration.observe({ route }, Number(process.hrtime.bigint() - started) / 1e9);
        };
        res.once('finish', () => record(false));
        res.once('close', () => record(true));
    }

    /** Apollo plugin: one count and duration per operation, labelled by its first root field (schema-bounded). */
    apolloPlugin(): ApolloServerPlugin {
        // eslint-disable-next-line @typescript-eslint/no-this-alias
        const metrics = this;
        return {
            async requestDidStart(requestContext: GraphQLRequestContext<Record<string, unknown>>) {
                const started = process.hrtime.bigint();
                const req = (requestContext.contextValue as { req?: Request }).req;
                const api = req && routeOf(req.originalUrl ?? req.url) === 'admin-api' ? 'admin' : 'shop';
                let type = 'unknown';
                let operation = 'unknown';
                let responseKeys: string[] = [];
                return {
                    async didResolveOperation(ctx) {
                        const op = ctx.operation as OperationDefinitionNode | undefined;
                        if (!op) {
                            return;
                        }
                        type = op.operation;
                        const fields = rootFields(op);
                        operation = metrics.operationNames.value(fields[0]?.name.value);
                        responseKeys = fields.map(f => f.alias?.value ?? f.name.value);
                    },
                    async willSendResponse(ctx) {
                        const body = ctx.response.body;
                        const result = body.kind === 'single' ? body.singleResult : body.initialResult;
                        let outcome = 'ok';
                        if (result.errors?.length) {
                            outcome = 'error';
                        } else if (
                            responseKeys.some(key => {
                                const value = (result.data as Record<string, unknown> | null | undefined)?.[
                                    key
                                ];
                                return (
                                    !!value &&
                                    typeof value === 'object' &&
                                    ('errorCode' in value ||
                                        /Error$/.test(String((value as { __typename?: unknown }).__typename)))
                                );
                            })
                        ) {
                            outcome = 'error_result';
                        }
                        metrics.operations.inc({ api, type, operation, outcome });
                        metrics.operationDuration.observe(
                            { api, type, operation },
                            Number(process.hrtime.bigint() - started) / 1e9,
                        );
                    },
                };
            },
        };
    }
}

const METHODS = new Set(['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS']);
