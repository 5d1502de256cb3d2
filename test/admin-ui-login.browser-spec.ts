import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { browserSkipReason, launchBrowser } from '../src/testing/browser';
import { createTestShop, TestShop } from '../src/testing/test-shop';

/** The Admin UI login page (the compiled or the prebuilt one: the page is the same) in Chromium: its picture comes from the shop, and nothing is fetched from elsewhere. */
const skipReason = browserSkipReason();

describe.skipIf(skipReason)(`Admin UI login page${skipReason ? `: skipped, ${skipReason}` : ''}`, () => {
    let t: TestShop;
    let browser: Browser;

    beforeAll(async () => {
        t = await createTestShop({ seed: false });
        browser = await launchBrowser();
    });

    afterAll(async () => {
        await browser?.close();
        await t?.close();
    });

    it('shows the shop’s own login picture and requests nothing from another server', async () => {
        const page = await browser.newPage();
        const requested: string[] = [];
        page.on('request', request => requested.push(request.url()));
        const picture = page.waitForResponse(response => response.url().endsWith('/branding/login.svg'));
        await page.goto(`${t.baseUrl}/admin/login`);
        expect((await picture).status()).toBe(200);
        const image = page.locator('img[src="/branding/login.svg"]');
        await image.waitFor({ timeout: 15_000 });
        expect(await image.getAttribute('src')).toBe('/branding/login.svg');
        // The picture really loaded (a broken image has no natural width).
        expect(
            await image.evaluate(el => (el as unknown as { naturalWidth: number }).naturalWidth),
        ).toBeGreaterThan(0);
        const origin = new URL(t.baseUrl).origin;
        expect(requested.filter(url => !url.startsWith(origin) && !url.startsWith('data:'))).toEqual([]);
        await page.close();
    });
});
