import { describe, expect, it } from 'vitest';

import {
    deriveOtpKey,
    generateOtpCode,
    hashOtpCode,
    isWellFormedCode,
    otpHashesEqual,
    phoneTag,
} from './otp-code';

describe('OTP codes', () => {
    it('are 6 digits, leading zeros kept, and spread over all digits', () => {
        const codes = Array.from({ length: 5000 }, generateOtpCode);
        expect(codes.every(c => /^\d{6}$/.test(c))).toBe(true);
        const firstDigits = new Set(codes.map(c => c[0]));
        expect(firstDigits.size).toBe(10);
        expect(new Set(codes).size).toBeGreaterThan(4900);
    });

    it('are stored as a keyed hash bound to the number and the purpose', () => {
        const key = deriveOtpKey('a-secret-of-some-length');
        const hash = hashOtpCode(key, 'LOGIN', '09123456789', '123456');
        expect(hash).toMatch(/^[0-9a-f]{64}$/);
        expect(hash).not.toContain('123456');
        expect(otpHashesEqual(hash, hashOtpCode(key, 'LOGIN', '09123456789', '123456'))).toBe(true);
        expect(otpHashesEqual(hash, hashOtpCode(key, 'LOGIN', '09123456789', '123457'))).toBe(false);
        expect(otpHashesEqual(hash, hashOtpCode(key, 'LINK', '09123456789', '123456'))).toBe(false);
        expect(otpHashesEqual(hash, hashOtpCode(key, 'LOGIN', '09123456788', '123456'))).toBe(false);
        expect(
            otpHashesEqual(
                hash,
                hashOtpCode(deriveOtpKey('another-secret-value'), 'LOGIN', '09123456789', '123456'),
            ),
        ).toBe(false);
    });

    it('compares safely when a hash is missing or of another length', () => {
        const key = deriveOtpKey('a-secret-of-some-length');
        const hash = hashOtpCode(key, 'LOGIN', '09123456789', '123456');
        expect(otpHashesEqual(hash, '')).toBe(false);
        expect(otpHashesEqual('', '')).toBe(false);
        expect(otpHashesEqual(hash, hash.slice(0, 32))).toBe(false);
    });

    it('accepts only 6 ASCII digits as a code', () => {
        expect(isWellFormedCode('012345')).toBe(true);
        for (const bad of ['12345', '1234567', '12a456', ' 123456', '']) {
            expect(isWellFormedCode(bad)).toBe(false);
        }
    });

    it('tags a number without revealing it', () => {
        const key = deriveOtpKey('a-secret-of-some-length');
        expect(phoneTag(key, '09123456789')).toMatch(/^[0-9a-f]{16}$/);
        expect(phoneTag(key, '09123456789')).toBe(phoneTag(key, '09123456789'));
        expect(phoneTag(key, '09123456789')).not.toBe(phoneTag(key, '09123456788'));
    });
});
