import crypto from 'node:crypto';

import { OtpSendChallengeStrategy, SendChallengeContext } from '../types';

export interface ProofOfWorkChallengeOptions {
    /**
     * Leading zero bits the SHA-256 of a solution must have: about 2^difficulty hashes for the client (default
     * 16, 65,536 hashes: well under a second in a browser); 1–32.
     */
    difficulty?: number;
    /** Seconds a challenge can be solved and used in (default 300). */
    lifetimeSeconds?: number;
}

/**
 * Hashcash-style proof of work, without state on the server. The client gets
 * `{ algorithm: "sha256", token, difficulty, expiresInSeconds }` and answers `challengeSolution: "<token>:<n>"`
 * with a decimal `n` such that the SHA-256 of that UTF-8 string starts with `difficulty` zero bits
 * ({@link solveProofOfWork}). The token is signed with a key derived from the plugin's secret and bound to the
 * number it was issued for, and each one is accepted once (in the counter store, so across instances).
 *
 * It makes every code cost the client some CPU time, which turns a free scripted flood into paid work; it does
 * not stop a patient attacker with many cores, which is why the shop-wide ceiling stays. A CAPTCHA can take its
 * place through the same {@link OtpSendChallengeStrategy} interface.
 */
export class ProofOfWorkChallengeStrategy implements OtpSendChallengeStrategy {
    readonly type = 'proof-of-work';
    readonly difficulty: number;
    readonly lifetimeSeconds: number;

    constructor(options: ProofOfWorkChallengeOptions = {}) {
        this.difficulty = options.difficulty ?? 16;
        this.lifetimeSeconds = options.lifetimeSeconds ?? 300;
        if (!Number.isInteger(this.difficulty) || this.difficulty < 1 || this.difficulty > 32) {
            throw new Error('ProofOfWorkChallengeStrategy: difficulty must be 1..32');
        }
        if (!Number.isInteger(this.lifetimeSeconds) || this.lifetimeSeconds < 1) {
            throw new Error('ProofOfWorkChallengeStrategy: lifetimeSeconds must be a positive integer');
        }
    }

    async issue(ctx: SendChallengeContext): Promise<Record<string, unknown>> {
        const expiresAt = Math.floor(ctx.now() / 1000) + this.lifetimeSeconds;
        const body = `${this.difficulty}.${expiresAt}.${crypto.randomBytes(12).toString('hex')}`;
        return {
            algorithm: 'sha256',
            token: `${body}.${signature(ctx, body)}`,
            difficulty: this.difficulty,
            expiresInSeconds: this.lifetimeSeconds,
        };
    }

    async verify(ctx: SendChallengeContext, solution: string): Promise<boolean> {
        const match = /^((\d{1,2})\.(\d{1,12})\.([0-9a-f]{24}))\.([0-9a-f]{32}):(\d{1,16})$/.exec(solution);
        if (!match) {
            return false;
        }
        const [, body, difficulty, expiresAt, nonce, sig] = match;
        const expected = Buffer.from(signature(ctx, body), 'hex');
        if (!crypto.timingSafeEqual(expected, Buffer.from(sig, 'hex'))) {
            // Forged, or issued for another number.
            return false;
        }
        const remaining = Number(expiresAt) - Math.floor(ctx.now() / 1000);
        if (remaining <= 0 || Number(difficulty) < this.difficulty) {
            return false;
        }
        if (leadingZeroBits(sha256(solution)) < Number(difficulty)) {
            return false;
        }
        return ctx.claimOnce(`challenge:${nonce}`, remaining);
    }
}

/** Finds a solution to a proof-of-work challenge, as a Node client (or a test) would: `<token>:<n>`. */
export function solveProofOfWork(challenge: { token: string; difficulty: number }): string {
    for (let n = 0; ; n++) {
        const solution = `${challenge.token}:${n}`;
        if (leadingZeroBits(sha256(solution)) >= challenge.difficulty) {
            return solution;
        }
    }
}

function signature(ctx: SendChallengeContext, body: string): string {
    // Bound to the number: a solution bought for one number cannot send a code to another.
    return ctx.sign(`proof-of-work|${body}|${ctx.phoneNumber}`).slice(0, 32);
}

function sha256(text: string): Buffer {
    return crypto.createHash('sha256').update(text, 'utf8').digest();
}

function leadingZeroBits(hash: Buffer): number {
    let bits = 0;
    for (const byte of hash) {
        if (byte === 0) {
            bits += 8;
            continue;
        }
        return bits + Math.clz32(byte) - 24;
    }
    return bits;
}
