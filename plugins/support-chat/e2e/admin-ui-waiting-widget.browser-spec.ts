import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { buildAdminUi } from '../../../src/admin-ui';
import { browserSkipReason, launchBrowser, loginToAdminUi } from '../../../src/testing/browser';
import { createTestShop, TestShop, testProfile } from '../../../src/testing/test-shop';

import { ack, cid, connectChat, createShopper, SendData } from './chat-fixtures';

/** The dashboard widget of waiting chats in the real Admin UI (compiled with the extension), in Chromium. */
const skipReason = browserSkipReason();

describe.skipIf(skipReason)(
    `Admin UI support chat dashboard widget (${testProfile()})${skipReason ? `: skipped, ${skipReason}` : ''}`,
    () => {
        let t: TestShop;
        let browser: Browser;
        let page: Page;

        beforeAll(async () => {
            await buildAdminUi(() => undefined);
            t = await createTestShop({ seed: false });
            browser = await launchBrowser();
            page = await browser.newPage({ viewport: { width: 1400, height: 1000 }, locale: 'fa-IR' });
        }, 300_000);

        afterAll(async () => {
            await browser?.close();
            await t?.close();
        });

        it('shows on the dashboard how many shoppers wait and the longest wait', async () => {
            const shopper = await createShopper(t);
            const socket = await connectChat(t.baseUrl, { token: shopper.token });
            try {
                const sent = await ack<SendData>(socket, 'message:send', {
                    clientMessageId: cid(),
                    body: 'سلام',
                });
                expect(sent.ok).toBe(true);
            } finally {
                socket.close();
            }
            await loginToAdminUi(page, t.baseUrl, t.app.superadmin);
            const widget = page.getByTestId('chat-waiting-widget');
            await expect
                .poll(async () => (await widget.getByTestId('chat-waiting-count').textContent())?.trim())
                .toBe('1');
            expect(await widget.getByTestId('chat-longest-wait').textContent()).toMatch(/ثانیه|دقیقه/);
            expect(await page.getByText('گفت‌وگوهای در انتظار').count()).toBeGreaterThan(0);
            // The widget leads to the chat screen.
            await widget.getByRole('link', { name: 'رفتن به گفت‌وگوها' }).click();
            await page.waitForURL(url => url.pathname.endsWith('/extensions/support-chat'));
        });
    },
);
