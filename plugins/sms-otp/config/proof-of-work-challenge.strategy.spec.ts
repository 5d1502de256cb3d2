import crypto from 'node:crypto';

import { describe, expect, it } from 'vitest';

import { MemoryCounterStore } from '../../../src/security/counter-store';
import { SendChallengeContext } from '../types';

import { ProofOfWorkChallengeStrategy, solveProofOfWork } from './proof-of-work-challenge.strategy';

const store = new MemoryCounterStore();
const clock = { t: 1_800_000_000_000 };

function context(phoneNumber: string, key = 'k'): SendChallengeContext {
    return {
        phoneNumber,
        ip: '5.160.1.2',
        sign: data => crypto.createHmac('sha256', key).update(data).digest('hex'),
        claimOnce: async (k, ttl) => (await store.claim(k, ttl)) === 0,
        now: () => clock.t,
    };
}

type Issued = { algorithm: string; token: string; difficulty: number; expiresInSeconds: number };

describe('ProofOfWorkChallengeStrategy', () => {
    it('issues a signed challenge that its solution answers once', async () => {
        const pow = new ProofOfWorkChallengeStrategy({ difficulty: 10 });
        const ctx = context('09121111111');
        const issued = (await pow.issue(ctx)) as Issued;
        expect(issued).toMatchObject({ algorithm: 'sha256', difficulty: 10, expiresInSeconds: 300 });
        const solution = solveProofOfWork(issued);
        const hash = crypto.createHash('sha256').update(solution).digest();
        expect(hash.readUInt16BE(0) >> 6).toBe(0);
        expect(await pow.verify(ctx, solution)).toBe(true);
        expect(await pow.verify(ctx, solution)).toBe(false);
    });

    it('is solved at the default difficulty (16 bits) in a moment', async () => {
        const pow = new ProofOfWorkChallengeStrategy();
        expect(pow.difficulty).toBe(16);
        const ctx = context('09121111112');
        const started = Date.now();
        const solution = solveProofOfWork((await pow.issue(ctx)) as Issued);
        expect(await pow.verify(ctx, solution)).toBe(true);
        expect(Date.now() - started).toBeLessThan(5_000);
    });

    it('refuses a solution for another number, another key, a wrong answer, a late one or a lower difficulty', async () => {
        const pow = new ProofOfWorkChallengeStrategy({ difficulty: 12, lifetimeSeconds: 60 });
        const ctx = context('09121111113');
        const issued = (await pow.issue(ctx)) as Issued;
        const solution = solveProofOfWork(issued);
        expect(await pow.verify(context('09121111114'), solution)).toBe(false);
        expect(await pow.verify(context('09121111113', 'other-key'), solution)).toBe(false);
        // The first counter that does not solve it (its hash does not start with 12 zero bits).
        let n = 0;
        while (
            crypto.createHash('sha256').update(`${issued.token}:${n}`).digest().readUInt16BE(0) >> 4 ===
            0
        ) {
            n++;
        }
        expect(await pow.verify(ctx, `${issued.token}:${n}`)).toBe(false);
        expect(await pow.verify(ctx, 'garbage')).toBe(false);
        // A token the server signed at difficulty 4 is not good once the strategy asks for 12.
        const easy = (await new ProofOfWorkChallengeStrategy({ difficulty: 4 }).issue(ctx)) as Issued;
        expect(await pow.verify(ctx, solveProofOfWork(easy))).toBe(false);
        clock.t += 61_000;
        expect(await pow.verify(ctx, solution)).toBe(false);
    });

    it('refuses difficulties outside 1..32', () => {
        expect(() => new ProofOfWorkChallengeStrategy({ difficulty: 0 })).toThrow(/difficulty/);
        expect(() => new ProofOfWorkChallengeStrategy({ difficulty: 33 })).toThrow(/difficulty/);
    });
});
