import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { buildAdminUi } from '../src/admin-ui';
import { browserSkipReason, launchBrowser } from '../src/testing/browser';
import { createTestShop, TestShop, testProfile } from '../src/testing/test-shop';

/**
 * The Admin UI (compiled with the project's extensions) under the server's Content-Security-Policy: it logs in,
 * shows the product list and the channels, and the browser reports no CSP violation on the way.
 */
const skipReason = browserSkipReason();

describe.skipIf(skipReason)(
    `Admin UI under the Content-Security-Policy (${testProfile()})${skipReason ? `: skipped, ${skipReason}` : ''}`,
    () => {
        let t: TestShop;
        let browser: Browser;
        let page: Page;
        const violations: string[] = [];

        beforeAll(async () => {
            await buildAdminUi(() => undefined);
            t = await createTestShop();
            browser = await launchBrowser();
            page = await browser.newPage({ viewport: { width: 1400, height: 900 }, locale: 'en-US' });
            page.on('console', m => {
                if (/Content Security Policy|Content-Security-Policy/i.test(m.text())) {
                    violations.push(m.text());
                }
            });
            await page.exposeFunction('__cspViolation', (v: string) => violations.push(v));
            // In the page: report every CSP violation event (string form: this file is compiled without DOM types).
            await page.addInitScript(`document.addEventListener('securitypolicyviolation', e =>
                window.__cspViolation(e.violatedDirective + ' ' + e.blockedURI))`);
        }, 300_000);

        afterAll(async () => {
            await browser?.close();
            await t?.close();
        });

        it('logs in and shows the product list and the channels with no CSP violation', async () => {
            const response = await page.goto(`${t.baseUrl}/admin/login`);
            // No inline script; 'unsafe-eval' for the Admin UI's translation compiler (it builds functions at run time).
            expect(response?.headers()['content-security-policy']).toContain(
                "script-src 'self' 'unsafe-eval';",
            );
            await page.fill('#login_username', 'superadmin');
            await page.fill('#login_password', 'superadmin');
            await page.click('button[type=submit]');
            await page.waitForURL(url => !url.pathname.endsWith('/login'));

            await page.goto(`${t.baseUrl}/admin/catalog/products`);
            // The seeded catalogue's rows (Persian product names) render in the list.
            await page.locator('vdr-data-table-2 tbody tr').first().waitFor({ timeout: 30_000 });
            expect(await page.locator('vdr-data-table-2 tbody tr').count()).toBeGreaterThan(3);

            await page.goto(`${t.baseUrl}/admin/settings/channels`);
            await page.locator('vdr-data-table-2 tbody tr').first().waitFor({ timeout: 30_000 });
            // The one thing refused on purpose: the login page's background image from Vendure's own server (a
            // third-party request with the administrator's address; the page works without it).
            expect(violations.filter(v => !v.includes('https://login-image.vendure.io/'))).toEqual([]);
        });

        it('the development mailbox runs its page script (allowed by hash) with no CSP violation', async () => {
            violations.length = 0;
            await page.goto(`${t.baseUrl}/mailbox`);
            // Its script fills the list of email types from /mailbox/types.
            await page.waitForFunction(`document.querySelectorAll('select option').length > 0`, null, {
                timeout: 15_000,
            });
            expect(violations).toEqual([]);
        });
    },
);
