import Redis from 'ioredis';

/**
 * Fixed-window counters for rate limits (the OTP plugin's cooldowns and send caps, the app's per-IP limits).
 * Redis in production (shared by every server instance), process memory in the embedded profile (one process).
 * Windows are fixed: they start at the first hit.
 */
export interface CounterStore {
    /** Takes `key` for `ttlSeconds` if nobody holds it. Returns 0 when taken, else the seconds it is still held. */
    claim(key: string, ttlSeconds: number): Promise<number>;
    /** Gives a claimed key back early. */
    release(key: string): Promise<void>;
    /**
     * Counts one hit in every window if none of them would go over its limit; otherwise counts nothing and
     * returns the first window (in order) that would, with the seconds until it ends. A refused request must
     * not use up the other windows: a client refused for its IP would otherwise exhaust any number's quota
     * for free. Redis does it atomically in one round trip.
     */
    countIfAllowed(windows: CounterWindow[]): Promise<{ index: number; resetInSeconds: number } | undefined>;
    /** The current count of each window key and the seconds until it ends (0 and 0 for a window not started). */
    peek(keys: string[]): Promise<Array<{ count: number; resetInSeconds: number }>>;
    close(): Promise<void>;
}

export interface CounterWindow {
    key: string;
    windowSeconds: number;
    limit: number;
}

export class MemoryCounterStore implements CounterStore {
    private readonly entries = new Map<string, { count: number; expiresAt: number }>();
    private lastSweep = 0;

    constructor(private readonly now: () => number = Date.now) {}

    async claim(key: string, ttlSeconds: number): Promise<number> {
        const entry = this.live(key);
        if (entry) {
            return secondsUntil(entry.expiresAt, this.now());
        }
        this.entries.set(key, { count: 1, expiresAt: this.now() + ttlSeconds * 1000 });
        return 0;
    }

    async release(key: string): Promise<void> {
        this.entries.delete(key);
    }

    async countIfAllowed(
        windows: CounterWindow[],
    ): Promise<{ index: number; resetInSeconds: number } | undefined> {
        const now = this.now();
        for (const [index, w] of windows.entries()) {
            const entry = this.live(w.key);
            if ((entry?.count ?? 0) + 1 > w.limit) {
                return {
                    index,
                    resetInSeconds: entry ? secondsUntil(entry.expiresAt, now) : w.windowSeconds,
                };
            }
        }
        for (const w of windows) {
            const entry = this.live(w.key);
            if (entry) {
                entry.count += 1;
            } else {
                this.entries.set(w.key, { count: 1, expiresAt: now + w.windowSeconds * 1000 });
            }
        }
        return undefined;
    }

    async peek(keys: string[]): Promise<Array<{ count: number; resetInSeconds: number }>> {
        return keys.map(key => {
            const entry = this.live(key);
            return entry
                ? { count: entry.count, resetInSeconds: secondsUntil(entry.expiresAt, this.now()) }
                : { count: 0, resetInSeconds: 0 };
        });
    }

    async close(): Promise<void> {
        this.entries.clear();
    }

    private live(key: string) {
        const now = this.now();
        if (now - this.lastSweep > 60_000) {
            // Drop expired windows now and then so memory stays bounded by the live ones.
            this.lastSweep = now;
            for (const [k, e] of this.entries) {
                if (e.expiresAt <= now) {
                    this.entries.delete(k);
                }
            }
        }
        const entry = this.entries.get(key);
        return entry && entry.expiresAt > now ? entry : undefined;
    }
}

// Several windows at once, all or nothing: ARGV holds each window's seconds and limit. The first pass finds the
// first window a hit would take over its limit and returns {index (1-based), ttl}; otherwise the second pass
// counts the hit in every window (setting the expiry on a window's first hit) and returns {0, 0}. The keys of
// one call must live on one Redis node (one instance, or one hash slot in a cluster).
const COUNT_IF_ALLOWED_SCRIPT = `
for i = 1, #KEYS do
  local window = tonumber(ARGV[2 * i - 1])
  local count = tonumber(redis.call('GET', KEYS[i]) or '0')
  if count + 1 > tonumber(ARGV[2 * i]) then
    local ttl = redis.call('TTL', KEYS[i])
    if ttl < 0 then ttl = window end
    return {i, ttl}
  end
end
for i = 1, #KEYS do
  local window = tonumber(ARGV[2 * i - 1])
  if redis.call('INCR', KEYS[i]) == 1 or redis.call('TTL', KEYS[i]) < 0 then
    redis.call('EXPIRE', KEYS[i], window)
  end
end
return {0, 0}
`;

type ScriptedRedis = {
    countIfAllowed(n: number, ...args: Array<string | number>): Promise<[number, number]>;
};

export class RedisCounterStore implements CounterStore {
    private readonly redis: Redis;

    constructor(url: string, keyPrefix: string) {
        this.redis = new Redis(url, { keyPrefix, lazyConnect: true, maxRetriesPerRequest: 2 });
        // Variable number of keys: the first argument of each call says how many.
        this.redis.defineCommand('countIfAllowed', { lua: COUNT_IF_ALLOWED_SCRIPT });
    }

    async claim(key: string, ttlSeconds: number): Promise<number> {
        const set = await this.redis.set(key, '1', 'EX', ttlSeconds, 'NX');
        if (set === 'OK') {
            return 0;
        }
        const ttl = await this.redis.ttl(key);
        return ttl > 0 ? ttl : 1;
    }

    async release(key: string): Promise<void> {
        await this.redis.del(key);
    }

    async countIfAllowed(
        windows: CounterWindow[],
    ): Promise<{ index: number; resetInSeconds: number } | undefined> {
        const [index, ttl] = await (this.redis as unknown as ScriptedRedis).countIfAllowed(
            windows.length,
            ...windows.map(w => w.key),
            ...windows.flatMap(w => [w.windowSeconds, w.limit]),
        );
        return index > 0 ? { index: index - 1, resetInSeconds: Math.max(ttl, 1) } : undefined;
    }

    async peek(keys: string[]): Promise<Array<{ count: number; resetInSeconds: number }>> {
        const pipeline = this.redis.pipeline();
        for (const key of keys) {
            pipeline.get(key).ttl(key);
        }
        const replies = (await pipeline.exec()) ?? [];
        return keys.map((_key, i) => {
            const [countError, count] = replies[2 * i] ?? [];
            const [ttlError, ttl] = replies[2 * i + 1] ?? [];
            if (countError || ttlError) {
                throw countError ?? ttlError;
            }
            return count == null
                ? { count: 0, resetInSeconds: 0 }
                : { count: Number(count), resetInSeconds: Math.max(Number(ttl), 1) };
        });
    }

    async close(): Promise<void> {
        this.redis.disconnect();
    }
}

function secondsUntil(at: number, now: number): number {
    return Math.max(1, Math.ceil((at - now) / 1000));
}
