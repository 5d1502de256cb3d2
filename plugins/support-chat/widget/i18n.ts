import type { ConnectionStatus } from './chat-client';
import type { ChatErrorCode } from './protocol';

export type Lang = 'fa' | 'en';

export interface Strings {
    dir: 'rtl' | 'ltr';
    locale: string;
    launcher: string;
    unread: (n: string) => string;
    title: string;
    close: string;
    hint: string;
    empty: string;
    status: Record<ConnectionStatus, string>;
    messages: string;
    input: string;
    placeholder: string;
    send: string;
    staffTyping: string;
    you: string;
    staff: string;
    pending: string;
    seen: string;
    retry: string;
    discard: string;
    counter: (n: string, max: string) => string;
    errors: Record<ChatErrorCode, string>;
}

const fa: Strings = {
    dir: 'rtl',
    locale: 'fa-IR',
    launcher: 'گفتگو با پشتیبانی',
    unread: n => `${n} پیام خوانده‌نشده`,
    title: 'پشتیبانی فروشگاه',
    close: 'بستن گفتگو',
    hint: 'اگر همکاران ما آنلاین نباشند، پیام بگذارید؛ پاسخ را همین‌جا می‌بینید.',
    empty: 'سلام! سؤالتان را بنویسید.',
    status: {
        idle: 'آماده',
        connecting: 'در حال اتصال…',
        online: 'متصل',
        offline: 'اتصال قطع است؛ دوباره تلاش می‌کنیم…',
        error: 'اتصال برقرار نشد. لطفاً صفحه را دوباره باز کنید.',
    },
    messages: 'پیام‌های گفتگو',
    input: 'پیام شما',
    placeholder: 'پیام خود را بنویسید…',
    send: 'ارسال',
    staffTyping: 'پشتیبان در حال نوشتن است…',
    you: 'شما',
    staff: 'پشتیبان',
    pending: 'در حال ارسال…',
    seen: 'دیده شد',
    retry: 'ارسال دوباره',
    discard: 'حذف',
    counter: (n, max) => `${n} از ${max}`,
    errors: {
        INVALID_PAYLOAD: 'پیام نامعتبر است.',
        MESSAGE_EMPTY: 'پیام خالی است.',
        MESSAGE_TOO_LONG: 'پیام طولانی‌تر از حد مجاز است.',
        RATE_LIMITED: 'پیام‌ها خیلی پشت سر هم فرستاده شد؛ کمی صبر کنید و دوباره بفرستید.',
        TOO_MANY_OPEN_CONVERSATIONS: 'تعداد گفتگوهای باز شما به حداکثر رسیده است.',
        NOT_FOUND: 'این گفتگو پیدا نشد.',
        FORBIDDEN: 'اجازهٔ این کار را ندارید.',
        INTERNAL_ERROR: 'خطایی در سرور رخ داد؛ دوباره تلاش کنید.',
        TIMEOUT: 'پاسخی از سرور نرسید؛ پس از اتصال دوباره فرستاده می‌شود.',
    },
};

const en: Strings = {
    dir: 'ltr',
    locale: 'en',
    launcher: 'Chat with support',
    unread: n => `${n} unread messages`,
    title: 'Shop support',
    close: 'Close chat',
    hint: 'If nobody is online, leave a message; the reply will appear here.',
    empty: 'Hello! Type your question.',
    status: {
        idle: 'Ready',
        connecting: 'Connecting…',
        online: 'Connected',
        offline: 'Connection lost; retrying…',
        error: 'Could not connect. Please reload the page.',
    },
    messages: 'Chat messages',
    input: 'Your message',
    placeholder: 'Type your message…',
    send: 'Send',
    staffTyping: 'Support is typing…',
    you: 'You',
    staff: 'Support',
    pending: 'Sending…',
    seen: 'Seen',
    retry: 'Send again',
    discard: 'Remove',
    counter: (n, max) => `${n} / ${max}`,
    errors: {
        INVALID_PAYLOAD: 'The message is not valid.',
        MESSAGE_EMPTY: 'The message is empty.',
        MESSAGE_TOO_LONG: 'The message is longer than allowed.',
        RATE_LIMITED: 'Too many messages in a row; wait a moment and send again.',
        TOO_MANY_OPEN_CONVERSATIONS: 'You have too many open conversations.',
        NOT_FOUND: 'This conversation was not found.',
        FORBIDDEN: 'You are not allowed to do this.',
        INTERNAL_ERROR: 'Something went wrong on the server; try again.',
        TIMEOUT: 'No answer from the server; it will be sent again after reconnecting.',
    },
};

export function stringsFor(lang: string | undefined): Strings {
    return lang?.toLowerCase().startsWith('en') ? en : fa;
}
