import Redis from 'ioredis';

/**
 * The counters behind cooldowns and send caps. Redis in production (shared by every server instance),
 * process memory in the embedded profile (one process). Windows are fixed: they start at the first hit.
 */
export interface OtpCounterStore {
    /** Takes `key` for `ttlSeconds` if nobody holds it. Returns 0 when taken, else the seconds it is still held. */
    claim(key: string, ttlSeconds: number): Promise<number>;
    /** Gives a claimed key back early. */
    release(key: string): Promise<void>;
    /** Counts one hit in the window `key`; returns the count so far and the seconds until the window ends. */
    increment(key: string, windowSeconds: number): Promise<{ count: number; resetInSeconds: number }>;
    /**
     * Counts one hit in each window in order and stops at the first one that goes over its limit (the windows
     * after it are not counted). Returns that window's index and the seconds until it ends, or undefined when
     * every window allowed the hit. Redis does it in one round trip.
     */
    incrementUntilOver(
        windows: CounterWindow[],
    ): Promise<{ index: number; resetInSeconds: number } | undefined>;
    close(): Promise<void>;
}

export interface CounterWindow {
    key: string;
    windowSeconds: number;
    limit: number;
}

export class MemoryCounterStore implements OtpCounterStore {
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

    async increment(key: string, windowSeconds: number): Promise<{ count: number; resetInSeconds: number }> {
        let entry = this.live(key);
        if (!entry) {
            entry = { count: 0, expiresAt: this.now() + windowSeconds * 1000 };
            this.entries.set(key, entry);
        }
        entry.count += 1;
        return { count: entry.count, resetInSeconds: secondsUntil(entry.expiresAt, this.now()) };
    }

    async incrementUntilOver(
        windows: CounterWindow[],
    ): Promise<{ index: number; resetInSeconds: number } | undefined> {
        for (const [index, w] of windows.entries()) {
            const { count, resetInSeconds } = await this.increment(w.key, w.windowSeconds);
            if (count > w.limit) {
                return { index, resetInSeconds };
            }
        }
        return undefined;
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

// INCR and set the window's expiry on the first hit, in one round trip and atomically.
const INCREMENT_SCRIPT = `
local count = redis.call('INCR', KEYS[1])
if count == 1 then redis.call('EXPIRE', KEYS[1], ARGV[1]) end
local ttl = redis.call('TTL', KEYS[1])
if ttl < 0 then redis.call('EXPIRE', KEYS[1], ARGV[1]); ttl = tonumber(ARGV[1]) end
return {count, ttl}
`;

// The same for several windows in order, stopping at the first one over its limit: ARGV holds each window's
// seconds and limit. Returns {index (1-based), ttl}, or {0, 0} when all allowed. The keys of one call must live
// on one Redis node (one instance, or one hash slot in a cluster).
const INCREMENT_UNTIL_OVER_SCRIPT = `
for i = 1, #KEYS do
  local window = tonumber(ARGV[2 * i - 1])
  local count = redis.call('INCR', KEYS[i])
  if count == 1 then redis.call('EXPIRE', KEYS[i], window) end
  local ttl = redis.call('TTL', KEYS[i])
  if ttl < 0 then redis.call('EXPIRE', KEYS[i], window); ttl = window end
  if count > tonumber(ARGV[2 * i]) then return {i, ttl} end
end
return {0, 0}
`;

type ScriptedRedis = {
    otpIncrement(k: string, w: number): Promise<[number, number]>;
    otpIncrementUntilOver(n: number, ...args: Array<string | number>): Promise<[number, number]>;
};

export class RedisCounterStore implements OtpCounterStore {
    private readonly redis: Redis;

    constructor(url: string, keyPrefix: string) {
        this.redis = new Redis(url, { keyPrefix, lazyConnect: true, maxRetriesPerRequest: 2 });
        this.redis.defineCommand('otpIncrement', { numberOfKeys: 1, lua: INCREMENT_SCRIPT });
        // Variable number of keys: the first argument of each call says how many.
        this.redis.defineCommand('otpIncrementUntilOver', { lua: INCREMENT_UNTIL_OVER_SCRIPT });
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

    async increment(key: string, windowSeconds: number): Promise<{ count: number; resetInSeconds: number }> {
        const [count, ttl] = await (this.redis as unknown as ScriptedRedis).otpIncrement(key, windowSeconds);
        return { count, resetInSeconds: Math.max(ttl, 1) };
    }

    async incrementUntilOver(
        windows: CounterWindow[],
    ): Promise<{ index: number; resetInSeconds: number } | undefined> {
        const [index, ttl] = await (this.redis as unknown as ScriptedRedis).otpIncrementUntilOver(
            windows.length,
            ...windows.map(w => w.key),
            ...windows.flatMap(w => [w.windowSeconds, w.limit]),
        );
        return index > 0 ? { index: index - 1, resetInSeconds: Math.max(ttl, 1) } : undefined;
    }

    async close(): Promise<void> {
        this.redis.disconnect();
    }
}

function secondsUntil(at: number, now: number): number {
    return Math.max(1, Math.ceil((at - now) / 1000));
}
