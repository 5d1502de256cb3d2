import fs from 'node:fs';

import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { buildAdminUi } from '../../../src/admin-ui';
import { browserSkipReason, launchBrowser, loginToAdminUi } from '../../../src/testing/browser';
import { createTestShop, TestShop, testProfile } from '../../../src/testing/test-shop';
import { ATTENTION_SHOP, createParcelsNeedingAttention, postexFulfilledOrder } from '../testing';

/**
 * The «Parcels needing attention» screen in the real Admin UI (compiled with the extension), in Persian, driven
 * in Chromium: a failed parcel creation retried, a label printed, a delivered cash-on-delivery order settled.
 */
const skipReason = browserSkipReason();

describe.skipIf(skipReason)(
    `Admin UI Postex parcels (${testProfile()})${skipReason ? `: skipped, ${skipReason}` : ''}`,
    () => {
        let t: TestShop;
        let browser: Browser;
        let page: Page;
        let cases: Record<
            'labelled' | 'delivered' | 'failed',
            Awaited<ReturnType<typeof postexFulfilledOrder>>
        >;

        beforeAll(async () => {
            await buildAdminUi(() => undefined);
            t = await createTestShop(ATTENTION_SHOP);
            cases = await createParcelsNeedingAttention(t);
            browser = await launchBrowser();
            page = await browser.newPage({ viewport: { width: 1400, height: 1000 }, locale: 'fa-IR' });
            await loginToAdminUi(page, t.baseUrl, t.app.superadmin);
            // Through the navigation, as staff find it: Sales → Parcels needing attention.
            await page.getByRole('link', { name: 'مرسوله‌های نیازمند رسیدگی' }).click();
            await page.getByTestId('parcel-creations').waitFor();
        }, 300_000);

        afterAll(async () => {
            await browser?.close();
            await t?.close();
        });

        const row = (list: string, fulfillmentId: string) =>
            page.getByTestId(list).locator(`tr[data-fulfillment-id="${fulfillmentId}"]`);

        it('shows the failed creation with Postex’s answer and a link to its order', async () => {
            const failed = row('parcel-creations', cases.failed.fulfillmentId);
            expect(await failed.getByTestId('creation-status').textContent()).toContain('ناموفق');
            expect(await failed.textContent()).toContain('receiver address is required');
            expect(
                await failed.getByRole('link', { name: cases.failed.orderCode }).getAttribute('href'),
            ).toBe(`/admin/orders/${cases.failed.orderId}`);
        });

        it('retries the creation: the parcel is made and its label is to print', async () => {
            const creates = t.simulators.postex.faults.callsTo('/parcels/bulk').length;
            await row('parcel-creations', cases.failed.fulfillmentId).getByTestId('retry-parcel').click();
            await page.getByText('ساخت مرسوله دوباره در صف قرار گرفت').waitFor();
            // The job runs in the background: refresh until the parcel moved to the labels.
            await expect
                .poll(
                    async () => {
                        await page.getByRole('button', { name: 'به‌روزرسانی' }).click();
                        return row('labels-to-print', cases.failed.fulfillmentId).count();
                    },
                    { timeout: 30_000, interval: 1000 },
                )
                .toBe(1);
            expect(await row('parcel-creations', cases.failed.fulfillmentId).count()).toBe(0);
            expect(t.simulators.postex.faults.callsTo('/parcels/bulk')).toHaveLength(creates + 1);
        });

        it('downloads a label to print', async () => {
            const button = row('labels-to-print', cases.labelled.fulfillmentId).getByTestId('print-label');
            const [download] = await Promise.all([page.waitForEvent('download'), button.click()]);
            expect(download.suggestedFilename()).toBe(`postex-label-${cases.labelled.fulfillmentId}.pdf`);
            expect(
                fs
                    .readFileSync(await download.path())
                    .subarray(0, 5)
                    .toString('latin1'),
            ).toBe('%PDF-');
        });

        it('settles a delivered cash-on-delivery order', async () => {
            const cod = page.getByTestId('cod-unsettled').locator('tbody tr');
            expect(await cod.count()).toBe(1);
            expect(await cod.textContent()).toContain(cases.delivered.orderCode);
            await cod.getByTestId('settle-cod').click();
            await page.getByText('پرداخت تسویه شد').waitFor();
            await expect.poll(() => cod.count()).toBe(0);
        });
    },
);
