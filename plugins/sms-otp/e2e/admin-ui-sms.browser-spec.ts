import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { buildAdminUi } from '../../../src/admin-ui';
import { browserSkipReason, launchBrowser, loginToAdminUi } from '../../../src/testing/browser';
import { createTestShop, TestShop, testProfile } from '../../../src/testing/test-shop';

import { freshPhone, requestCode, withOtpOptions } from './otp-fixtures';

/** The «SMS and login» screen in the real Admin UI (compiled with the extension), in Persian, in Chromium. */
const skipReason = browserSkipReason();

describe.skipIf(skipReason)(
    `Admin UI SMS and login (${testProfile()})${skipReason ? `: skipped, ${skipReason}` : ''}`,
    () => {
        let t: TestShop;
        let browser: Browser;
        let page: Page;

        beforeAll(async () => {
            await buildAdminUi(() => undefined);
            t = await createTestShop({
                seed: false,
                // A challenge after 3 codes in the hour: a small stand-in for a flood.
                adjustConfig: withOtpOptions({ challenge: { above: { hourly: 3 } } }),
            });
            browser = await launchBrowser();
            page = await browser.newPage({ viewport: { width: 1400, height: 1000 }, locale: 'fa-IR' });
            await loginToAdminUi(page, t.baseUrl, t.app.superadmin);
        }, 300_000);

        afterAll(async () => {
            await browser?.close();
            await t?.close();
        });

        const count = (outcome: string) =>
            page.locator(`[data-outcome="${outcome}"]`).getByTestId('outcome-count').textContent();

        async function open(): Promise<void> {
            // Through the navigation, as staff find it: Customers → SMS and login.
            await page.goto(`${t.baseUrl}/admin/customer/customers`);
            await page.getByRole('link', { name: 'پیامک و ورود' }).click();
            await page.getByTestId('sms-windows').waitFor();
        }

        it("shows today's sends by outcome, the Jalali day and the SMS.ir credit, without a warning", async () => {
            expect((await requestCode(t.newShopClient(), freshPhone())).__typename).toBe(
                'RequestLoginOtpSuccess',
            );
            t.simulators.smsir.failNextSends(101);
            await requestCode(t.newShopClient(), freshPhone());
            await open();
            // Counts through Angular's number pipe (Latin digits, grouped).
            expect((await count('SENT'))?.trim()).toBe('1');
            expect((await count('FAILED'))?.trim()).toBe('1');
            expect((await count('UNCERTAIN'))?.trim()).toBe('0');
            const credit = new Intl.NumberFormat('en-US').format(t.simulators.smsir.credit);
            expect((await page.getByTestId('credit-value').textContent())?.trim()).toBe(credit);
            // Today in the Jalali calendar (the year 14xx in Persian digits).
            expect(await page.getByTestId('sms-day').textContent()).toMatch(/۱۴[۰-۹]{2}/);
            expect(await page.getByTestId('sms-spike').count()).toBe(0);
        });

        it('warns when sends spike (the shop-wide hourly window left OPEN)', async () => {
            expect((await requestCode(t.newShopClient(), freshPhone())).__typename).toBe(
                'RequestLoginOtpSuccess',
            );
            await open();
            expect(await page.getByTestId('sms-spike').textContent()).toContain('غیرعادی');
            expect(await page.locator('[data-period="HOUR"]').textContent()).toContain('نیازمند چالش');
        });
    },
);
