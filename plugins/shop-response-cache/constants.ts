export const loggerCtx = 'ShopResponseCache';
export const PLUGIN_INIT_OPTIONS = Symbol('SHOP_RESPONSE_CACHE_PLUGIN_OPTIONS');

/**
 * Shop API root fields whose answer depends only on the channel, language and currency of the request and on its
 * query and variables, never on the session (no order, customer or customer-group input). A query is cached only
 * when every root field it selects is here.
 */
export const DEFAULT_CACHEABLE_ROOT_FIELDS: readonly string[] = [
    'products',
    'product',
    'collections',
    'collection',
    'search',
    'facets',
    'facet',
    'availableCountries',
    'activeChannel',
    '__typename',
];

/**
 * Job queues whose completion changes what shoppers see without an event of their own: the search index is
 * written by `update-search-index` jobs after the product event that queued them, so `search` answers change only
 * when the job is done. (`apply-collection-filters` publishes CollectionModificationEvent, listed anyway.)
 */
export const INVALIDATING_QUEUES: readonly string[] = ['update-search-index', 'apply-collection-filters'];

export const DEFAULT_OPTIONS = {
    enabled: true,
    earlyLane: true,
    maxAgeSeconds: 60,
    httpMaxAgeSeconds: 0,
    maxEntries: 10_000,
    maxBytes: 64 * 1024 * 1024,
    maxEntryBytes: 1024 * 1024,
    maxQueryBytes: 16 * 1024,
    maxQueryTokens: 2_000,
    maxVariablesBytes: 4 * 1024,
    keyPrefix: 'shop:response-cache:',
} as const;
