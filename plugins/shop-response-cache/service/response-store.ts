import crypto from 'node:crypto';

import { Redis } from 'ioredis';
import { LRUCache } from 'lru-cache';

import { ResolvedShopResponseCacheOptions } from '../types';

export interface StoredAnswer {
    body: Buffer;
    /** Strong validator: a hash of the body, so an unchanged answer keeps its ETag across invalidations. */
    etag: string;
}

/**
 * Raises the generation atomically and never below the current time in milliseconds: if the key is lost (Redis
 * flushed, or restarted without persistence) the next generation is still higher than any used in the last
 * max-age, so no answer stored under an old generation can be found again.
 */
const BUMP_SCRIPT = `
local g = redis.call('INCR', KEYS[1])
local floor = tonumber(ARGV[1])
if g < floor then
  redis.call('SET', KEYS[1], ARGV[1])
  g = floor
end
return g`;

/**
 * Where answers live: a bounded LRU in this process, and Redis shared by every instance when configured.
 *
 * Every answer is stored under the generation that was current when its request started. Invalidation raises the
 * generation (after the change is committed), which makes every earlier answer unreachable at once, on every
 * instance, without deleting anything: a read that began before the change and finishes after it stores its
 * (possibly stale) answer under the old generation, where no later read looks.
 */
export class ResponseStore {
    private readonly local: LRUCache<string, StoredAnswer>;
    private localGeneration = Date.now();
    private lastSeenGeneration = 0;
    private readonly redis?: Redis;
    private readonly cacheRedis?: Redis;
    private readonly generationKey: string;
    private readonly entryPrefix: string;
    evictions = 0;

    constructor(private readonly options: ResolvedShopResponseCacheOptions) {
        this.local = new LRUCache<string, StoredAnswer>({
            max: options.maxEntries,
            maxSize: options.maxBytes,
            // The key is kept as well; Buffer overhead (~100 bytes) is counted so tiny answers are bounded too.
            sizeCalculation: (value, key) => value.body.length + key.length + value.etag.length + 100,
            ttl: options.maxAgeSeconds * 1000,
            dispose: (_value, _key, reason) => {
                if (reason === 'evict') {
                    this.evictions++;
                }
            },
        });
        const prefix = options.redis?.keyPrefix ?? '';
        this.generationKey = `${prefix}generation`;
        this.entryPrefix = `${prefix}answer:`;
        if (options.redis) {
            // Auto-pipelining: the generation read of concurrent requests goes out in one round trip.
            const common = { enableAutoPipelining: true, maxRetriesPerRequest: 1, lazyConnect: false };
            this.redis = new Redis(options.redis.url, common);
            this.cacheRedis =
                options.redis.cacheUrl === options.redis.url
                    ? this.redis
                    : new Redis(options.redis.cacheUrl, common);
            // Errors surface per command (the request then bypasses the cache); no unhandled 'error' events.
            this.redis.on('error', () => undefined);
            this.cacheRedis.on('error', () => undefined);
        }
    }

    get entries(): number {
        return this.local.size;
    }

    get bytes(): number {
        return this.local.calculatedSize;
    }

    /** The current generation: from Redis on every call when shared (one GET), so no instance can lag behind. */
    async generation(): Promise<number> {
        if (!this.redis) {
            return this.localGeneration;
        }
        const raw = await this.redis.get(this.generationKey);
        const generation = raw === null ? await this.bump() : Number(raw);
        this.dropOlderThan(generation);
        return generation;
    }

    /** Makes every stored answer unreachable; resolves when every instance will see the new generation. */
    async bump(): Promise<number> {
        if (!this.redis) {
            this.localGeneration++;
            this.local.clear();
            return this.localGeneration;
        }
        const generation = Number(await this.redis.eval(BUMP_SCRIPT, 1, this.generationKey, Date.now()));
        this.dropOlderThan(generation);
        return generation;
    }

    async get(
        generation: number,
        key: string,
    ): Promise<{ answer: StoredAnswer; shared: boolean } | undefined> {
        const id = `${generation}:${key}`;
        const local = this.local.get(id);
        if (local) {
            return { answer: local, shared: false };
        }
        if (!this.cacheRedis) {
            return undefined;
        }
        const body = await this.cacheRedis.getBuffer(`${this.entryPrefix}${id}`);
        if (!body) {
            return undefined;
        }
        const answer = { body, etag: etagOf(body) };
        this.local.set(id, answer);
        return { answer, shared: true };
    }

    async set(generation: number, key: string, body: Buffer): Promise<StoredAnswer> {
        const id = `${generation}:${key}`;
        const answer = { body, etag: etagOf(body) };
        this.local.set(id, answer);
        if (this.cacheRedis) {
            await this.cacheRedis.set(
                `${this.entryPrefix}${id}`,
                body,
                'PX',
                this.options.maxAgeSeconds * 1000,
            );
        }
        return answer;
    }

    async close(): Promise<void> {
        this.local.clear();
        await Promise.all(
            [...new Set([this.redis, this.cacheRedis])].map(r => r?.quit().catch(() => r.disconnect())),
        );
    }

    /** Answers of older generations can never be read again: free their memory now rather than at eviction. */
    private dropOlderThan(generation: number): void {
        if (generation > this.lastSeenGeneration) {
            if (this.lastSeenGeneration !== 0) {
                this.local.clear();
            }
            this.lastSeenGeneration = generation;
        }
    }
}

export function etagOf(body: Buffer): string {
    return `"${crypto.createHash('sha256').update(body).digest('base64url').slice(0, 32)}"`;
}
