import { PermissionDefinition } from '@vendure/core';

export const loggerCtx = 'SupportChatPlugin';
export const PLUGIN_INIT_OPTIONS = Symbol('SUPPORT_CHAT_PLUGIN_OPTIONS');

/** The socket.io namespace of the chat, on the server's own port. */
export const CHAT_NAMESPACE = '/chat';
/** Room every connected staff socket joins (queue updates, presence). */
export const STAFF_ROOM = 'staff';
export const conversationRoom = (id: string | number) => `conversation:${id}`;
export const shopperRoom = (partyKey: string) => `shopper:${partyKey}`;
/** Every socket of one user (customer or staff), so a logout, which ends all their sessions, reaches them all. */
export const userRoom = (userId: string | number) => `user:${userId}`;

/** The widget bundle's file name, in `widget.dir` and in its URL `/support-chat/widget.js`. */
export const WIDGET_FILE = 'widget.js';

export const UNREAD_NOTIFY_QUEUE = 'support-chat-unread-notify';

export const DEFAULT_OPTIONS = {
    maxMessageLength: 2_000,
    /** Per socket: messages per window. */
    socketRateLimit: { limit: 10, windowSeconds: 10 },
    /** Per shopper (customer or guest session), across sockets and instances. */
    shopperRateLimit: { limit: 30, windowSeconds: 60 },
    maxOpenConversationsPerShopper: 3,
    /** Crisp and Intercom email an unseen reply after 3 minutes. */
    unreadNotifyAfterSeconds: 180,
    /** How often the worker looks for unread staff replies (cron). */
    unreadNotifySchedule: '* * * * *',
    /** How often staff sockets are checked against their session, role and account. */
    staffRecheckSeconds: 60,
    maxHistoryPage: 100,
} as const;

/** Lets an administrator answer shoppers in the support chat and manage canned replies. */
export const manageSupportChatPermission = new PermissionDefinition({
    name: 'ManageSupportChat',
    description: 'Allows answering shoppers in the support chat and managing canned replies',
});
