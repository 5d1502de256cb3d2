import { Controller, Get, Header, Param, Req, Res } from '@nestjs/common';
import { PluginCommonModule, VendurePlugin } from '@vendure/core';
import type { Request, Response } from 'express';

import { escapeHtml } from '../http/escape-html';

const PAGES = {
    confirmation: { title: 'پرداخت موفق', text: 'سفارش شما پرداخت شد. از خرید شما سپاسگزاریم.' },
    'payment-failed': {
        title: 'پرداخت ناموفق',
        text: 'پرداخت انجام نشد یا هنوز در حال بررسی است. اگر مبلغی از حساب شما کم شده، تا چند دقیقه دیگر وضعیت سفارش به‌روز می‌شود.',
    },
} as const;

/**
 * Landing pages for the browser after payment when no storefront is configured (`STOREFRONT_URL` unset), so the
 * demo shop's checkout ends on a page rather than a 404. A real storefront replaces these.
 */
@Controller('storefront/checkout')
export class DemoStorefrontController {
    @Get([':page', ':page/:code'])
    @Header('content-type', 'text/html; charset=utf-8')
    @Header('content-security-policy', "default-src 'none'; style-src 'unsafe-inline'")
    landing(@Param('page') page: string, @Param('code') code?: string): string {
        const content = PAGES[page as keyof typeof PAGES] ?? PAGES['payment-failed'];
        const orderLine = code ? `<p>کد سفارش: <b dir="ltr">${escapeHtml(code)}</b></p>` : '';
        return `<!doctype html><html lang="fa" dir="rtl"><head><meta charset="utf-8"><title>${content.title}</title></head>
<body style="font-family:sans-serif;max-width:32rem;margin:3rem auto;line-height:1.8">
<h1>${content.title}</h1><p>${content.text}</p>${orderLine}</body></html>`;
    }
}

/** The one tag a storefront page needs for the support chat widget (served by SupportChatPlugin). */
const WIDGET_TAG = '<script src="/support-chat/widget.js" defer></script>';

/**
 * A demo storefront page with the support chat widget, to try it without a storefront: a guest opens the chat,
 * staff answer from the Admin API or any `/chat` socket client.
 */
@Controller('storefront/chat')
export class DemoStorefrontChatController {
    @Get()
    page(@Req() req: Request, @Res() res: Response): void {
        res.set({
            'content-type': 'text/html; charset=utf-8',
            'content-security-policy': chatPageCsp(req.headers.host),
        });
        res.send(`<!doctype html><html lang="fa" dir="rtl"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1"><title>گفتگو با پشتیبانی</title>${WIDGET_TAG}</head>
<body style="font-family:Tahoma,sans-serif;max-width:40rem;margin:3rem auto;padding:0 1rem;line-height:1.9">
<h1>گفتگو با پشتیبانی</h1>
<p>این صفحهٔ نمایشی ابزارک گفتگوی فروشگاه را نشان می‌دهد. دکمهٔ گفتگو در گوشهٔ پایین صفحه است؛ پیام بفرستید تا همکاران
فروشگاه از پنل مدیریت پاسخ دهند. اگر کسی آنلاین نباشد، پیام می‌ماند و پاسخ همین‌جا نمایش داده می‌شود.</p>
<p>هر صفحهٔ فروشگاه با همین یک خط ابزارک را دارد:</p>
<pre dir="ltr" style="background:#f3f4f6;padding:.75rem;overflow-x:auto"><code>${escapeHtml(WIDGET_TAG.replace('src="', 'src="https://shop.example'))}</code></pre>
<p>ابزارک از نشست Vendure فروشگاه استفاده می‌کند (توکن در <code dir="ltr">localStorage</code>) و اگر نشستی نباشد، یک نشست مهمان می‌سازد؛
با ورود به حساب، گفتگو با مشتری می‌ماند.</p>
</body></html>`);
    }
}

/**
 * The checkout pages' policy plus what the widget needs: its script from this origin, the Shop API and the
 * `/chat` WebSocket on this host. Its styles live in a shadow root as a constructable stylesheet, which CSP does
 * not treat as inline; the page's own `style` attributes still need 'unsafe-inline'.
 */
function chatPageCsp(host: string | undefined): string {
    const validHost = host && /^([a-z0-9.-]+|\[[0-9a-f:.]+\])(:\d{1,5})?$/i.test(host) ? host : undefined;
    const sockets = validHost ? ` ws://${validHost} wss://${validHost}` : '';
    return `default-src 'none'; script-src 'self'; connect-src 'self'${sockets}; style-src 'unsafe-inline'; img-src 'self' data:`;
}

@VendurePlugin({
    imports: [PluginCommonModule],
    controllers: [DemoStorefrontController, DemoStorefrontChatController],
    compatibility: '^3.7.0',
})
export class DemoStorefrontPlugin {}
