import type { Browser, Page } from 'playwright-core';
import type { Socket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import path from 'node:path';

import { buildAdminUi } from '../../../src/admin-ui';
import { STATIC_DIR } from '../../../src/paths';
import { STAFF_PASSWORD } from '../../../src/testing/admin-staff';
import { browserSkipReason, launchBrowser } from '../../../src/testing/browser';
import { createTestShop, TestShop, testProfile } from '../../../src/testing/test-shop';
import { buildWidget } from '../build/widget-bundle';

import {
    ack,
    cid,
    connectChat,
    createShopper,
    createStaff,
    NewMessage,
    nextEvent,
    SendData,
} from './chat-fixtures';

/**
 * The staff screen in the real Admin UI (compiled with the extension), driven in Chromium, against a shopper on
 * a socket.io client and against the storefront widget on the demo page: what the shopper writes shows up on
 * the screen, what staff type reaches the shopper.
 */
const skipReason = browserSkipReason();

describe.skipIf(skipReason)(
    `Admin UI support chat screen (${testProfile()})${skipReason ? `: skipped, ${skipReason}` : ''}`,
    () => {
        let t: TestShop;
        let browser: Browser;
        let page: Page;
        let shopper: Socket;
        let staffEmail: string;
        const html = '<img src=x onerror="window.__xss=1"><b>سلام</b>';

        beforeAll(async () => {
            // Cached: compiles only when the extension or the installed packages changed.
            await buildAdminUi(() => undefined);
            await buildWidget(path.join(STATIC_DIR, 'support-chat', 'widget.js'));
            t = await createTestShop();
            const staff = await createStaff(t, 'Maryam');
            staffEmail = staff.email;
            const customer = await createShopper(t);
            shopper = await connectChat(t.baseUrl, { token: customer.token });
            browser = await launchBrowser();
            page = await browser.newPage({ viewport: { width: 1400, height: 900 }, locale: 'fa-IR' });
        }, 300_000);

        afterAll(async () => {
            shopper?.close();
            await browser?.close();
            await t?.close();
        });

        it('shows a waiting shopper in the queue with the unread count, and the message as text', async () => {
            const sent = await ack<SendData>(shopper, 'message:send', { clientMessageId: cid(), body: html });
            expect(sent.ok).toBe(true);

            await page.goto(`${t.baseUrl}/admin/login`);
            await page.fill('#login_username', staffEmail);
            await page.fill('#login_password', STAFF_PASSWORD);
            await page.click('button[type=submit]');
            await page.waitForURL(url => !url.pathname.endsWith('/login'));
            // The navigation entry is there for staff with ManageSupportChat, in Persian by default.
            await page.getByRole('link', { name: 'گفت‌وگوی پشتیبانی' }).click();
            await page.getByTestId('connection').getByText('متصل').waitFor();

            const item = page.locator('[data-conversation-id]').filter({ hasText: 'Sara Ahmadi' });
            await expect.poll(() => item.getByTestId('unread').textContent()).toContain('1');
            await item.click();
            const body = page.getByTestId('messages').locator('.message .body').first();
            await expect.poll(() => body.textContent()).toBe(html);
            expect(await page.getByTestId('messages').locator('img, b').count()).toBe(0);
            expect(await page.evaluate(() => (globalThis as { __xss?: number }).__xss)).toBeUndefined();
        });

        it('delivers a reply typed on the screen to the shopper, and shows the shopper live', async () => {
            const reply = nextEvent<NewMessage>(
                shopper,
                'message:new',
                p => p.message.senderType === 'staff',
            );
            await page.getByTestId('composer').fill('سلام، سفارش شما فردا ارسال می‌شود.');
            await page.getByTestId('composer').press('Enter');
            const received = await reply;
            expect(received.message.body).toBe('سلام، سفارش شما فردا ارسال می‌شود.');

            // The shopper reads it: the screen shows the receipt.
            await ack(shopper, 'read', {
                conversationId: received.conversationId,
                seq: received.message.seq,
            });
            await page.getByTestId('seen').first().waitFor();

            // The shopper types and answers: both appear without reloading.
            await ack(shopper, 'typing', { conversationId: received.conversationId, typing: true });
            await page.getByTestId('typing').waitFor();
            await ack(shopper, 'message:send', { clientMessageId: cid(), body: 'ممنون!' });
            await page.getByTestId('messages').getByText('ممنون!').waitFor();
        });

        it('carries a conversation between the storefront widget and the staff screen', async () => {
            const storefront = await (await browser.newContext({ locale: 'fa-IR' })).newPage();
            await storefront.goto(`${t.baseUrl}/storefront/chat`);
            await storefront.getByRole('button', { name: /گفتگو با پشتیبانی/ }).click();
            const widgetInput = storefront.getByRole('textbox', { name: 'پیام شما' });
            await widgetInput.fill('سلام از ویجت فروشگاه');
            await widgetInput.press('Enter');

            // A guest's new conversation appears in the open queue of the staff screen.
            await page.locator('[data-conversation-id]').filter({ hasText: 'مهمان' }).click();
            await page.getByTestId('messages').getByText('سلام از ویجت فروشگاه').waitFor();

            await page.getByTestId('composer').fill('پاسخ از پنل مدیریت');
            await page.getByTestId('composer').press('Enter');
            await storefront.locator('li.msg').filter({ hasText: 'پاسخ از پنل مدیریت' }).waitFor();
        });
    },
);
