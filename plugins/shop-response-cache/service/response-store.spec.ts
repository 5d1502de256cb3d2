import { afterAll, describe, expect, it } from 'vitest';

import { deleteRedisKeys } from '../../../src/db/scratch-database';

import { DEFAULT_CACHEABLE_ROOT_FIELDS, DEFAULT_OPTIONS } from '../constants';
import { ResolvedShopResponseCacheOptions } from '../types';

import { ResponseStore } from './response-store';

const options = (over: Partial<ResolvedShopResponseCacheOptions> = {}): ResolvedShopResponseCacheOptions => ({
    ...DEFAULT_OPTIONS,
    cacheableRootFields: DEFAULT_CACHEABLE_ROOT_FIELDS,
    ...over,
});

const redisUrl = process.env.REDIS_URL;

const profiles: Array<[string, string | undefined]> = [
    ['in process', undefined],
    ...(redisUrl ? [['with Redis', redisUrl] as [string, string]] : []),
];

describe.each(profiles)('ResponseStore (%s)', (_name, url) => {
    const prefix = `unit-response-store-${process.pid}:`;
    afterAll(() => deleteRedisKeys(url, prefix));
    const make = (over: Partial<ResolvedShopResponseCacheOptions> = {}) =>
        new ResponseStore(
            options({
                ...over,
                redis: url
                    ? {
                          url,
                          cacheUrl: url,
                          keyPrefix: `${prefix}${Math.random().toString(36).slice(2)}:`,
                      }
                    : undefined,
            }),
        );

    it('an answer read before an invalidation and stored after it is never found again', async () => {
        const store = make();
        try {
            const started = await store.generation();
            await store.set(started, 'k', Buffer.from('{"data":{"v":1}}'));
            expect((await store.get(await store.generation(), 'k'))?.answer.body.toString()).toBe(
                '{"data":{"v":1}}',
            );
            // A read starts (generation N), the catalog changes and invalidates, then the read stores what it read.
            const inFlight = await store.generation();
            await store.bump();
            await store.set(inFlight, 'k', Buffer.from('{"data":{"v":"stale"}}'));
            expect(await store.get(await store.generation(), 'k')).toBeUndefined();
        } finally {
            await store.close();
        }
    });

    it('keeps at most maxEntries and maxBytes in process, counting evictions', async () => {
        const store = make({ maxEntries: 10, maxBytes: 1_000_000 });
        try {
            const g = await store.generation();
            for (let i = 0; i < 25; i++) {
                await store.set(g, `k${i}`, Buffer.from(`{"data":${i}}`));
            }
            expect(store.entries).toBe(10);
            expect(store.evictions).toBe(15);
            const small = make({ maxEntries: 1000, maxBytes: 5_000 });
            for (let i = 0; i < 100; i++) {
                await small.set(g, `k${i}`, Buffer.alloc(400, 'x'));
            }
            expect(small.bytes).toBeLessThanOrEqual(5_000);
            expect(small.entries).toBeLessThan(100);
            await small.close();
        } finally {
            await store.close();
        }
    });

    it('ETags follow the body, not the generation', async () => {
        const store = make();
        try {
            const a = await store.set(await store.generation(), 'k', Buffer.from('same'));
            await store.bump();
            const b = await store.set(await store.generation(), 'k', Buffer.from('same'));
            const c = await store.set(await store.generation(), 'k2', Buffer.from('other'));
            expect(a.etag).toBe(b.etag);
            expect(c.etag).not.toBe(a.etag);
        } finally {
            await store.close();
        }
    });
});
