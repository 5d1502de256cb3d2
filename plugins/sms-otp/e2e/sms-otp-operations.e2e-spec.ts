import gql from 'graphql-tag';
import { toJalaali } from 'jalaali-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { createStaffMember } from '../../../src/testing/admin-staff';
import { createTestShop, TestShop, testProfile } from '../../../src/testing/test-shop';

import { freshPhone, requestCode, withOtpOptions } from './otp-fixtures';

/** The Admin API behind the Admin UI's "SMS and login" screen. */
describe(`SMS OTP operations summary (${testProfile()})`, () => {
    let t: TestShop;

    beforeAll(async () => {
        t = await createTestShop({
            seed: false,
            // A challenge after 4 codes (the failed send counts too) in the hour: a small stand-in for a flood.
            adjustConfig: withOtpOptions({ challenge: { above: { hourly: 4 } } }),
        });
    });

    afterAll(async () => {
        await t?.close();
    });

    const summary = async (client = t.admin) => (await client.query(SUMMARY)).otpOperationsSummary;

    it("counts today's sends by outcome, with today as a Tehran Jalali date and the SMS.ir credit", async () => {
        const creditBefore = t.simulators.smsir.credit;
        expect((await requestCode(t.newShopClient(), freshPhone())).__typename).toBe(
            'RequestLoginOtpSuccess',
        );
        expect((await requestCode(t.newShopClient(), freshPhone())).__typename).toBe(
            'RequestLoginOtpSuccess',
        );
        // SMS.ir refuses the third: invalid line (an operator problem, nothing reached the shopper).
        t.simulators.smsir.failNextSends(101);
        expect((await requestCode(t.newShopClient(), freshPhone())).__typename).not.toBe(
            'RequestLoginOtpSuccess',
        );

        const now = await summary();
        expect(now.byOutcome).toEqual([
            { outcome: 'SENT', count: 2 },
            { outcome: 'FAILED', count: 1 },
            { outcome: 'UNCERTAIN', count: 0 },
        ]);
        const tehran = new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Tehran' }).format(new Date());
        const [gy, gm, gd] = tehran.split('-').map(Number);
        const j = toJalaali(gy, gm, gd);
        expect(now.day).toBe(`${j.jy}/${String(j.jm).padStart(2, '0')}/${String(j.jd).padStart(2, '0')}`);
        // Midnight in Tehran (UTC+3:30) is 20:30 UTC the day before.
        expect(new Date(now.since).toISOString()).toMatch(/T20:30:00\.000Z$/);
        expect(now.credit).toBe(creditBefore - 2);
        expect(now.creditError).toBeNull();
        expect(now.spike).toBe(false);
    });

    it('warns of a spike once the shop-wide hourly window leaves OPEN', async () => {
        expect((await requestCode(t.newShopClient(), freshPhone())).__typename).toBe(
            'RequestLoginOtpSuccess',
        );
        const now = await summary();
        const hour = now.windows.find((w: { period: string }) => w.period === 'HOUR');
        expect(hour).toMatchObject({ sent: 4, challengeAbove: 4, state: 'CHALLENGE' });
        expect(now.spike).toBe(true);
    });

    it('reports why the credit is unknown when SMS.ir does not answer it', async () => {
        t.simulators.smsir.faults.arm('/v1/credit', { kind: 'http-error', status: 503 });
        const now = await summary();
        expect(now.credit).toBeNull();
        expect(now.creditError).toEqual(expect.any(String));
        expect(now.byOutcome.find((o: { outcome: string }) => o.outcome === 'SENT').count).toBe(3);
    });

    it('needs ReadOtpLog', async () => {
        const support = await createStaffMember(t, ['ReadOtpLog']);
        const orders = await createStaffMember(t, ['ReadOrder']);
        expect((await summary(support.client)).byOutcome).toHaveLength(3);
        await expect(orders.client.query(SUMMARY)).rejects.toThrow(/not currently authorized/);
    });
});

const SUMMARY = gql`
    query {
        otpOperationsSummary {
            day
            since
            byOutcome {
                outcome
                count
            }
            windows {
                period
                sent
                challengeAbove
                limit
                state
            }
            spike
            credit
            creditError
        }
    }
`;
