import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { postexFulfilledOrder, waitForPostexPlaces } from '../plugins/postex-shipping/testing';
import { buildAdminUi } from '../src/admin-ui';
import { browserSkipReason, launchBrowser, loginToAdminUi } from '../src/testing/browser';
import { createTestShop, TestShop, testProfile } from '../src/testing/test-shop';

/**
 * Two rough edges of the stock Admin UI, fixed by the project's Admin UI extension (src/admin-ui-fixes): the
 * variant page's tax rate («null%») and the order lines table that hid the total column in right-to-left layout.
 */
const skipReason = browserSkipReason();

describe.skipIf(skipReason)(
    `Admin UI fixes (${testProfile()})${skipReason ? `: skipped, ${skipReason}` : ''}`,
    () => {
        let t: TestShop;
        let browser: Browser;
        let orderId: string;

        beforeAll(async () => {
            // Cached: compiles only when an extension or the installed packages changed.
            await buildAdminUi(() => undefined);
            t = await createTestShop();
            await waitForPostexPlaces(t.shop);
            orderId = (await postexFulfilledOrder(t, 'fixes-browser@example.ir')).orderId;
            browser = await launchBrowser();
        }, 300_000);

        afterAll(async () => {
            await browser?.close();
            await t?.close();
        });

        async function adminPage(width: number, language?: 'en' | 'fa'): Promise<Page> {
            const page = await browser.newPage({ viewport: { width, height: 1000 } });
            await loginToAdminUi(page, t.baseUrl, t.app.superadmin, language);
            return page;
        }

        for (const [language, expected] of [
            ['fa', 'شامل 10% مالیات'],
            ['en', 'Includes tax at 10%'],
        ] as const) {
            it(`shows the variant's VAT rate of the Iran zone, 10% (${language})`, async () => {
                const page = await adminPage(1400, language);
                await page.goto(`${t.baseUrl}/admin/catalog/inventory/1/variants/1`);
                const detail = page.locator('vdr-variant-price-detail').first();
                await expect.poll(() => detail.textContent(), { timeout: 20_000 }).toContain(expected);
                expect(await detail.textContent()).not.toContain('null');
                await page.close();
            });
        }

        for (const width of [1280, 1920]) {
            it(`shows the order's total column inside the order lines card at ${width} px, right to left`, async () => {
                const page = await adminPage(width);
                await page.goto(`${t.baseUrl}/admin/orders/${orderId}`);
                const table = page.locator('vdr-order-table table').first();
                await table.waitFor({ timeout: 20_000 });
                expect(
                    await page.evaluate(
                        `getComputedStyle(document.querySelector('vdr-order-table table')).direction`,
                    ),
                ).toBe('rtl');
                // The «کل» (total) header and the total row's amount, against the part of the card one sees.
                const boxes = await page.evaluate<TotalColumnBoxes>(TOTAL_COLUMN_BOXES);
                expect(boxes.totalIndex).toBeGreaterThan(0);
                expect(boxes.amountText).toMatch(/ریال/);
                for (const cell of [boxes.header, boxes.amount]) {
                    expect(cell.left).toBeGreaterThanOrEqual(boxes.visible.left - 1);
                    expect(cell.right).toBeLessThanOrEqual(boxes.visible.right + 1);
                }
                await page.close();
            });
        }
    },
);

interface Box {
    left: number;
    right: number;
}

interface TotalColumnBoxes {
    totalIndex: number;
    visible: Box;
    header: Box;
    amount: Box;
    amountText: string | undefined;
}

/**
 * Runs in the page: the «کل» (total) header and the total row's amount, against the part of the card one sees
 * (the table's scroll container within the card).
 */
const TOTAL_COLUMN_BOXES = `(() => {
    const table = document.querySelector('vdr-order-table table');
    const wrapper = table.parentElement.getBoundingClientRect();
    const card = table.closest('vdr-card').getBoundingClientRect();
    const headers = Array.from(table.querySelectorAll('thead th'));
    const totalIndex = headers.findIndex(th => th.textContent.trim() === 'کل');
    const cells = Array.from(table.querySelector('tr.total').querySelectorAll('td'));
    const amountCell = cells.find(td => /ریال/.test(td.textContent));
    const box = r => ({ left: r.left, right: r.right });
    return {
        totalIndex,
        visible: { left: Math.max(wrapper.left, card.left), right: Math.min(wrapper.right, card.right) },
        header: box(headers[totalIndex].getBoundingClientRect()),
        amount: box(amountCell.getBoundingClientRect()),
        amountText: amountCell.textContent.trim(),
    };
})()`;
