import { Injector, PluginCommonModule, ScheduledTask, VendurePlugin } from '@vendure/core';

import { ChatGateway } from './api/chat.gateway';
import { WidgetController } from './api/widget.controller';
import { adminApiExtensions, shopApiExtensions } from './api/api-extensions';
import {
    AdminSupportChatResolver,
    AdminSupportConversationFieldResolver,
    SendSupportMessageResultResolver,
    ShopSupportChatResolver,
    SupportConversationFieldResolver,
} from './api/support-chat.resolvers';
import { DEFAULT_OPTIONS, manageSupportChatPermission, PLUGIN_INIT_OPTIONS } from './constants';
import { SupportCannedReply } from './entities/support-canned-reply.entity';
import { SupportConversation } from './entities/support-conversation.entity';
import { SupportMessage } from './entities/support-message.entity';
import { ChatHub } from './service/chat-hub';
import { SupportChatService } from './service/support-chat.service';
import { ResolvedSupportChatOptions, SupportChatPluginOptions } from './types';

/**
 * @description
 * Live support chat between shoppers and the shop's staff over socket.io (namespace `/chat` on the server's
 * own port), with the message log in the database as the truth: every message has a `seq` that grows within
 * its conversation, a reconnecting client asks for what follows its last seq.
 *
 * ## Requirements
 * `@nestjs/websockets`, `@nestjs/platform-socket.io`, `socket.io`; for several instances Redis and
 * `@socket.io/redis-adapter`. A migration for the `support_conversation`, `support_message` and
 * `support_canned_reply` tables.
 *
 * ## Setup
 * ```ts
 * plugins: [
 *   SupportChatPlugin.init({
 *     redis: { url: process.env.REDIS_URL, keyPrefix: 'shop:' },
 *     unreadNotifyAfterSeconds: 180,
 *   }),
 * ]
 * ```
 * Give staff roles the `ManageSupportChat` permission.
 *
 * ## Clients
 * ```ts
 * const socket = io('https://shop.example/chat', { auth: { token: vendureSessionToken } });
 * const ack = await socket.emitWithAck('message:send', { clientMessageId: uuid, body: 'سلام' });
 * socket.on('message:new', ({ conversationId, message }) => ...);
 * ```
 * Shop API: `supportConversations`, `supportMessages(conversationId, page)`, `sendSupportMessage(input)`.
 * Admin API: `supportConversations(filter)`, `assignSupportConversation`, `resolveSupportConversation`,
 * canned replies CRUD. The README lists every socket event.
 *
 * ## Storefront widget
 * With `widget: { dir }` (the folder `npm run build` writes `widget.js` to) the plugin serves a ready chat
 * widget at `GET /support-chat/widget.js`; any storefront page includes it with one tag:
 * ```html
 * <script src="https://shop.example/support-chat/widget.js" defer></script>
 * ```
 * Persian and right to left by default (`data-lang="en"` for English). It uses the storefront's Vendure
 * session (the bearer token under localStorage `vendure-auth-token`, `data-token-key` to change it, or
 * `window.SupportChat.setToken(token)`), and creates a guest session when there is none. The README lists the
 * attributes, the JS API and what the page's CSP must allow.
 *
 * @docsCategory plugins
 */
@VendurePlugin({
    imports: [PluginCommonModule],
    compatibility: '^3.7.0',
    entities: [SupportConversation, SupportMessage, SupportCannedReply],
    controllers: [WidgetController],
    providers: [
        { provide: PLUGIN_INIT_OPTIONS, useFactory: () => SupportChatPlugin.options },
        ChatHub,
        SupportChatService,
        ChatGateway,
    ],
    shopApiExtensions: {
        schema: shopApiExtensions,
        resolvers: [
            ShopSupportChatResolver,
            SupportConversationFieldResolver,
            SendSupportMessageResultResolver,
        ],
    },
    adminApiExtensions: {
        schema: adminApiExtensions,
        resolvers: [
            AdminSupportChatResolver,
            SupportConversationFieldResolver,
            AdminSupportConversationFieldResolver,
            SendSupportMessageResultResolver,
        ],
    },
    configuration: config => {
        config.authOptions.customPermissions.push(manageSupportChatPermission);
        config.schedulerOptions.tasks = [...(config.schedulerOptions.tasks ?? []), unreadNoticeTask()];
        return config;
    },
})
export class SupportChatPlugin {
    static options: ResolvedSupportChatOptions = resolveOptions({});

    static init(options: SupportChatPluginOptions): typeof SupportChatPlugin {
        SupportChatPlugin.options = resolveOptions(options);
        return SupportChatPlugin;
    }
}

/** The worker looks for staff replies left unread and queues one notice job per conversation. */
function unreadNoticeTask() {
    return new ScheduledTask({
        id: 'support-chat-unread-notices',
        description: 'Notifies shoppers of support replies they have not read',
        schedule: SupportChatPlugin.options.unreadNotifySchedule,
        preventOverlap: true,
        execute: async ({ injector }: { injector: Injector }) => ({
            queued: await injector.get(SupportChatService).enqueueDueNotices(),
        }),
    });
}

export function resolveOptions(options: SupportChatPluginOptions): ResolvedSupportChatOptions {
    const resolved: ResolvedSupportChatOptions = {
        maxMessageLength: options.maxMessageLength ?? DEFAULT_OPTIONS.maxMessageLength,
        socketRateLimit: options.socketRateLimit ?? { ...DEFAULT_OPTIONS.socketRateLimit },
        shopperRateLimit: options.shopperRateLimit ?? { ...DEFAULT_OPTIONS.shopperRateLimit },
        maxOpenConversationsPerShopper:
            options.maxOpenConversationsPerShopper ?? DEFAULT_OPTIONS.maxOpenConversationsPerShopper,
        unreadNotifyAfterSeconds:
            options.unreadNotifyAfterSeconds ?? DEFAULT_OPTIONS.unreadNotifyAfterSeconds,
        unreadNotifySchedule: options.unreadNotifySchedule ?? DEFAULT_OPTIONS.unreadNotifySchedule,
        staffRecheckSeconds: options.staffRecheckSeconds ?? DEFAULT_OPTIONS.staffRecheckSeconds,
        notifier: options.notifier,
        redis: options.redis,
        widget: options.widget,
    };
    const problems: string[] = [];
    if (!(resolved.maxMessageLength >= 1 && resolved.maxMessageLength <= 10_000)) {
        problems.push('maxMessageLength must be 1..10000');
    }
    for (const [name, limit] of [
        ['socketRateLimit', resolved.socketRateLimit],
        ['shopperRateLimit', resolved.shopperRateLimit],
    ] as const) {
        if (!(limit.limit >= 1 && limit.windowSeconds >= 1)) {
            problems.push(`${name} needs limit >= 1 and windowSeconds >= 1`);
        }
    }
    if (!(resolved.maxOpenConversationsPerShopper >= 1)) {
        problems.push('maxOpenConversationsPerShopper must be >= 1');
    }
    if (!(resolved.unreadNotifyAfterSeconds >= 0)) {
        problems.push('unreadNotifyAfterSeconds must be >= 0');
    }
    if (!(resolved.staffRecheckSeconds >= 1 && resolved.staffRecheckSeconds <= 3600)) {
        problems.push('staffRecheckSeconds must be 1..3600');
    }
    if (problems.length) {
        throw new Error(`SupportChatPlugin: ${problems.join('; ')}`);
    }
    return resolved;
}
