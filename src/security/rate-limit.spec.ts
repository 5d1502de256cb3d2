import { describe, expect, it } from 'vitest';

import { MemoryCounterStore } from './counter-store';
import { RateLimiter } from './rate-limit';

function limiter(limit: number) {
    const now = { t: 0 };
    const rule = { limit, windowSeconds: 600 };
    const l = new RateLimiter(new MemoryCounterStore(() => now.t), {
        LOGIN: rule,
        REGISTER: rule,
        PASSWORD_RESET: undefined,
        NEW_ORDER: rule,
    });
    return { l, now };
}

describe('RateLimiter', () => {
    it('allows `limit` calls per window, then says how long until the window ends', async () => {
        const { l, now } = limiter(2);
        expect(await l.hit('LOGIN', 'shop', '5.160.1.2')).toBeUndefined();
        expect(await l.hit('LOGIN', 'shop', '5.160.1.2')).toBeUndefined();
        now.t = 100_000;
        expect(await l.hit('LOGIN', 'shop', '5.160.1.2')).toBe(500);
        now.t = 600_001;
        expect(await l.hit('LOGIN', 'shop', '5.160.1.2')).toBeUndefined();
    });

    it('counts every address of one IPv6 /64 together, and IPv4-mapped addresses as IPv4', async () => {
        const { l } = limiter(2);
        expect(await l.hit('LOGIN', 'shop', '2a01:5ec0:1:2::1')).toBeUndefined();
        expect(await l.hit('LOGIN', 'shop', '2a01:5ec0:1:2:ffff:ffff:ffff:ffff')).toBeUndefined();
        expect(await l.hit('LOGIN', 'shop', '2a01:5ec0:1:2:aaaa::9')).toBeGreaterThan(0);
        // The next /64 is another client.
        expect(await l.hit('LOGIN', 'shop', '2a01:5ec0:1:3::1')).toBeUndefined();
        expect(await l.hit('LOGIN', 'shop', '::ffff:5.160.1.2')).toBeUndefined();
        expect(await l.hit('LOGIN', 'shop', '5.160.1.2')).toBeUndefined();
        expect(await l.hit('LOGIN', 'shop', '5.160.1.2')).toBeGreaterThan(0);
    });

    it('keeps separate budgets per operation and per API; `off` means no limit', async () => {
        const { l } = limiter(1);
        expect(await l.hit('LOGIN', 'shop', '5.160.1.2')).toBeUndefined();
        expect(await l.hit('LOGIN', 'admin', '5.160.1.2')).toBeUndefined();
        expect(await l.hit('NEW_ORDER', 'shop', '5.160.1.2')).toBeUndefined();
        expect(await l.hit('LOGIN', 'shop', '5.160.1.2')).toBeGreaterThan(0);
        for (let i = 0; i < 5; i++) {
            expect(await l.hit('PASSWORD_RESET', 'shop', '5.160.1.2')).toBeUndefined();
        }
    });
});
