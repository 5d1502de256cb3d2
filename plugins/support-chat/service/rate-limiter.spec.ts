import { describe, expect, it } from 'vitest';

import { resolveOptions } from '../support-chat.plugin';

import { WindowRateLimiter } from './rate-limiter';

describe('WindowRateLimiter (in memory)', () => {
    it('allows `limit` hits per window and starts again in the next window', async () => {
        const limiter = new WindowRateLimiter();
        const limit = { limit: 2, windowSeconds: 10 };
        const t0 = 1_000_000_000_000;
        expect(await limiter.hit('a', limit, t0)).toBe(true);
        expect(await limiter.hit('a', limit, t0 + 1)).toBe(true);
        expect(await limiter.hit('a', limit, t0 + 2)).toBe(false);
        expect(await limiter.hit('b', limit, t0 + 2)).toBe(true);
        expect(await limiter.hit('a', limit, t0 + 10_000)).toBe(true);
    });
});

describe('SupportChatPlugin options', () => {
    it('fills in the defaults', () => {
        expect(resolveOptions({})).toMatchObject({
            maxMessageLength: 2000,
            maxOpenConversationsPerShopper: 3,
            unreadNotifyAfterSeconds: 180,
        });
    });

    it('refuses limits that would switch a limit off', () => {
        expect(() => resolveOptions({ socketRateLimit: { limit: 0, windowSeconds: 10 } })).toThrow(
            /socketRateLimit/,
        );
        expect(() => resolveOptions({ maxMessageLength: 0 })).toThrow(/maxMessageLength/);
    });
});
