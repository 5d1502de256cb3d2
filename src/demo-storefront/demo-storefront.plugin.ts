import { Controller, Get, Header, Param } from '@nestjs/common';
import { PluginCommonModule, VendurePlugin } from '@vendure/core';

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

@VendurePlugin({
    imports: [PluginCommonModule],
    controllers: [DemoStorefrontController],
    compatibility: '^3.7.0',
})
export class DemoStorefrontPlugin {}

function escapeHtml(s: string): string {
    return s.replace(/[&<>"']/g, c => `&#${c.charCodeAt(0)};`);
}
