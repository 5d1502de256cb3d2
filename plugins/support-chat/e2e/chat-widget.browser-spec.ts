import fs from 'node:fs';
import path from 'node:path';

import type { Browser, Locator, Page, WebSocketRoute } from 'playwright-core';
import type { Socket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { browserSkipReason, launchBrowser } from '../../../src/testing/browser';
import { STATIC_DIR } from '../../../src/paths';
import { createTestShop, TestShop, testProfile } from '../../../src/testing/test-shop';
import { buildWidget } from '../build/widget-bundle';

import {
    ack,
    cid,
    collect,
    connectChat,
    createStaff,
    NewMessage,
    nextEvent,
    SendData,
    withChatOptions,
} from './chat-fixtures';

/** The page's globals this test reads (the server tsconfig has no DOM types; the widget's are in its build). */
interface PageGlobals {
    SupportChat?: { status: string };
    __xss?: number;
    localStorage: { getItem(key: string): string | null };
}

const skipReason = browserSkipReason();
if (skipReason) {
    console.warn(`Storefront widget browser tests skipped: ${skipReason}`);
}
const WAIT = { timeout: 20_000 };

describe.skipIf(skipReason !== undefined)(
    `Storefront chat widget in Chromium on the demo page (${testProfile()})${skipReason ? `: skipped, ${skipReason}` : ''}`,
    () => {
        let t: TestShop;
        let browser: Browser;
        let page: Page;
        let staff: Socket;
        let conversationId: string;
        const dialogs: string[] = [];
        const pageErrors: string[] = [];
        const cspViolations: string[] = [];
        /** The page's `/socket.io/` WebSockets pass through Playwright, so a test can cut them. */
        const liveSockets = new Set<{ page: WebSocketRoute; server: WebSocketRoute }>();
        let blockSockets = false;

        const launcher = () => page.getByRole('button', { name: /گفتگو با پشتیبانی/ });
        const input = () => page.getByRole('textbox', { name: 'پیام شما' });
        const rows = (text: string): Locator => page.locator('li.msg').filter({ hasText: text });

        /** Closes the page's WebSocket like a network failure and refuses new ones until `blockSockets` is false. */
        async function cutConnection(): Promise<void> {
            blockSockets = true;
            for (const ws of liveSockets) {
                await ws.server.close();
                await ws.page.close({ code: 1001, reason: 'network gone' });
            }
            liveSockets.clear();
            await page.waitForFunction(
                () => (globalThis as unknown as PageGlobals).SupportChat?.status !== 'online',
                undefined,
                WAIT,
            );
        }

        /** The seqs of the stored messages shown, in order (a duplicate would show twice). */
        function shownSeqs(): Promise<Array<string | null>> {
            return page
                .locator('li.msg[data-seq]')
                .evaluateAll(els => els.map(e => e.getAttribute('data-seq')));
        }

        async function staffReply(body: string): Promise<SendData> {
            const r = await ack<SendData>(staff, 'message:send', {
                conversationId,
                clientMessageId: cid(),
                body,
            });
            if (!r.ok) throw new Error(`staff send failed: ${r.error.code}`);
            return r.data;
        }

        beforeAll(async () => {
            // The page loads what the server serves from static/support-chat: build it from the current sources.
            await buildWidget(path.join(STATIC_DIR, 'support-chat', 'widget.js'));
            // 5 messages per socket, so a burst from the widget meets RATE_LIMITED.
            t = await createTestShop({
                seed: false,
                adjustConfig: withChatOptions({ socketRateLimit: { limit: 5, windowSeconds: 3600 } }),
            });
            const admin = await createStaff(t, 'Reza');
            staff = await connectChat(t.baseUrl, { token: admin.token });
            browser = await launchBrowser();
            const context = await browser.newContext({ locale: 'fa-IR' });
            page = await context.newPage();
            page.on('dialog', d => {
                dialogs.push(d.message());
                void d.dismiss();
            });
            page.on('pageerror', e => pageErrors.push(e.message));
            page.on('console', m => {
                if (/Content.Security.Policy/i.test(m.text())) cspViolations.push(m.text());
            });
            await page.routeWebSocket(/\/socket\.io\//, ws => {
                if (blockSockets) {
                    void ws.close({ code: 1011, reason: 'blocked by test' });
                    return;
                }
                liveSockets.add({ page: ws, server: ws.connectToServer() });
            });
        });

        afterAll(async () => {
            staff?.close();
            await browser?.close();
            await t?.close();
        });

        it('serves the bundle with a script content type, an ETag, and 304 when unchanged', async () => {
            const res = await fetch(`${t.baseUrl}/support-chat/widget.js`);
            expect(res.status).toBe(200);
            expect(res.headers.get('content-type')).toBe('application/javascript; charset=utf-8');
            expect(res.headers.get('cache-control')).toBe('public, max-age=300');
            const etag = res.headers.get('etag');
            expect(etag).toMatch(/^".+"$/);
            expect((await res.text()).length).toBeGreaterThan(10_000);
            const again = await fetch(`${t.baseUrl}/support-chat/widget.js`, {
                headers: { 'if-none-match': etag! },
            });
            expect(again.status).toBe(304);
        });

        it('a guest opens the widget on the demo page, a staff member gets the message and the reply shows up', async () => {
            await page.goto(`${t.baseUrl}/storefront/chat`);
            expect(await page.locator('[data-support-chat] .root').getAttribute('dir')).toBe('rtl');
            await launcher().click();
            expect(await launcher().getAttribute('aria-expanded')).toBe('true');

            const body = 'سلام، سفارشم کی می‌رسد؟';
            const atStaff = nextEvent<NewMessage>(staff, 'message:new', p => p.message.body === body);
            const shopperTyping = nextEvent<{ side: string }>(staff, 'typing', p => p.side === 'shopper');
            await input().fill(body);
            await input().press('Enter');
            const got = await atStaff;
            expect(got.message.senderType).toBe('guest');
            conversationId = got.conversationId;
            // The guest session the widget created is the storefront's: stored under Vendure's usual key.
            expect(
                await page.evaluate(() =>
                    (globalThis as unknown as PageGlobals).localStorage.getItem('vendure-auth-token'),
                ),
            ).toMatch(/\w{20,}/);

            // Typing both ways: the widget's typing reaches staff; staff typing shows in the widget.
            await input().pressSequentially('ممنون');
            expect((await shopperTyping).side).toBe('shopper');
            await ack(staff, 'typing', { conversationId, typing: true });
            await page.getByText('پشتیبان در حال نوشتن است…').waitFor(WAIT);

            await staffReply('درود! سفارش شما فردا می‌رسد.');
            await rows('درود! سفارش شما فردا می‌رسد.').waitFor(WAIT);
            expect(await page.getByText('پشتیبان در حال نوشتن است…').isHidden()).toBe(true);
            await input().fill('');
        });

        it('shows the history after a reload (same session from localStorage) and an unread badge for a new reply', async () => {
            await page.reload();
            // The panel starts closed; a reply arriving now counts as unread on the launcher.
            const badge = page.locator('[data-support-chat] .badge');
            await page.waitForFunction(
                () => (globalThis as unknown as PageGlobals).SupportChat?.status === 'online',
                undefined,
                WAIT,
            );
            await staffReply('پیام تازه از پشتیبانی');
            await badge.filter({ hasText: '۱' }).waitFor(WAIT);

            const readReceipt = nextEvent<{ side: string; seq: number }>(
                staff,
                'conversation:read',
                p => p.side === 'shopper',
            );
            await launcher().click();
            await rows('پیام تازه از پشتیبانی').waitFor(WAIT);
            expect(await rows('سلام، سفارشم کی می‌رسد؟').count()).toBe(1);
            expect(await rows('درود! سفارش شما فردا می‌رسد.').count()).toBe(1);
            // Opening the panel reads the reply: the staff side gets the receipt, the badge goes.
            expect((await readReceipt).seq).toBe(3);
            expect(await badge.isHidden()).toBe(true);
        });

        it('catches up after the connection drops: a reply sent meanwhile shows exactly once', async () => {
            await cutConnection();
            const missed = 'این پیام وقتی قطع بودید رسید';
            await staffReply(missed);
            expect(await rows(missed).count()).toBe(0);

            blockSockets = false; // socket.io's next retry (at most 5 s away) gets through
            await rows(missed).waitFor(WAIT);
            expect(await rows(missed).count()).toBe(1);
            expect(await shownSeqs()).toEqual(['1', '2', '3', '4']);
        });

        it('keeps a message typed while offline as pending and sends it once after reconnecting', async () => {
            await cutConnection();
            const offlineBody = 'این را آفلاین نوشتم';
            const atStaff = collect<NewMessage>(staff, 'message:new');
            await input().fill(offlineBody);
            await input().press('Enter');
            await rows(offlineBody).filter({ hasText: 'در حال ارسال…' }).waitFor(WAIT);

            blockSockets = false;
            await rows(offlineBody).filter({ hasNotText: 'در حال ارسال…' }).waitFor(WAIT);
            expect(await rows(offlineBody).count()).toBe(1);
            expect(atStaff.filter(p => p.message.body === offlineBody)).toHaveLength(1);
            expect(await shownSeqs()).toEqual(['1', '2', '3', '4', '5']);
        });

        it('shows HTML and script in messages as literal text and runs nothing', async () => {
            const fromStaff = '<img src=x onerror="window.__xss=1;alert(1)"><b>bold?</b>';
            const fromShopper = '<script>window.__xss=2;alert(2)</script><svg onload=alert(3)>';
            await staffReply(fromStaff);
            const atStaff = nextEvent<NewMessage>(staff, 'message:new', p => p.message.body === fromShopper);
            await input().fill(fromShopper);
            await input().press('Enter');
            expect((await atStaff).message.body).toBe(fromShopper);
            await rows('bold?').waitFor(WAIT);
            await rows('onload=alert(3)').filter({ hasNotText: 'در حال ارسال…' }).waitFor(WAIT);

            expect(await rows('bold?').locator('.body').textContent()).toBe(fromStaff);
            expect(await rows('onload=alert(3)').locator('.body').textContent()).toBe(fromShopper);
            expect(
                await page.locator('[data-support-chat] .log').locator('img, b, script, svg').count(),
            ).toBe(0);
            expect(await page.evaluate(() => (globalThis as unknown as PageGlobals).__xss)).toBeUndefined();
            expect(dialogs).toEqual([]);
        });

        it('shows a refused send (RATE_LIMITED) on the message, with send again and remove', async () => {
            for (let i = 1; i <= 5; i++) {
                await input().fill(`پیام پشت سر هم ${i}`);
                await input().press('Enter');
            }
            const alert = page.getByRole('alert').filter({ hasText: 'خیلی پشت سر هم' });
            await alert.waitFor(WAIT);
            const failed = page.locator('li.msg.failed');
            expect(await failed.count()).toBeGreaterThan(0);
            await failed.first().getByRole('button', { name: 'ارسال دوباره' }).waitFor(WAIT);
            while ((await failed.count()) > 0) {
                await failed.first().getByRole('button', { name: 'حذف' }).click();
            }
            await alert.waitFor({ state: 'hidden', ...WAIT });
        });

        it('counts characters against the 2,000 limit and will not send beyond it', async () => {
            await input().fill('ب'.repeat(2001));
            const counter = page.locator('[data-support-chat] .counter');
            expect(await counter.textContent()).toBe('۲٬۰۰۱ از ۲٬۰۰۰');
            expect(await counter.getAttribute('class')).toContain('over');
            expect(await page.getByRole('button', { name: 'ارسال' }).isDisabled()).toBe(true);
            await input().fill('ب'.repeat(2000));
            expect(await page.getByRole('button', { name: 'ارسال' }).isEnabled()).toBe(true);
            await input().fill('');
        });

        it('works with only the session cookie (a cookie-mode storefront on the same origin) and stores no token', async () => {
            const context = await browser.newContext({ locale: 'fa-IR' });
            try {
                const p = await context.newPage();
                await p.goto(`${t.baseUrl}/storefront/chat`);
                // The storefront's own Shop API call gives the visitor a session, kept in the cookie only.
                await p.evaluate(() =>
                    fetch('/shop-api', {
                        method: 'POST',
                        credentials: 'include',
                        headers: { 'content-type': 'application/json' },
                        body: JSON.stringify({ query: '{ activeOrder { id } }' }),
                    }).then(r => r.status),
                );
                await p.reload();
                await p.waitForFunction(
                    () => (globalThis as unknown as PageGlobals).SupportChat?.status === 'online',
                    undefined,
                    WAIT,
                );
                const body = 'این پیام با نشست کوکی است';
                const atStaff = nextEvent<NewMessage>(staff, 'message:new', m => m.message.body === body);
                await p.getByRole('button', { name: /گفتگو با پشتیبانی/ }).click();
                await p.getByRole('textbox', { name: 'پیام شما' }).fill(body);
                await p.getByRole('textbox', { name: 'پیام شما' }).press('Enter');
                const got = await atStaff;
                expect(got.message.senderType).toBe('guest');
                expect(got.conversationId).not.toBe(conversationId);
                expect(
                    await p.evaluate(() =>
                        (globalThis as unknown as PageGlobals).localStorage.getItem('vendure-auth-token'),
                    ),
                ).toBeNull();
            } finally {
                await context.close();
            }
        });

        it('answers 404 with the build hint while the bundle is missing', async () => {
            const file = path.join(STATIC_DIR, 'support-chat', 'widget.js');
            fs.renameSync(file, `${file}.away`);
            try {
                const res = await fetch(`${t.baseUrl}/support-chat/widget.js`);
                expect(res.status).toBe(404);
                expect(await res.text()).toContain('npm run build');
            } finally {
                fs.renameSync(`${file}.away`, file);
            }
            expect((await fetch(`${t.baseUrl}/support-chat/widget.js`)).status).toBe(200);
        });

        it('ran without page errors or CSP violations', () => {
            expect(pageErrors).toEqual([]);
            expect(cspViolations).toEqual([]);
        });
    },
);
