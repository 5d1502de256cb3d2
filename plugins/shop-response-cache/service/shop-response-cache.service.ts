import { Inject, Injectable, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import {
    AssetChannelEvent,
    AssetEvent,
    ChannelEvent,
    ChannelService,
    CollectionEvent,
    CollectionModificationEvent,
    ConfigService,
    CountryEvent,
    EventBus,
    FacetEvent,
    FacetValueEvent,
    GlobalSettingsEvent,
    Logger,
    ProductChannelEvent,
    ProductEvent,
    ProductOptionEvent,
    ProductOptionGroupChangeEvent,
    ProductOptionGroupEvent,
    ProductVariantChannelEvent,
    ProductVariantEvent,
    ProductVariantPriceEvent,
    PromotionEvent,
    ProvinceEvent,
    RequestContext,
    SessionService,
    StockLocationEvent,
    StockMovementEvent,
    TaxCategoryEvent,
    TaxRateEvent,
    TaxRateModificationEvent,
    Type,
    VendureEvent,
    ZoneEvent,
    ZoneMembersEvent,
} from '@vendure/core';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';

import cors from 'cors';
import type { NextFunction, Request, Response } from 'express';
import { LRUCache } from 'lru-cache';
import { Subscription } from 'rxjs';

import { loggerCtx, PLUGIN_INIT_OPTIONS } from '../constants';
import { BypassReason, ResolvedShopResponseCacheOptions, ShopResponseCacheStats } from '../types';

import { cacheKey, judgeQuery, QueryVerdict, stableStringify } from './cacheable-query';
import { EARLY_BODY_ERROR, EarlyRequest, installEarlyLane } from './early-lane';
import { graphqlRequest, header, preflighted, RequestView } from './request-view';
import { etagOf, ResponseStore, StoredAnswer } from './response-store';

/**
 * Events after which a shopper may see something else in a catalog answer. Invalidation is coarse (everything):
 * catalog changes are rare next to reads, and a precise dependency graph (which product is in which collection,
 * search result, facet count) is where stale answers would come from.
 */
export const INVALIDATING_EVENTS: Array<Type<VendureEvent>> = [
    ProductEvent,
    ProductVariantEvent,
    ProductVariantPriceEvent,
    ProductChannelEvent,
    ProductVariantChannelEvent,
    ProductOptionEvent,
    ProductOptionGroupEvent,
    ProductOptionGroupChangeEvent,
    StockMovementEvent,
    StockLocationEvent,
    CollectionEvent,
    CollectionModificationEvent,
    FacetEvent,
    FacetValueEvent,
    AssetEvent,
    AssetChannelEvent,
    TaxRateEvent,
    TaxRateModificationEvent,
    TaxCategoryEvent,
    ZoneEvent,
    ZoneMembersEvent,
    ChannelEvent,
    PromotionEvent,
    CountryEvent,
    ProvinceEvent,
    GlobalSettingsEvent,
];

/**
 * Set on the Express request of an API call that published an invalidating event: the service that has to
 * invalidate before the response leaves (see the Apollo plugin in shop-response-cache.plugin.ts).
 */
export const CHANGED_CATALOG = Symbol('shopResponseCache.changedCatalog');
export type MarkedRequest = Request & { [CHANGED_CATALOG]?: ShopResponseCacheService };

/**
 * The service of each running app by its job queue strategy: the plugin's job wrapper (set up before Nest builds
 * the service) finds the right one, also with two apps in one process (tests).
 */
export const jobObservers = new WeakMap<object, ShopResponseCacheService>();

/** The service of each running app by its Express app (`req.app`), for the middleware registered before Nest's. */
export const servicesByApp = new WeakMap<object, ShopResponseCacheService>();

/** What a lookup found: an answer, a miss to run and store under `generation`/`key`, or why the cache is not used. */
type Lookup =
    | { kind: 'hit'; answer: StoredAnswer; shared: boolean }
    | { kind: 'miss'; generation: number; key: string }
    | { kind: 'bypass'; reason: BypassReason };

/** The early lane's lookup of a request it passed on: Express's middleware acts on it instead of looking up again. */
const EARLY_LOOKUP = Symbol('shopResponseCache.earlyLookup');
type LookedUpRequest = IncomingMessage & { [EARLY_LOOKUP]?: Lookup };

/** The Shop API's answers for anonymous catalog queries, from a cache. See the plugin's README. */
@Injectable()
export class ShopResponseCacheService implements OnApplicationBootstrap, OnApplicationShutdown {
    private readonly store: ResponseStore;
    private readonly allowed: ReadonlySet<string>;
    /** Verdicts per (operation name, document): a repeated query is not parsed again. Bounded by count and bytes. */
    private readonly verdicts: LRUCache<string, QueryVerdict>;
    private readonly subscriptions: Subscription[] = [];
    private readonly stats: Omit<ShopResponseCacheStats, 'entries' | 'bytes' | 'evictions'> = {
        hits: { local: 0, shared: 0, notModified: 0 },
        earlyAnswers: 0,
        misses: 0,
        stored: 0,
        notStored: 0,
        bypass: {
            disabled: 0,
            method: 0,
            csrf: 0,
            no_query: 0,
            too_large: 0,
            unparsable: 0,
            not_query: 0,
            not_allowed: 0,
            authenticated: 0,
            channel: 0,
            store_unavailable: 0,
        },
        invalidations: 0,
    };
    private enabled: boolean;
    /**
     * Request headers that select a different answer (the channel token, `Origin` through CORS) or make it private
     * (Authorization, Cookie): a shared cache must key on them.
     */
    private readonly vary: string;
    /** Nest applies CORS after this middleware: a hit, answered here, applies the same options itself. */
    private readonly cors?: (
        req: IncomingMessage,
        res: ServerResponse,
        next: (err?: unknown) => void,
    ) => void;

    constructor(
        @Inject(PLUGIN_INIT_OPTIONS) private readonly options: ResolvedShopResponseCacheOptions,
        private readonly eventBus: EventBus,
        private readonly sessionService: SessionService,
        private readonly channelService: ChannelService,
        private readonly configService: ConfigService,
        private readonly httpAdapterHost: HttpAdapterHost,
    ) {
        this.enabled = options.enabled;
        const corsOptions = configService.apiOptions.cors;
        this.cors = corsOptions
            ? (cors(corsOptions === true ? undefined : corsOptions) as NonNullable<typeof this.cors>)
            : undefined;
        this.vary = ['Authorization', 'Cookie', configService.apiOptions.channelTokenKey, 'Origin'].join(
            ', ',
        );
        this.store = new ResponseStore(options);
        this.allowed = new Set(options.cacheableRootFields);
        this.verdicts = new LRUCache({
            max: 1_000,
            maxSize: 4 * 1024 * 1024,
            sizeCalculation: (_v, key) => key.length + 100,
        });
    }

    onApplicationBootstrap(): void {
        for (const event of INVALIDATING_EVENTS) {
            // After the transaction that published the event has committed (EventBus waits for it): a read that
            // starts after the new generation is visible reads the new data.
            this.subscriptions.push(
                this.eventBus.ofType(event).subscribe(() => void this.invalidate('event')),
            );
        }
        // Inside the publishing call (before commit): only marks the API request, whose response then waits for an
        // invalidation made after the commit (invalidateBeforeResponse). The subscription above may run after the
        // response has left; this makes "the next read after the mutation returned is fresh" hold on every instance.
        this.eventBus.registerBlockingEventHandler({
            event: INVALIDATING_EVENTS,
            id: 'shop-response-cache-mark-request',
            handler: event => {
                const req = (event as { ctx?: RequestContext }).ctx?.req as MarkedRequest | undefined;
                if (req) {
                    req[CHANGED_CATALOG] = this;
                }
            },
        });
        jobObservers.set(this.configService.jobQueueOptions.jobQueueStrategy, this);
        // Undefined in the worker (no HTTP server).
        const app = this.httpAdapterHost?.httpAdapter?.getInstance() as object | undefined;
        if (app) {
            servicesByApp.set(app, this);
        }
        const server = this.httpAdapterHost?.httpAdapter?.getHttpServer() as Server | undefined;
        if (server && this.options.earlyLane) {
            this.installEarlyLane(server);
        }
    }

    private installEarlyLane(server: Server): void {
        const { authOptions, apiOptions } = this.configService;
        const cookieName = authOptions.cookieOptions?.name;
        const sessionCookie = (typeof cookieName === 'string' ? cookieName : cookieName?.shop) ?? 'session';
        installEarlyLane(
            server,
            {
                path: `/${apiOptions.shopApiPath}`,
                sessionCookies: new Set([sessionCookie, `${sessionCookie}.sig`]),
                credentialHeaders: [
                    'authorization',
                    (authOptions.apiKeyHeaderKey ?? 'vendure-api-key').toLowerCase(),
                ],
                maxBodyBytes: Math.min(
                    this.options.maxQueryBytes + this.options.maxVariablesBytes + 1024,
                    this.options.shopApiBodyLimitBytes ?? Infinity,
                ),
            },
            (req, res, view) => this.answerEarly(req, res, view),
        );
    }

    async onApplicationShutdown(): Promise<void> {
        this.subscriptions.forEach(s => s.unsubscribe());
        await this.store.close();
    }

    /** Turns the cache on or off in this process (the benchmark compares both on one server). */
    setEnabled(enabled: boolean): void {
        this.enabled = enabled;
    }

    get isEnabled(): boolean {
        return this.enabled;
    }

    snapshot(): ShopResponseCacheStats {
        return {
            ...this.stats,
            hits: { ...this.stats.hits },
            bypass: { ...this.stats.bypass },
            evictions: this.store.evictions,
            entries: this.store.entries,
            bytes: this.store.bytes,
        };
    }

    /** Makes every cached answer unreachable on every instance; errors are logged (max-age still bounds staleness). */
    async invalidate(source: 'event' | 'request' | 'job'): Promise<void> {
        try {
            await this.store.bump();
            this.stats.invalidations++;
        } catch (e) {
            Logger.error(
                `Invalidation (${source}) failed: ${(e as Error).message}; cached answers may stay stale up to ${this.options.maxAgeSeconds} s`,
                loggerCtx,
            );
        }
    }

    /** Express middleware of the Shop API route: answers a hit, or lets GraphQL run and stores its answer. */
    readonly middleware = (req: Request, res: Response, next: NextFunction): void => {
        const bodyError = (req as EarlyRequest)[EARLY_BODY_ERROR];
        if (bodyError) {
            // The early lane read a body that is not JSON: the error Express's JSON parser would have raised.
            next(bodyError);
            return;
        }
        if (!this.enabled) {
            this.stats.bypass.disabled++;
            next();
            return;
        }
        this.handle(req, res, next).catch((e: Error) => {
            // The cache must never break the API: anything unexpected falls through to GraphQL.
            Logger.warn(`Lookup failed, answering without the cache: ${e.message}`, loggerCtx);
            if (!res.headersSent) {
                next();
            }
        });
    };

    private async handle(req: Request, res: Response, next: NextFunction): Promise<void> {
        const found = (req as LookedUpRequest)[EARLY_LOOKUP] ?? (await this.lookup(this.viewOf(req)));
        if (found.kind === 'bypass') {
            this.stats.bypass[found.reason]++;
            privateWhenSent(res, this.vary);
            next();
            return;
        }
        if (found.kind === 'hit') {
            if (this.cors) {
                this.cors(req, res, err =>
                    err ? next(err) : this.answerHit(req, res, found.answer, found.shared),
                );
            } else {
                this.answerHit(req, res, found.answer, found.shared);
            }
            return;
        }
        this.stats.misses++;
        this.captureAnswer(res, body => {
            this.store.set(found.generation, found.key, body).catch((e: Error) => {
                Logger.warn(`Could not store an answer in Redis: ${e.message}`, loggerCtx);
            });
        });
        next();
    }

    /**
     * The early lane (before Express) for a request without credentials: answers a hit and resolves true, or
     * resolves false having written nothing; Express then handles the request (and counts the miss or bypass).
     */
    private async answerEarly(
        req: IncomingMessage,
        res: ServerResponse,
        view: RequestView,
    ): Promise<boolean> {
        if (!this.enabled) {
            return false;
        }
        const found = await this.lookup(view);
        if (found.kind !== 'hit') {
            (req as LookedUpRequest)[EARLY_LOOKUP] = found;
            return false;
        }
        this.options.beforeEarlyAnswer?.(req, res);
        if (this.cors) {
            const allowed = await new Promise<boolean>(resolve => this.cors!(req, res, err => resolve(!err)));
            if (!allowed) {
                return false;
            }
        }
        this.answerHit(req, res, found.answer, found.shared);
        this.stats.earlyAnswers++;
        return true;
    }

    /** The Express request as the cache reads it; the session token is found the way Vendure extracts it. */
    private viewOf(req: Request): RequestView {
        const { tokenMethod, apiKeyHeaderKey } = this.configService.authOptions;
        const methods = Array.isArray(tokenMethod) ? tokenMethod : [tokenMethod];
        let sessionToken: string | undefined;
        const session = (req as Request & { session?: { token?: string } }).session;
        if (methods.includes('cookie') && session?.token) {
            sessionToken = session.token;
        } else if (methods.includes('bearer')) {
            sessionToken = /^bearer\s(.+)$/i.exec(req.get('Authorization')?.trim() ?? '')?.[1];
        }
        return {
            method: req.method,
            headers: req.headers,
            query: (req.query ?? {}) as Record<string, unknown>,
            body: req.body as unknown,
            sessionToken,
            apiKey: methods.includes('api-key') && !!req.get(apiKeyHeaderKey ?? 'vendure-api-key'),
        };
    }

    private async lookup(view: RequestView): Promise<Lookup> {
        const bypass = (reason: BypassReason): Lookup => ({ kind: 'bypass', reason });
        if (view.method !== 'GET' && view.method !== 'POST') {
            return bypass('method');
        }
        if (!preflighted(view.headers)) {
            // GraphQL refuses it (Apollo's CSRF prevention); a hit must not answer what GraphQL would refuse.
            return bypass('csrf');
        }
        const request = graphqlRequest(view);
        if (!request) {
            return bypass('no_query');
        }
        if (request === 'unparsable') {
            return bypass('unparsable');
        }
        let variables: string;
        try {
            variables = stableStringify(request.variables ?? {});
        } catch {
            return bypass('unparsable');
        }
        if (Buffer.byteLength(variables) > this.options.maxVariablesBytes) {
            return bypass('too_large');
        }
        const verdict = this.verdict(request.query, request.operationName);
        if (!verdict.cacheable) {
            return bypass(verdict.reason);
        }
        if (await this.authenticated(view)) {
            return bypass('authenticated');
        }
        const selector = await this.selector(view);
        if (!selector) {
            return bypass('channel');
        }
        let generation: number;
        try {
            generation = await this.store.generation();
        } catch {
            return bypass('store_unavailable');
        }
        const key = cacheKey({
            ...selector,
            documentHash: verdict.documentHash,
            operationName: request.operationName ?? '',
            variables,
        });
        const found = await this.store.get(generation, key).catch(() => undefined);
        return found ? { kind: 'hit', ...found } : { kind: 'miss', generation, key };
    }

    private verdict(query: string, operationName: string | undefined): QueryVerdict {
        if (Buffer.byteLength(query) > this.options.maxQueryBytes) {
            return { cacheable: false, reason: 'too_large' };
        }
        const id = `${operationName ?? ''}\u0000${query}`;
        let verdict = this.verdicts.get(id);
        if (!verdict) {
            verdict = judgeQuery(query, operationName, this.allowed, this.options);
            this.verdicts.set(id, verdict);
        }
        return verdict;
    }

    /**
     * The rule: a request is anonymous unless it carries an API key, or a session token (cookie or bearer, the way
     * Vendure extracts it) whose session has a user. An anonymous session with a cart is anonymous: no cacheable
     * field reads the order (taxes come from the channel's default zone, DefaultTaxZoneStrategy). The session is
     * read through Vendure's session cache, as Vendure's AuthGuard reads it.
     */
    private async authenticated(view: RequestView): Promise<boolean> {
        if (view.apiKey) {
            return true;
        }
        if (!view.sessionToken) {
            return false;
        }
        const cached = await this.sessionService.getSessionFromToken(view.sessionToken);
        return !!cached?.user;
    }

    /**
     * Channel, language and currency exactly as Vendure's RequestContextService resolves them, absent values replaced
     * by the channel's defaults (so `?languageCode=fa` and no parameter share an entry when fa is the default).
     * Undefined when Vendure would refuse the request (unknown channel, currency not in the channel).
     */
    private async selector(
        view: RequestView,
    ): Promise<{ channelToken: string; languageCode: string; currencyCode: string } | undefined> {
        const tokenKey = this.configService.apiOptions.channelTokenKey;
        const raw = view.query[tokenKey] || view.headers[tokenKey] || '';
        const language = view.query.languageCode;
        const currency = view.query.currencyCode;
        if (
            typeof raw !== 'string' ||
            (language !== undefined && typeof language !== 'string') ||
            (currency !== undefined && typeof currency !== 'string')
        ) {
            return undefined;
        }
        let channel;
        try {
            channel = await this.channelService.getChannelFromToken(raw);
        } catch {
            return undefined;
        }
        if (currency && !channel.availableCurrencyCodes.includes(currency as never)) {
            return undefined;
        }
        return {
            channelToken: channel.token,
            languageCode:
                (language && /^[a-zA-Z0-9_-]+$/.test(language) ? language : undefined) ??
                channel.defaultLanguageCode ??
                this.configService.defaultLanguageCode,
            currencyCode: currency || channel.defaultCurrencyCode,
        };
    }

    private answerHit(
        req: IncomingMessage,
        res: ServerResponse,
        answer: StoredAnswer,
        shared: boolean,
    ): void {
        publicAnswer(res, this.vary, answer.etag, this.options.httpMaxAgeSeconds);
        if (etagMatches(header(req.headers, 'if-none-match'), answer.etag)) {
            this.stats.hits.notModified++;
            res.statusCode = 304;
            res.end();
            return;
        }
        this.stats.hits[shared ? 'shared' : 'local']++;
        res.statusCode = 200;
        res.setHeader('Content-Type', 'application/json; charset=utf-8');
        res.setHeader('Content-Length', answer.body.length);
        res.end(answer.body);
    }

    /**
     * Collects GraphQL's answer while it is sent. Stored only when it is a complete 200 JSON answer with data and
     * no `errors`, within maxEntryBytes, and it neither set a cookie nor issued a session token (an answer that
     * touched a session is not a catalog answer).
     */
    private captureAnswer(res: Response, store: (body: Buffer) => void): void {
        const chunks: Buffer[] = [];
        let size = 0;
        let streamed = false;
        const write = res.write.bind(res) as (...args: unknown[]) => boolean;
        const end = res.end.bind(res) as (...args: unknown[]) => Response;
        const collect = (chunk: unknown, encoding?: unknown) => {
            if (chunk === undefined || chunk === null || typeof chunk === 'function') {
                return;
            }
            const buf = Buffer.isBuffer(chunk)
                ? chunk
                : Buffer.from(
                      chunk as string,
                      typeof encoding === 'string' ? (encoding as BufferEncoding) : 'utf8',
                  );
            size += buf.length;
            if (size <= this.options.maxEntryBytes) {
                chunks.push(buf);
            }
        };
        res.write = ((chunk: unknown, ...rest: unknown[]) => {
            // Incremental delivery (or anything streamed): headers leave with the first chunk, so no ETag.
            streamed = true;
            collect(chunk, rest[0]);
            return write(chunk, ...rest);
        }) as Response['write'];
        res.end = ((chunk?: unknown, ...rest: unknown[]) => {
            collect(chunk, rest[0]);
            const body = Buffer.concat(chunks);
            const storable =
                !streamed &&
                !res.headersSent &&
                res.statusCode === 200 &&
                size <= this.options.maxEntryBytes &&
                !res.getHeader('set-cookie') &&
                !res.getHeader(this.configService.authOptions.authTokenHeaderKey ?? 'vendure-auth-token') &&
                /json/.test(String(res.getHeader('content-type') ?? '')) &&
                isCleanAnswer(body);
            if (storable) {
                this.stats.stored++;
                store(body);
                publicAnswer(res, this.vary, undefined, this.options.httpMaxAgeSeconds, body);
            } else {
                this.stats.notStored++;
                if (!res.headersSent) {
                    privateAnswer(res, this.vary);
                }
            }
            return end(chunk, ...rest);
        }) as Response['end'];
    }
}

/** `data` present and no `errors`: an answer with errors (even partial) may depend on a passing failure. */
function isCleanAnswer(body: Buffer): boolean {
    try {
        const parsed = JSON.parse(body.toString('utf8')) as { data?: unknown; errors?: unknown };
        return (
            parsed !== null &&
            typeof parsed === 'object' &&
            parsed.data != null &&
            parsed.errors === undefined
        );
    } catch {
        return false;
    }
}

function publicAnswer(
    res: ServerResponse,
    vary: string,
    etag: string | undefined,
    maxAge: number,
    body?: Buffer,
): void {
    res.setHeader('ETag', etag ?? etagOf(body!));
    res.setHeader('Cache-Control', `public, max-age=${maxAge}${maxAge === 0 ? ', must-revalidate' : ''}`);
    res.setHeader('Vary', vary);
}

function privateAnswer(res: ServerResponse, vary: string): void {
    res.setHeader('Cache-Control', 'private, no-store');
    res.setHeader('Vary', vary);
}

/** `private, no-store` whatever GraphQL sets later (Apollo writes its own `no-store`): applied as headers leave. */
function privateWhenSent(res: Response, vary: string): void {
    const writeHead = res.writeHead.bind(res) as (...args: unknown[]) => Response;
    res.writeHead = ((...args: unknown[]) => {
        privateAnswer(res, vary);
        return writeHead(...args);
    }) as Response['writeHead'];
}

/** If-None-Match: `*`, or a list of (possibly weak) validators. */
function etagMatches(header: string | undefined, etag: string): boolean {
    if (!header) {
        return false;
    }
    if (header.trim() === '*') {
        return true;
    }
    return header.split(',').some(t => t.trim().replace(/^W\//, '') === etag);
}
