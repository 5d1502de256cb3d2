import type { IncomingMessage, ServerResponse } from 'node:http';

/** Options of {@link ShopResponseCachePlugin}; every one has a default (constants.ts). */
export interface ShopResponseCachePluginOptions {
    /** Off: every Shop API request runs GraphQL as without the plugin (no lookups, no headers). Default true. */
    enabled?: boolean;
    /**
     * Look up Shop API requests that carry no credentials (no session cookie, Authorization or API key) at the
     * HTTP server, before Express, and answer their hits from there (default true): about twice the hits per
     * second. Express's middleware does not run for those answers; see `beforeEarlyAnswer`.
     */
    earlyLane?: boolean;
    /**
     * Called before a hit is answered by the early lane, to give it what the app's own Express middleware gives
     * every answer (a request id, security headers, an HTTP metrics observation). Must not write the body.
     */
    beforeEarlyAnswer?: (req: IncomingMessage, res: ServerResponse) => void;
    /**
     * The app's body limit for the Shop API, if it sets one below the lane's own read limit (`maxQueryBytes` +
     * `maxVariablesBytes` + 1 KiB): the early lane never reads a larger body, so Express's limit still answers it.
     */
    shopApiBodyLimitBytes?: number;
    /**
     * Longest life of a cached answer, in seconds (default 60): the safety net behind event invalidation, e.g. for
     * a change made straight in the database.
     */
    maxAgeSeconds?: number;
    /**
     * `max-age` of the `Cache-Control: public` header of anonymous cacheable answers (default 0: browsers and CDNs
     * keep the answer but revalidate it with its ETag every time, so a change is visible at the next read; a higher
     * value lets them serve it that long without asking, stale after a change).
     */
    httpMaxAgeSeconds?: number;
    /** Most answers kept in this process (default 10 000). */
    maxEntries?: number;
    /** Most bytes of answers (body + key) kept in this process (default 64 MiB). */
    maxBytes?: number;
    /** A larger answer is not cached (default 1 MiB). */
    maxEntryBytes?: number;
    /** A longer query document is not looked at (default 16 KiB). */
    maxQueryBytes?: number;
    /** Parser token limit for the query document (default 2 000). */
    maxQueryTokens?: number;
    /** Larger variables (as JSON) are not cached (default 4 KiB). */
    maxVariablesBytes?: number;
    /** Root fields that may be cached; default DEFAULT_CACHEABLE_ROOT_FIELDS. Only session-independent fields. */
    cacheableRootFields?: readonly string[];
    /**
     * Redis shared by every instance (answers and the generation counter). Without it the cache is per process,
     * which is correct only for a single server process (the embedded profile).
     */
    redis?: {
        /** Holds the generation counter: must not evict keys (Redis of the job queue). */
        url: string;
        /** Holds the answers (they expire after maxAgeSeconds); may be an evicting Redis. Default: `url`. */
        cacheUrl?: string;
        keyPrefix?: string;
    };
}

export type ResolvedShopResponseCacheOptions = Required<
    Omit<ShopResponseCachePluginOptions, 'redis' | 'beforeEarlyAnswer' | 'shopApiBodyLimitBytes'>
> & {
    beforeEarlyAnswer?: ShopResponseCachePluginOptions['beforeEarlyAnswer'];
    shopApiBodyLimitBytes?: number;
    redis?: { url: string; cacheUrl: string; keyPrefix: string };
};

/** Why a Shop API request did not use the cache (a bounded set: a metrics label). */
export type BypassReason =
    | 'disabled'
    | 'method'
    | 'csrf'
    | 'no_query'
    | 'too_large'
    | 'unparsable'
    | 'not_query'
    | 'not_allowed'
    | 'authenticated'
    | 'channel'
    | 'store_unavailable';

/** Counters of this process since it started (read by src/metrics). */
export interface ShopResponseCacheStats {
    hits: { local: number; shared: number; notModified: number };
    /** Of the hits, those answered at the HTTP server's `request` event, before Express (the early lane). */
    earlyAnswers: number;
    misses: number;
    stored: number;
    /** Answers looked up but not stored: errors, non-200, too large, set a cookie, or invalidated meanwhile. */
    notStored: number;
    bypass: Record<BypassReason, number>;
    invalidations: number;
    evictions: number;
    entries: number;
    bytes: number;
}
