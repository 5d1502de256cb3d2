import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { createTestShop, TestShop, testProfile } from '../../../src/testing/test-shop';

import { freshPhone, login, requestAndReadCode, withOtpOptions } from './otp-fixtures';

/** Fewer connections than concurrent logins: each login must get by with the one its transaction holds. */
const POOL_SIZE = 3;
const LOGINS = 8;

/**
 * The load test found it: at as many concurrent OTP logins as the pool has connections, every connection sat
 * "idle in transaction" (the login's) while each login waited for a second one to check its code, and the server
 * answered nothing more. (The pool size applies to PostgreSQL; on SQLite the test runs the same logins.)
 */
describe(`SMS OTP logins beyond the database pool (${testProfile()})`, () => {
    let t: TestShop;

    beforeAll(async () => {
        t = await createTestShop({
            seed: false,
            env: { DB_POOL_SIZE: String(POOL_SIZE) },
            adjustConfig: withOtpOptions({
                caps: {
                    ip: { hourly: 10_000, daily: 10_000 },
                    network: { hourly: 10_000, daily: 10_000 },
                    global: { hourly: 10_000, daily: 10_000 },
                },
            }),
        });
    });

    afterAll(async () => {
        await t?.close();
    });

    it(`logs ${LOGINS} shoppers in at once with a pool of ${POOL_SIZE} connections`, async () => {
        const shoppers = [];
        for (let i = 0; i < LOGINS; i++) {
            const phone = freshPhone();
            const client = t.newShopClient();
            shoppers.push({ phone, client, code: await requestAndReadCode(t, client, phone) });
        }
        let timer: NodeJS.Timeout | undefined;
        const hung = new Promise<'hung'>(resolve => (timer = setTimeout(() => resolve('hung'), 30_000)));
        const logins = Promise.all(
            shoppers.map(s => login(s.client, { phoneNumber: s.phone, code: s.code })),
        );
        const results = await Promise.race([logins, hung]);
        clearTimeout(timer);

        expect(results).not.toBe('hung');
        expect(
            (results as Array<{ __typename: string; identifier?: string }>).map(r => r.identifier),
        ).toEqual(shoppers.map(s => s.phone));
    });
});
