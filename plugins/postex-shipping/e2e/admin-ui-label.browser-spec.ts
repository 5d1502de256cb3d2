import fs from 'node:fs';

import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { buildAdminUi } from '../../../src/admin-ui';
import { browserSkipReason, launchBrowser } from '../../../src/testing/browser';
import { createTestShop, TestShop, testProfile } from '../../../src/testing/test-shop';
import { postexFulfilledOrder, waitForPostexPlaces } from '../testing';

/**
 * The Postex label in the real Admin UI (compiled with the extension), driven in Chromium: an administrator
 * logged in with the session cookie opens an order shipped with Postex and downloads its label PDF.
 */
const skipReason = browserSkipReason();

describe.skipIf(skipReason)(
    `Admin UI Postex label (${testProfile()})${skipReason ? `: skipped, ${skipReason}` : ''}`,
    () => {
        let t: TestShop;
        let browser: Browser;
        let page: Page;
        let shipped: Awaited<ReturnType<typeof postexFulfilledOrder>>;

        beforeAll(async () => {
            // Cached: compiles only when an extension or the installed packages changed.
            await buildAdminUi(() => undefined);
            t = await createTestShop();
            await waitForPostexPlaces(t.shop);
            shipped = await postexFulfilledOrder(t, 'label-browser@example.ir');
            browser = await launchBrowser();
            page = await browser.newPage({ viewport: { width: 1400, height: 1000 }, locale: 'fa-IR' });
        }, 300_000);

        afterAll(async () => {
            await browser?.close();
            await t?.close();
        });

        it("downloads the label PDF from the order's fulfillment", async () => {
            await page.goto(`${t.baseUrl}/admin/login`);
            await page.fill('#login_username', t.app.superadmin.username);
            await page.fill('#login_password', t.app.superadmin.password);
            await page.click('button[type=submit]');
            await page.waitForURL(url => !url.pathname.endsWith('/login'));

            // The browser's own session does not reach the label path (the admin cookie is for /admin-api).
            const plain = await page.request.get(`${t.baseUrl}/postex/label/${shipped.fulfillmentId}`);
            expect(plain.status()).toBe(403);

            await page.goto(`${t.baseUrl}/admin/orders/${shipped.orderId}`);
            const button = page.getByTestId('postex-label-download');
            await button.waitFor();
            const [download] = await Promise.all([page.waitForEvent('download'), button.click()]);
            expect(download.suggestedFilename()).toBe(`postex-label-${shipped.fulfillmentId}.pdf`);
            const file = await download.path();
            expect(fs.readFileSync(file).subarray(0, 5).toString('latin1')).toBe('%PDF-');
            expect(new URL(download.url()).pathname).toBe(`/postex/label/${shipped.fulfillmentId}`);
        });
    },
);
