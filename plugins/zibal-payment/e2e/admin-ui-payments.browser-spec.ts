import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { buildAdminUi } from '../../../src/admin-ui';
import { createStaffMember, STAFF_PASSWORD } from '../../../src/testing/admin-staff';
import { browserSkipReason, launchBrowser, loginToAdminUi } from '../../../src/testing/browser';
import { createTestShop, TestShop, testProfile } from '../../../src/testing/test-shop';

import {
    ATTEMPTS,
    ATTENTION_SHOP,
    createPaymentsNeedingAttention,
    orderByCode,
    PaymentsNeedingAttention,
} from './zibal-helpers';

/**
 * The «Payments needing attention» screen and the order page's Zibal panel in the real Admin UI (compiled with
 * the extension), in Persian, driven in Chromium.
 */
const skipReason = browserSkipReason();

describe.skipIf(skipReason)(
    `Admin UI Zibal payments (${testProfile()})${skipReason ? `: skipped, ${skipReason}` : ''}`,
    () => {
        let t: TestShop;
        let browser: Browser;
        let cases: PaymentsNeedingAttention;

        beforeAll(async () => {
            await buildAdminUi(() => undefined);
            t = await createTestShop(ATTENTION_SHOP);
            cases = await createPaymentsNeedingAttention(t);
            browser = await launchBrowser();
        }, 300_000);

        afterAll(async () => {
            await browser?.close();
            await t?.close();
        });

        async function openScreen(credentials = t.app.superadmin): Promise<Page> {
            const page = await browser.newPage({ viewport: { width: 1400, height: 1000 }, locale: 'fa-IR' });
            await loginToAdminUi(page, t.baseUrl, credentials);
            // Through the navigation, as staff find it: Sales → Payments needing attention.
            await page.getByRole('link', { name: 'پرداخت‌های نیازمند رسیدگی' }).click();
            await page.getByTestId('refund-due').waitFor();
            return page;
        }

        it("shows the order's Zibal attempts on the order page in a readable panel", async () => {
            const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
            await loginToAdminUi(page, t.baseUrl, t.app.superadmin);
            await page.goto(`${t.baseUrl}/admin/orders/${cases.refundDue.orderId}`);
            const row = page
                .getByTestId('zibal-order-panel')
                .locator(`tr[data-track-id="${cases.refundDue.trackId}"]`);
            await expect
                .poll(() => row.getByTestId('attempt-state').textContent())
                .toContain('باید بازپرداخت شود');
            const panel = await page.getByTestId('zibal-order-panel').textContent();
            expect(panel).toContain('پرداخت‌های زیبال');
            expect(panel).toContain('مبلغ تأییدشده متفاوت بود');
            // Today's date as the Persian locale writes it: Jalali calendar, Persian digits (e.g. ۰۵/۹/۱۱).
            const jalaliToday = new Intl.DateTimeFormat('fa', {
                year: '2-digit',
                month: 'numeric',
                day: 'numeric',
                timeZone: 'Asia/Tehran',
            }).format(new Date());
            expect(jalaliToday).toMatch(/^[۰-۹]{2}\/[۰-۹]{1,2}\/[۰-۹]{1,2}$/);
            expect(panel).toContain(jalaliToday);
            await page.close();
        });

        it('lists refund-due, uncertain refunds and attempts awaiting reconciliation, with links to their orders', async () => {
            const page = await openScreen();
            const due = page
                .getByTestId('refund-due')
                .locator(`tr[data-track-id="${cases.refundDue.trackId}"]`);
            expect(await due.getByRole('link', { name: cases.refundDue.code }).getAttribute('href')).toBe(
                `/admin/orders/${cases.refundDue.orderId}`,
            );
            const refund = page
                .getByTestId('pending-refunds')
                .locator(`tr[data-refund-id="${cases.settled.refundId}"]`);
            expect(await refund.textContent()).toContain('نامطمئن');
            const waiting = page
                .getByTestId('awaiting-reconciliation')
                .locator(`tr[data-track-id="${cases.waiting.trackId}"]`);
            expect(await waiting.textContent()).toContain(cases.waiting.code);
            await page.close();
        });

        it('offers the actions only to staff allowed to take them', async () => {
            const reader = await createStaffMember(t, ['ReadOrder']);
            const page = await openScreen({ username: reader.email, password: STAFF_PASSWORD });
            expect(await page.getByTestId('refund-due').locator('tbody tr').count()).toBe(1);
            expect(await page.getByTestId('mark-refunded').count()).toBe(0);
            expect(await page.getByTestId('settle-refund').count()).toBe(0);
            expect(await page.getByTestId('reconcile-now').count()).toBe(0);
            await page.close();
        });

        it('reconciles now (SuperAdmin) and reports what it did', async () => {
            const page = await openScreen();
            await page.getByTestId('reconcile-now').click();
            await page.getByText('تطبیق انجام شد').waitFor();
            await page.close();
        });

        it('records a manual refund of a refund-due attempt: the row leaves the list, the attempt is refunded', async () => {
            const page = await openScreen();
            const due = page
                .getByTestId('refund-due')
                .locator(`tr[data-track-id="${cases.refundDue.trackId}"]`);
            await due.getByTestId('refund-note').fill('حواله ۴۴۱۱');
            await due.getByTestId('mark-refunded').click();
            await page.getByText('بازپرداخت ثبت شد').waitFor();
            await expect.poll(() => due.count()).toBe(0);
            const { zibalPaymentAttempts } = await t.admin.query(ATTEMPTS, {
                orderId: cases.refundDue.orderId,
            });
            expect(zibalPaymentAttempts[0].state).toBe('refunded');
            expect(zibalPaymentAttempts[0].history.at(-1).note).toContain('حواله ۴۴۱۱');
            await page.close();
        });

        it('settles an uncertain refund with the refund id from the Zibal panel', async () => {
            const page = await openScreen();
            const refund = page
                .getByTestId('pending-refunds')
                .locator(`tr[data-refund-id="${cases.settled.refundId}"]`);
            await refund.getByTestId('refund-transaction-id').fill('zibal-refund-991');
            await refund.getByTestId('settle-refund').click();
            await page.getByText('بازپرداخت تسویه شد').waitFor();
            await expect.poll(() => refund.count()).toBe(0);
            const order = await orderByCode(t, cases.settled.code);
            expect(order.payments[0].refunds[0].state).toBe('Settled');
            await page.close();
        });
    },
);
