import crypto from 'node:crypto';

import { CODE_LENGTH } from '../constants';

/** A uniformly random 6-digit code from the OS's cryptographic random source (leading zeros kept). */
export function generateOtpCode(): string {
    return crypto
        .randomInt(0, 10 ** CODE_LENGTH)
        .toString()
        .padStart(CODE_LENGTH, '0');
}

/** Derives the HMAC key for code hashes from the configured secret, so the raw secret is never the key. */
export function deriveOtpKey(secret: string): Buffer {
    return deriveKey(secret, 'code-hash');
}

/** Derives the key send challenges are signed with (`SendChallengeContext.sign`): not the code-hash key. */
export function deriveChallengeKey(secret: string): Buffer {
    return deriveKey(secret, 'send-challenge');
}

function deriveKey(secret: string, use: string): Buffer {
    return crypto.createHmac('sha256', secret).update(`sms-otp/${use}/v1`).digest();
}

/**
 * The stored form of a code: HMAC-SHA256 over the purpose, the number and the code. A database leak without
 * the key does not reveal codes (a million codes would be trivial to brute-force from an unkeyed hash).
 */
export function hashOtpCode(key: Buffer, purpose: string, phone: string, code: string): string {
    return crypto.createHmac('sha256', key).update(`${purpose}|${phone}|${code}`).digest('hex');
}

/** Constant-time comparison of two hex digests. */
export function otpHashesEqual(a: string, b: string): boolean {
    const left = Buffer.from(a, 'hex');
    const right = Buffer.from(b, 'hex');
    return left.length === right.length && left.length > 0 && crypto.timingSafeEqual(left, right);
}

/** A short, non-reversible tag of a number for logs and counter keys (one grep follows one number). */
export function phoneTag(key: Buffer, phone: string): string {
    return crypto.createHmac('sha256', key).update(`phone|${phone}`).digest('hex').slice(0, 16);
}

/** Codes as people type them: Persian/Arabic digits and spaces are accepted by the caller's normaliser. */
export function isWellFormedCode(code: string): boolean {
    return new RegExp(`^\\d{${CODE_LENGTH}}$`).test(code);
}
