import { EmailEventListener } from '@vendure/email-plugin';

import { SupportChatUnreadReplyEvent } from '../service/support-chat.service';

/**
 * Emails a customer whose support reply stayed unread (the default notifier publishes the event on the worker).
 * Add it to `EmailPlugin.init({ handlers })` with a `support-chat-unread-reply/body.hbs` template and a
 * `supportChatUrl` global template variable (the storefront page with the chat).
 */
export const supportChatUnreadReplyEmailHandler = new EmailEventListener('support-chat-unread-reply')
    .on(SupportChatUnreadReplyEvent)
    // `.invalid` is reserved and never delivered (phone-only accounts carry such placeholder addresses).
    .filter(event => !/\.invalid$/i.test(event.notice.emailAddress))
    .setRecipient(event => event.notice.emailAddress)
    .setFrom('{{ fromAddress }}')
    .setSubject('پاسخ تازه از پشتیبانی فروشگاه')
    .setTemplateVars(event => ({
        firstName: event.notice.firstName,
        unreadCount: event.notice.unreadCount,
        conversationId: String(event.notice.conversationId),
    }));
