import { Inject, OnApplicationShutdown } from '@nestjs/common';
import { APP_INTERCEPTOR } from '@nestjs/core';
import { PluginCommonModule, VendurePlugin } from '@vendure/core';

import { MemoryCounterStore, RedisCounterStore } from './counter-store';
import { RateLimiter, RateLimitRules } from './rate-limit';
import { RATE_LIMITER, RateLimitInterceptor } from './rate-limit.interceptor';

export interface RateLimitPluginOptions {
    rules: RateLimitRules;
    /** Counters in Redis, shared by every server instance; without it, process memory (embedded profile). */
    redis?: { url: string; keyPrefix: string };
}

/**
 * Per-IP limits (IPv4 address, IPv6 /64) on password login, sign-up, password-reset requests and new carts; see
 * {@link RateLimitInterceptor} and docs/hardening.md for what a refused client gets.
 */
@VendurePlugin({
    imports: [PluginCommonModule],
    providers: [
        {
            provide: RATE_LIMITER,
            useFactory: () => {
                const { rules, redis } = RateLimitPlugin.options;
                return new RateLimiter(
                    redis ? new RedisCounterStore(redis.url, redis.keyPrefix) : new MemoryCounterStore(),
                    rules,
                );
            },
        },
        { provide: APP_INTERCEPTOR, useClass: RateLimitInterceptor },
    ],
    compatibility: '^3.7.0',
})
export class RateLimitPlugin implements OnApplicationShutdown {
    static options: RateLimitPluginOptions;

    constructor(@Inject(RATE_LIMITER) private readonly limiter: RateLimiter) {}

    static init(options: RateLimitPluginOptions): typeof RateLimitPlugin {
        this.options = options;
        return this;
    }

    async onApplicationShutdown(): Promise<void> {
        await this.limiter.close();
    }
}
