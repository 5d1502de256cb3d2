import { describe, expect, it } from 'vitest';

import { clientNetwork } from '../../../src/security/client-network';
import { MemoryCounterStore } from '../../../src/security/counter-store';

import { SendLimiter } from './send-limiter';

function limiter(now: { t: number }, cooldown = 60) {
    const store = new MemoryCounterStore(() => now.t);
    return new SendLimiter(store, cooldown, {
        phone: { hourly: 3, daily: 4 },
        ip: { hourly: 5, daily: 7 },
        global: { hourly: 8, daily: 9 },
    });
}

describe('SendLimiter', () => {
    it('holds a number for the cooldown, then lets it through', async () => {
        const now = { t: 1_000_000 };
        const l = limiter(now);
        expect((await l.acquire('p1', 'ip1')).allowed).toBe(true);
        now.t += 20_000;
        expect(await l.acquire('p1', 'ip1')).toEqual({
            allowed: false,
            scope: 'COOLDOWN',
            retryAfterSeconds: 40,
        });
        now.t += 40_000;
        expect((await l.acquire('p1', 'ip1')).allowed).toBe(true);
    });

    it('frees the cooldown when the caller releases it (nothing was sent)', async () => {
        const l = limiter({ t: 0 });
        const permit = await l.acquire('p1', 'ip1');
        expect(permit.allowed).toBe(true);
        if (permit.allowed) {
            await permit.releaseCooldown();
        }
        expect((await l.acquire('p1', 'ip1')).allowed).toBe(true);
    });

    it('caps a number hourly and daily', async () => {
        const now = { t: 0 };
        const l = limiter(now, 0);
        for (let i = 0; i < 3; i++) {
            expect((await l.acquire('p', `ip${i}`)).allowed).toBe(true);
        }
        expect(await l.acquire('p', 'ipx')).toMatchObject({
            allowed: false,
            scope: 'PHONE',
            retryAfterSeconds: 3600,
        });
        now.t += 3600_000;
        expect((await l.acquire('p', 'ipy')).allowed).toBe(true);
        // Daily cap 4: three sends in the first hour and one now; the refused try stopped at the hourly window.
        const refused = await l.acquire('p', 'ipz');
        expect(refused).toMatchObject({ allowed: false, scope: 'PHONE' });
        expect(refused.allowed === false && refused.retryAfterSeconds).toBe(86_400 - 3600);
    });

    it('caps a client IP hourly and daily across numbers', async () => {
        const now = { t: 0 };
        const l = limiter(now, 0);
        for (let i = 0; i < 5; i++) {
            expect((await l.acquire(`p${i}`, 'ip')).allowed).toBe(true);
        }
        expect(await l.acquire('p5', 'ip')).toMatchObject({ allowed: false, scope: 'IP' });
        now.t += 3600_000;
        // Daily cap 7: five sends in the first hour, two more now.
        expect((await l.acquire('p6', 'ip')).allowed).toBe(true);
        expect((await l.acquire('p7', 'ip')).allowed).toBe(true);
        expect(await l.acquire('p8', 'ip')).toMatchObject({ allowed: false, scope: 'IP' });
    });

    it('caps the whole shop hourly and daily across IPs', async () => {
        const now = { t: 0 };
        const l = limiter(now, 0);
        for (let i = 0; i < 8; i++) {
            expect((await l.acquire(`p${i}`, `ip${i}`)).allowed).toBe(true);
        }
        expect(await l.acquire('p8', 'ip8')).toMatchObject({ allowed: false, scope: 'GLOBAL' });
        now.t += 3600_000;
        // Daily cap 9: eight sends in the first hour, one more now.
        expect((await l.acquire('p9', 'ip9')).allowed).toBe(true);
        expect(await l.acquire('p10', 'ip10')).toMatchObject({ allowed: false, scope: 'GLOBAL' });
    });

    it("does not use up a number's quota or cooldown with requests refused for the IP or the shop", async () => {
        const now = { t: 0 };
        const l = limiter(now);
        for (let i = 0; i < 5; i++) {
            expect((await l.acquire(`p${i}`, 'attacker')).allowed).toBe(true);
        }
        // The attacker's IP is capped; asking for the victim's number again and again must cost the victim nothing.
        for (let i = 0; i < 10; i++) {
            expect(await l.acquire('victim', 'attacker')).toMatchObject({ allowed: false, scope: 'IP' });
        }
        for (let i = 0; i < 3; i++) {
            expect((await l.acquire('victim', 'victim-ip')).allowed).toBe(true);
            now.t += 60_000;
        }
        expect(await l.acquire('victim', 'victim-ip')).toMatchObject({ allowed: false, scope: 'PHONE' });
    });

    it('counts concurrent calls one by one', async () => {
        const l = limiter({ t: 0 });
        const results = await Promise.all(Array.from({ length: 10 }, () => l.acquire('same', 'ip')));
        expect(results.filter(r => r.allowed)).toHaveLength(1);
    });
});

describe('clientNetwork', () => {
    it('caps IPv4 per address, also when written IPv4-mapped', () => {
        expect(clientNetwork('5.160.1.2')).toBe('5.160.1.2');
        expect(clientNetwork('::ffff:5.160.1.2')).toBe('5.160.1.2');
    });

    it('caps IPv6 per /64, however the address is written', () => {
        expect(clientNetwork('2a01:5ec0:1:2:aaaa::1')).toBe('2a01:5ec0:1:2::/64');
        expect(clientNetwork('2a01:5ec0:0001:0002:ffff:ffff:ffff:ffff')).toBe('2a01:5ec0:1:2::/64');
        expect(clientNetwork('2a01:5ec0:1:3::1')).toBe('2a01:5ec0:1:3::/64');
    });

    it('keeps anything else as it is', () => {
        expect(clientNetwork(undefined)).toBeUndefined();
        expect(clientNetwork('unix-socket')).toBe('unix-socket');
    });
});

describe('SendLimiter with IPv6 clients', () => {
    it('counts every address of one /64 against one IP cap', async () => {
        const l = limiter({ t: 0 }, 0);
        for (let i = 0; i < 5; i++) {
            expect((await l.acquire(`p${i}`, `2a01:5ec0:1:2::${i + 1}`)).allowed).toBe(true);
        }
        expect(await l.acquire('p5', '2a01:5ec0:1:2:dead:beef::9')).toMatchObject({
            allowed: false,
            scope: 'IP',
        });
        expect((await l.acquire('p6', '2a01:5ec0:1:3::1')).allowed).toBe(true);
    });
});
