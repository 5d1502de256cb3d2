import { describe, expect, it, vi } from 'vitest';

import { SendCap, SendCaps } from '../types';

import { clientNetwork, clientPrefix } from '../../../src/security/client-network';
import { MemoryCounterStore } from '../../../src/security/counter-store';

import { SendLimiter, ShopWideAlert } from './send-limiter';

const BASE_CAPS: SendCaps = {
    phone: { hourly: 3, daily: 4 },
    ip: { hourly: 5, daily: 7 },
    network: { hourly: 100, daily: 100 },
    global: { hourly: 8, daily: 9 },
    knownAccountReserve: { hourly: 0, daily: 0 },
};

/** A limiter over a memory store on a test clock; by default without challenge and without reserve. */
function makeLimiter(
    options: {
        now?: { t: number };
        cooldown?: number;
        caps?: Partial<SendCaps>;
        challengeAbove?: SendCap;
        onAlert?: (alert: ShopWideAlert) => void;
    } = {},
) {
    const now = options.now ?? { t: 0 };
    return new SendLimiter(
        new MemoryCounterStore(() => now.t),
        options.cooldown ?? 60,
        { ...BASE_CAPS, ...options.caps },
        options.challengeAbove,
        options.onAlert,
    );
}

function limiter(now: { t: number }, cooldown = 60) {
    return makeLimiter({ now, cooldown });
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
        expect(refused.allowed === false && 'retryAfterSeconds' in refused && refused.retryAfterSeconds).toBe(
            86_400 - 3600,
        );
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

describe('clientPrefix', () => {
    it('caps IPv4 per /24 and IPv6 per /48, however the address is written', () => {
        expect(clientPrefix('5.160.1.2')).toBe('5.160.1.0/24');
        expect(clientPrefix('::ffff:5.160.1.200')).toBe('5.160.1.0/24');
        expect(clientPrefix('2a01:5ec0:1:2:aaaa::1')).toBe('2a01:5ec0:1::/48');
        expect(clientPrefix('2a01:5ec0:0001:003f:ffff:ffff:ffff:ffff')).toBe('2a01:5ec0:1::/48');
        expect(clientPrefix('unix-socket')).toBeUndefined();
        expect(clientPrefix(undefined)).toBeUndefined();
    });
});

describe('SendLimiter per client network', () => {
    const networkLimiter = () =>
        makeLimiter({
            cooldown: 0,
            caps: {
                phone: { hourly: 10, daily: 10 },
                ip: { hourly: 2, daily: 10 },
                network: { hourly: 5, daily: 10 },
                global: { hourly: 100, daily: 100 },
            },
        });

    it('counts every /64 of one IPv6 /58 against one network cap', async () => {
        const l = networkLimiter();
        for (let i = 0; i < 5; i++) {
            expect((await l.acquire(`p${i}`, `2001:db8:7:${i.toString(16)}::1`)).allowed).toBe(true);
        }
        expect(await l.acquire('p5', '2001:db8:7:3f::1')).toMatchObject({ allowed: false, scope: 'NETWORK' });
        expect((await l.acquire('p6', '2001:db8:8::1')).allowed).toBe(true);
    });

    it('counts the addresses of one IPv4 /24 against one network cap, each still under its own cap', async () => {
        const l = networkLimiter();
        expect((await l.acquire('p0', '5.160.1.1')).allowed).toBe(true);
        expect((await l.acquire('p1', '5.160.1.1')).allowed).toBe(true);
        expect(await l.acquire('p2', '5.160.1.1')).toMatchObject({ allowed: false, scope: 'IP' });
        for (let i = 2; i < 5; i++) {
            expect((await l.acquire(`p${i}`, `5.160.1.${i}`)).allowed).toBe(true);
        }
        expect(await l.acquire('p5', '5.160.1.99')).toMatchObject({ allowed: false, scope: 'NETWORK' });
        expect((await l.acquire('p6', '5.160.2.1')).allowed).toBe(true);
    });
});

describe('SendLimiter shop-wide tiers', () => {
    const caps = {
        phone: { hourly: 100, daily: 100 },
        ip: { hourly: 100, daily: 100 },
        network: { hourly: 100, daily: 100 },
        // 10 an hour in all, 3 of them kept for known accounts; a challenge from 4 on.
        global: { hourly: 10, daily: 50 },
        knownAccountReserve: { hourly: 3, daily: 5 },
    };

    function tiered(now = { t: 0 }) {
        const alerts: ShopWideAlert[] = [];
        const l = makeLimiter({
            now,
            caps,
            challengeAbove: { hourly: 4, daily: 40 },
            onAlert: a => alerts.push(a),
        });
        return { l, alerts };
    }

    const solved = { verifyChallenge: async () => true };

    it('sends freely up to the threshold, then asks for a challenge and counts nothing for it', async () => {
        const { l, alerts } = tiered();
        for (let i = 0; i < 4; i++) {
            expect(await l.acquire(`p${i}`, 'ip')).toMatchObject({ allowed: true, tier: 'OPEN' });
        }
        const verifyChallenge = vi.fn(async () => false);
        expect(await l.acquire('p4', 'ip')).toEqual({
            allowed: false,
            scope: 'CHALLENGE',
            solutionRejected: false,
        });
        expect(await l.acquire('p4', 'ip', { verifyChallenge })).toEqual({
            allowed: false,
            scope: 'CHALLENGE',
            solutionRejected: true,
        });
        // Neither counted, and the cooldown was given back.
        expect(await l.acquire('p4', 'ip', solved)).toMatchObject({ allowed: true, tier: 'CHALLENGED' });
        expect(verifyChallenge).toHaveBeenCalledTimes(1);
        expect((await l.windowStatus())[0]).toMatchObject({ period: 'HOUR', sent: 5, state: 'CHALLENGE' });
        expect(alerts).toEqual([{ state: 'CHALLENGE', period: 'HOUR', sent: 4, resetInSeconds: 3600 }]);
    });

    it('does not ask for a challenge below the threshold', async () => {
        const { l } = tiered();
        const verifyChallenge = vi.fn(async () => true);
        expect(await l.acquire('p', 'ip', { verifyChallenge })).toMatchObject({
            allowed: true,
            tier: 'OPEN',
        });
        expect(verifyChallenge).not.toHaveBeenCalled();
    });

    it('keeps the reserve for known accounts, and stops everyone at the ceiling', async () => {
        const { l, alerts } = tiered();
        const isKnownAccount = vi.fn(async () => false);
        for (let i = 0; i < 7; i++) {
            expect((await l.acquire(`p${i}`, 'ip', { ...solved, isKnownAccount })).allowed).toBe(true);
        }
        expect(isKnownAccount).not.toHaveBeenCalled();
        // The 7 codes numbers without an account may get are spent.
        expect(await l.acquire('unknown', 'ip', { ...solved, isKnownAccount })).toMatchObject({
            allowed: false,
            scope: 'GLOBAL',
            retryAfterSeconds: 3600,
        });
        expect(isKnownAccount).toHaveBeenCalledTimes(1);
        // A known account needs the challenge like everyone, then gets a code from the reserve.
        const known = { isKnownAccount: async () => true };
        expect(await l.acquire('k0', 'ip', known)).toMatchObject({ allowed: false, scope: 'CHALLENGE' });
        for (let i = 0; i < 3; i++) {
            expect(await l.acquire(`k${i}`, 'ip', { ...known, ...solved })).toMatchObject({
                allowed: true,
                tier: 'KNOWN_ACCOUNT_RESERVE',
            });
        }
        expect(await l.acquire('k3', 'ip', { ...known, ...solved })).toMatchObject({
            allowed: false,
            scope: 'GLOBAL',
        });
        expect((await l.windowStatus())[0]).toMatchObject({
            sent: 10,
            challengeAbove: 4,
            anonymousLimit: 7,
            limit: 10,
            state: 'CLOSED',
        });
        expect(alerts.map(a => [a.state, a.sent])).toEqual([
            ['CHALLENGE', 4],
            ['KNOWN_ACCOUNTS_ONLY', 7],
            ['CLOSED', 10],
        ]);
    });

    it('alerts once per window, and again in the next one', async () => {
        const now = { t: 0 };
        const { l, alerts } = tiered(now);
        for (let i = 0; i < 10; i++) {
            await l.acquire(`p${i}`, 'ip');
        }
        expect(alerts).toHaveLength(1);
        now.t += 1800_000;
        await l.acquire('late', 'ip');
        expect(alerts).toHaveLength(1);
        now.t += 1800_000;
        expect((await l.windowStatus())[0]).toMatchObject({ sent: 0, resetInSeconds: 0, state: 'OPEN' });
        for (let i = 0; i < 5; i++) {
            await l.acquire(`q${i}`, 'ip');
        }
        expect(alerts).toHaveLength(2);
        expect(alerts[1]).toMatchObject({ state: 'CHALLENGE', period: 'HOUR', resetInSeconds: 3600 });
    });

    it('without a challenge, refuses numbers without an account once their budget is spent', async () => {
        const l = makeLimiter({ cooldown: 0, caps });
        for (let i = 0; i < 7; i++) {
            expect(await l.acquire(`p${i}`, 'ip')).toMatchObject({ allowed: true, tier: 'OPEN' });
        }
        expect(await l.acquire('p7', 'ip')).toMatchObject({ allowed: false, scope: 'GLOBAL' });
        expect(await l.acquire('k', 'ip', { isKnownAccount: async () => true })).toMatchObject({
            allowed: true,
            tier: 'KNOWN_ACCOUNT_RESERVE',
        });
        expect((await l.windowStatus())[0]).toMatchObject({ state: 'KNOWN_ACCOUNTS_ONLY' });
    });

    it('refuses for a local cap before asking for a challenge, and counts the refusal nowhere', async () => {
        const l = makeLimiter({
            cooldown: 0,
            caps: { ...caps, phone: { hourly: 1, daily: 1 } },
            challengeAbove: { hourly: 4, daily: 40 },
        });
        for (let i = 0; i < 4; i++) {
            expect((await l.acquire(`p${i}`, 'ip')).allowed).toBe(true);
        }
        const verifyChallenge = vi.fn(async () => true);
        expect(await l.acquire('p0', 'ip', { verifyChallenge })).toMatchObject({
            allowed: false,
            scope: 'PHONE',
        });
        expect(verifyChallenge).not.toHaveBeenCalled();
        expect((await l.windowStatus())[0].sent).toBe(4);
    });
});
