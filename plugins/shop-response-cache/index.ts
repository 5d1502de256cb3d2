export * from './shop-response-cache.plugin';
export * from './types';
export { DEFAULT_CACHEABLE_ROOT_FIELDS } from './constants';
export { ShopResponseCacheService, INVALIDATING_EVENTS } from './service/shop-response-cache.service';
export { judgeQuery, cacheKey, stableStringify } from './service/cacheable-query';
