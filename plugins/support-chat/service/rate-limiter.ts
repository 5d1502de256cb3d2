import type Redis from 'ioredis';

import { RateLimit } from '../types';

/**
 * Fixed-window counters. With Redis the count is shared by every instance (INCR + EXPIRE); without it, one
 * process holds them in memory.
 */
export class WindowRateLimiter {
    private readonly local = new Map<string, { window: number; count: number }>();

    constructor(
        private readonly redis?: Redis,
        private readonly keyPrefix = '',
    ) {}

    /** Counts one hit for `key` and says whether it is within `limit`. */
    async hit(key: string, limit: RateLimit, now = Date.now()): Promise<boolean> {
        const window = Math.floor(now / (limit.windowSeconds * 1000));
        if (this.redis) {
            const redisKey = `${this.keyPrefix}rl:${key}:${window}`;
            const [[, count]] = (await this.redis
                .multi()
                .incr(redisKey)
                .expire(redisKey, limit.windowSeconds + 1)
                .exec()) as [[Error | null, number], [Error | null, number]];
            return count <= limit.limit;
        }
        const entry = this.local.get(key);
        if (!entry || entry.window !== window) {
            this.local.set(key, { window, count: 1 });
            this.sweep(window);
            return 1 <= limit.limit;
        }
        entry.count++;
        return entry.count <= limit.limit;
    }

    private sweep(window: number): void {
        if (this.local.size < 10_000) {
            return;
        }
        for (const [k, v] of this.local) {
            if (v.window < window) {
                this.local.delete(k);
            }
        }
    }
}
