import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { createTestShop, TestShop, testProfile } from '../../../src/testing/test-shop';

import { freshPhone, RequestResult, withOtpOptions } from './otp-fixtures';

/**
 * The send caps, with small limits, no cooldown and no challenge. The server trusts X-Forwarded-For here so one test can
 * speak from several client IPs.
 */
describe(`SMS OTP send caps (${testProfile()})`, () => {
    let t: TestShop;

    beforeAll(async () => {
        t = await createTestShop({
            seed: false,
            adjustConfig: config => {
                config.apiOptions.trustProxy = true;
                return withOtpOptions({
                    resendCooldownSeconds: 0,
                    caps: {
                        phone: { hourly: 2, daily: 100 },
                        ip: { hourly: 3, daily: 100 },
                        global: { hourly: 10, daily: 100 },
                        // The shop-wide tiers have their own test file (sms-otp-flood): here one hard cap.
                        knownAccountReserve: { hourly: 0, daily: 0 },
                    },
                    challenge: false,
                })(config);
            },
        });
    });

    afterAll(async () => {
        await t?.close();
    });

    async function request(phoneNumber: string, ip: string): Promise<RequestResult> {
        const res = await fetch(`${t.baseUrl}/shop-api`, {
            method: 'POST',
            headers: { 'content-type': 'application/json', 'x-forwarded-for': ip },
            body: JSON.stringify({
                query: `mutation ($p: String!) { requestLoginOtp(phoneNumber: $p) { __typename ... on OtpRateLimitedError { reason retryAfterSeconds errorCode } } }`,
                variables: { p: phoneNumber },
            }),
        });
        const body = (await res.json()) as { data: { requestLoginOtp: RequestResult } };
        return body.data.requestLoginOtp;
    }

    it('caps sends per number, per client IP and shop-wide, and says how long to wait', async () => {
        const phone = freshPhone();
        expect((await request(phone, '10.0.0.1')).__typename).toBe('RequestLoginOtpSuccess');
        // Another IP does not help a number past its cap.
        expect((await request(phone, '10.0.0.2')).__typename).toBe('RequestLoginOtpSuccess');
        const phoneCapped = await request(phone, '10.0.0.3');
        expect(phoneCapped).toMatchObject({
            __typename: 'OtpRateLimitedError',
            reason: 'PHONE',
            errorCode: 'OTP_RATE_LIMITED_ERROR',
        });
        expect(phoneCapped.retryAfterSeconds).toBeGreaterThan(3500);
        expect(phoneCapped.retryAfterSeconds).toBeLessThanOrEqual(3600);

        // One IP, many numbers.
        for (let i = 0; i < 3; i++) {
            expect((await request(freshPhone(), '10.0.1.1')).__typename).toBe('RequestLoginOtpSuccess');
        }
        expect(await request(freshPhone(), '10.0.1.1')).toMatchObject({
            __typename: 'OtpRateLimitedError',
            reason: 'IP',
        });

        // Aliases in one HTTP request count one by one: 3 pass the IP cap, the 4th does not.
        const res = await fetch(`${t.baseUrl}/shop-api`, {
            method: 'POST',
            headers: { 'content-type': 'application/json', 'x-forwarded-for': '10.0.4.4' },
            body: JSON.stringify({
                query: `mutation { ${[1, 2, 3, 4]
                    .map(
                        i =>
                            `a${i}: requestLoginOtp(phoneNumber: "${freshPhone()}") { __typename ... on OtpRateLimitedError { reason } }`,
                    )
                    .join(' ')} }`,
            }),
        });
        const { data } = (await res.json()) as {
            data: Record<string, { __typename: string; reason?: string }>;
        };
        expect(Object.values(data)).toEqual([
            { __typename: 'RequestLoginOtpSuccess' },
            { __typename: 'RequestLoginOtpSuccess' },
            { __typename: 'RequestLoginOtpSuccess' },
            { __typename: 'OtpRateLimitedError', reason: 'IP' },
        ]);

        // Sent so far: 2 + 3 + 3 = 8; the shop-wide cap is 10, whatever the IP.
        expect((await request(freshPhone(), '10.0.2.1')).__typename).toBe('RequestLoginOtpSuccess');
        expect((await request(freshPhone(), '10.0.2.2')).__typename).toBe('RequestLoginOtpSuccess');
        expect(await request(freshPhone(), '10.0.3.1')).toMatchObject({
            __typename: 'OtpRateLimitedError',
            reason: 'GLOBAL',
        });
        expect(t.simulators.smsir.inbox).toHaveLength(10);
    });
});
