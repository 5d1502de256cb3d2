import type { ApolloServerPlugin } from '@apollo/server';
import { Job, JobQueueStrategy, PluginCommonModule, VendurePlugin } from '@vendure/core';
import type { NextFunction, Request, Response } from 'express';

import {
    DEFAULT_CACHEABLE_ROOT_FIELDS,
    DEFAULT_OPTIONS,
    INVALIDATING_QUEUES,
    PLUGIN_INIT_OPTIONS,
} from './constants';
import {
    CHANGED_CATALOG,
    jobObservers,
    MarkedRequest,
    servicesByApp,
    ShopResponseCacheService,
} from './service/shop-response-cache.service';
import { ResolvedShopResponseCacheOptions, ShopResponseCachePluginOptions } from './types';

type ProcessFn = (job: Job) => Promise<unknown>;

/**
 * @description
 * Answers anonymous Shop API catalog queries (`products`, `product`, `collections`, `collection`, `search`,
 * `facets`, `availableCountries`, ...) from a cache, before GraphQL runs: a hit costs a Redis GET and a memory
 * lookup instead of the resolvers' SQL.
 *
 * - Only `query` operations whose every root field is on the allow-list; never mutations, never a request of a
 *   logged-in customer (session with a user) or with an API key. Answers with `errors` are not stored.
 * - Key: channel token, language and currency (resolved as Vendure does), normalised document, operation name and
 *   variables.
 * - Invalidation: every catalog event (product, variant, price, stock movement, collection, facet, asset, tax,
 *   channel, promotion, ...) and the end of search-index / collection-filter jobs raise a generation counter
 *   (Redis, shared); an API call that changed the catalog raises it again after its commit, before its response,
 *   so the next read on any instance is fresh. `maxAgeSeconds` (60) is the safety net.
 * - HTTP: ETag + 304 on If-None-Match, `Cache-Control: public` only on cacheable anonymous answers, `private,
 *   no-store` otherwise; GET `/shop-api?query=...` works (with Apollo's CSRF preflight header).
 *
 * ## Setup
 * ```ts
 * plugins: [
 *   // after the job queue plugin (it wraps its strategy to see search-index jobs end) and after MetricsPlugin
 *   ShopResponseCachePlugin.init({
 *     enabled: process.env.SHOP_RESPONSE_CACHE !== 'off',
 *     redis: { url: process.env.REDIS_URL, keyPrefix: 'shop:response-cache:' },
 *   }),
 * ]
 * ```
 * Without `redis` the cache is per process: only for a single server process (embedded profile).
 *
 * @docsCategory plugins
 */
@VendurePlugin({
    imports: [PluginCommonModule],
    providers: [
        { provide: PLUGIN_INIT_OPTIONS, useFactory: () => ShopResponseCachePlugin.options },
        ShopResponseCacheService,
    ],
    exports: [ShopResponseCacheService],
    configuration: config => {
        // `beforeListen`: Express runs it before Nest's own middleware (CORS, i18next, which clones an i18n instance
        // per request and cost ~20% of a hit) and before GraphQL's route. The JSON body and the session cookie are
        // already parsed (bodyLimits and Vendure's cookie-session come first); a hit applies the configured CORS
        // itself. List this plugin after MetricsPlugin, so the HTTP metrics middleware counts hits too.
        config.apiOptions.middleware.push({
            route: `/${config.apiOptions.shopApiPath}`,
            handler: (req: Request, res: Response, next: NextFunction) => {
                const service = servicesByApp.get(req.app);
                return service ? service.middleware(req, res, next) : next();
            },
            beforeListen: true,
        });
        config.apiOptions.apolloServerPlugins.push(invalidateBeforeResponsePlugin);
        observeJobs(config.jobQueueOptions.jobQueueStrategy);
        return config;
    },
    compatibility: '^3.7.0',
})
export class ShopResponseCachePlugin {
    static options: ResolvedShopResponseCacheOptions;

    static init(options: ShopResponseCachePluginOptions = {}): typeof ShopResponseCachePlugin {
        const { redis, ...rest } = options;
        this.options = {
            ...DEFAULT_OPTIONS,
            cacheableRootFields: DEFAULT_CACHEABLE_ROOT_FIELDS,
            ...Object.fromEntries(Object.entries(rest).filter(([, v]) => v !== undefined)),
            redis: redis
                ? {
                      url: redis.url,
                      cacheUrl: redis.cacheUrl ?? redis.url,
                      keyPrefix: redis.keyPrefix ?? DEFAULT_OPTIONS.keyPrefix,
                  }
                : undefined,
        } as ResolvedShopResponseCacheOptions;
        return this;
    }
}

/**
 * Both APIs: an operation that published a catalog event (marked by the service's blocking event handler) waits
 * for the invalidation, made after its transaction committed, before it answers.
 */
const invalidateBeforeResponsePlugin: ApolloServerPlugin = {
    requestDidStart: async () => ({
        willSendResponse: async ({ contextValue }) => {
            const req = (contextValue as { req?: MarkedRequest }).req;
            const service = req?.[CHANGED_CATALOG];
            if (req && service) {
                req[CHANGED_CATALOG] = undefined;
                await service.invalidate('request');
            }
        },
    }),
};

/** Invalidates when a job of INVALIDATING_QUEUES ends (in whichever process runs it: the worker, or embedded). */
function observeJobs(strategy: JobQueueStrategy): void {
    const wrapped = new Map<ProcessFn, ProcessFn>();
    const start = strategy.start.bind(strategy);
    const stop = strategy.stop.bind(strategy);
    strategy.start = (queueName: string, process: ProcessFn) => {
        if (!INVALIDATING_QUEUES.includes(queueName)) {
            return start(queueName, process);
        }
        let observed = wrapped.get(process);
        if (!observed) {
            observed = async (job: Job) => {
                try {
                    return await process(job);
                } finally {
                    // Also after a failure: part of the index may have been written.
                    await jobObservers.get(strategy)?.invalidate('job');
                }
            };
            wrapped.set(process, observed);
        }
        return start(queueName, observed);
    };
    strategy.stop = (queueName: string, process: ProcessFn) =>
        stop(queueName, wrapped.get(process) ?? process);
}
