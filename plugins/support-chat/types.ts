import { ID } from '@vendure/common/lib/shared-types';
import { Injector } from '@vendure/core';

export interface RateLimit {
    /** Messages allowed per window. */
    limit: number;
    windowSeconds: number;
}

/** What the unread-reply notifier is told: a staff reply has stayed unread by the shopper. */
export interface UnreadReplyNotice {
    conversationId: ID;
    customerId: ID;
    emailAddress: string;
    firstName: string;
    unreadCount: number;
    /** The seq of the newest staff message the notice covers. */
    lastStaffSeq: number;
}

/**
 * Sends the "you have an unread reply" notice. Runs on the worker. The default publishes a
 * `SupportChatUnreadReplyEvent` on Vendure's EventBus (an EmailPlugin handler can turn it into an email) and
 * logs the conversation id; provide your own (SMS, push) with this interface.
 */
export interface UnreadReplyNotifier {
    init?(injector: Injector): void | Promise<void>;
    notify(notice: UnreadReplyNotice): Promise<void>;
}

export interface SupportChatPluginOptions {
    /** Maximum characters of a message after trimming. Default 2000. */
    maxMessageLength?: number;
    /** Messages per window for one socket. Default 10 per 10 s. */
    socketRateLimit?: RateLimit;
    /** Messages per window for one shopper over all sockets and instances. Default 30 per 60 s. */
    shopperRateLimit?: RateLimit;
    /** Open conversations one shopper may have at a time. Default 3. */
    maxOpenConversationsPerShopper?: number;
    /** A staff reply unread this long triggers the notifier. Default 180 s. */
    unreadNotifyAfterSeconds?: number;
    /** Cron schedule of the worker task that looks for unread replies. Default every minute. */
    unreadNotifySchedule?: string;
    /**
     * Seconds between checks of every staff socket against its session, its administrator and the
     * ManageSupportChat permission; a socket that fails is told `session:ended` and disconnected. Default 60.
     * (A logout disconnects the session's sockets at once, on every instance.)
     */
    staffRecheckSeconds?: number;
    /** Default: EventBus event + log. */
    notifier?: UnreadReplyNotifier;
    /**
     * Redis for several server instances: the socket.io Redis adapter (messages reach sockets on every
     * instance) and the per-shopper rate limit. Without it the chat works on one instance only.
     */
    redis?: { url: string; keyPrefix: string };
    /**
     * Serves the storefront widget at `GET /support-chat/widget.js` from `dir` (where `npm run build` writes
     * `widget.js`, e.g. `<project>/static/support-chat`). Omit to serve nothing (404).
     */
    widget?: { dir: string };
}

export interface ResolvedSupportChatOptions {
    maxMessageLength: number;
    socketRateLimit: RateLimit;
    shopperRateLimit: RateLimit;
    maxOpenConversationsPerShopper: number;
    unreadNotifyAfterSeconds: number;
    unreadNotifySchedule: string;
    staffRecheckSeconds: number;
    notifier?: UnreadReplyNotifier;
    redis?: { url: string; keyPrefix: string };
    widget?: { dir: string };
}

export type { ChatAck, ChatErrorCode, ConversationStatus, SenderType } from './ui/protocol';
export type StaffPresence = 'online' | 'away';

/** Who is on the other end of a socket or a GraphQL call. */
export type ChatParty =
    | { kind: 'customer'; customerId: ID; userId: ID; key: string }
    | { kind: 'guest'; guestKey: string; key: string }
    | { kind: 'staff'; administratorId: ID; userId: ID; name: string; key: string };

export type ShopperParty = Extract<ChatParty, { kind: 'customer' | 'guest' }>;
export type StaffParty = Extract<ChatParty, { kind: 'staff' }>;
