import { describe, expect, it } from 'vitest';

import { resolveOptions } from './sms-otp.plugin';

const base = {
    smsir: { baseUrl: 'http://x', apiKey: 'k', templateId: 123456 },
    secret: 'a-secret-of-some-length',
};

describe('SmsOtpPlugin options', () => {
    it('defaults to 2-minute codes, 5 tries, a 60-second cooldown and the documented caps', () => {
        const o = resolveOptions(base);
        expect(o).toMatchObject({
            codeLifetimeSeconds: 120,
            maxAttempts: 5,
            resendCooldownSeconds: 60,
            caps: {
                phone: { hourly: 5, daily: 10 },
                ip: { hourly: 20, daily: 100 },
                network: { hourly: 100, daily: 500 },
                global: { hourly: 1000, daily: 10000 },
                knownAccountReserve: { hourly: 300, daily: 3000 },
            },
            challenge: {
                above: { hourly: 100, daily: 1000 },
                strategy: { type: 'proof-of-work', difficulty: 16 },
            },
            smsir: { templateParameterName: 'CODE', requestTimeoutMs: 2500 },
        });
        expect(resolveOptions({ ...base, challenge: false }).challenge).toBe(false);
    });

    it('refuses caps that leave numbers without an account nothing, or a challenge threshold past their budget', () => {
        expect(() => resolveOptions({ ...base, caps: { knownAccountReserve: { hourly: 1000 } } })).toThrow(
            /caps\.knownAccountReserve\.hourly must be less than caps\.global\.hourly/,
        );
        expect(() => resolveOptions({ ...base, challenge: { above: { daily: 7000 } } })).toThrow(
            /challenge\.above\.daily must be 0 or more and less than .*\(7000\)/,
        );
        expect(() => resolveOptions({ ...base, caps: { network: { hourly: -1 } } })).toThrow(
            /caps\.network\.hourly must be a whole number/,
        );
        expect(() =>
            resolveOptions({ ...base, challenge: false, caps: { knownAccountReserve: { daily: 0 } } }),
        ).not.toThrow();
    });

    it('merges partial caps over the defaults', () => {
        expect(resolveOptions({ ...base, caps: { ip: { hourly: 7 } } }).caps.ip).toEqual({
            hourly: 7,
            daily: 100,
        });
    });

    it('refuses lifetimes over 10 minutes, weak secrets and bad template ids', () => {
        expect(() => resolveOptions({ ...base, codeLifetimeSeconds: 601 })).toThrow(/codeLifetimeSeconds/);
        expect(() => resolveOptions({ ...base, secret: 'short' })).toThrow(/secret/);
        expect(() =>
            resolveOptions({ ...base, smsir: { ...base.smsir, templateId: Number('abc') } }),
        ).toThrow(/templateId/);
        expect(() => resolveOptions({ ...base, maxAttempts: 0 })).toThrow(/maxAttempts/);
    });
});

describe('isPlaceholderEmail', () => {
    it('recognises the placeholder address of phone-only customers', async () => {
        const { isPlaceholderEmail } = await import('./constants');
        expect(isPlaceholderEmail('09123456789@phone.invalid')).toBe(true);
        expect(isPlaceholderEmail('09123456789@PHONE.INVALID')).toBe(true);
        expect(isPlaceholderEmail('sara@example.ir')).toBe(false);
        expect(isPlaceholderEmail(undefined)).toBe(false);
        expect(isPlaceholderEmail('09123456789@otp.invalid', 'otp.invalid')).toBe(true);
    });
});
