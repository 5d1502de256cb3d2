/**
 * The shapes that travel over the `/chat` socket, shared by the server, the storefront widget and the Admin UI
 * screen, so it imports nothing. It sits in `ui/` because ui-devkit copies only that folder into the Admin UI
 * build; tsc still compiles it for the server, which imports it.
 */

export type ConversationStatus = 'open' | 'resolved';
export type SenderType = 'customer' | 'guest' | 'staff';

/** Codes of error acknowledgements and GraphQL error results. */
export type ChatErrorCode =
    | 'INVALID_PAYLOAD'
    | 'MESSAGE_EMPTY'
    | 'MESSAGE_TOO_LONG'
    | 'RATE_LIMITED'
    | 'TOO_MANY_OPEN_CONVERSATIONS'
    | 'NOT_FOUND'
    | 'FORBIDDEN'
    | 'INTERNAL_ERROR';

/**
 * `server:shutdown`: this server instance is stopping (SIGTERM). Its sockets are closed right after their running
 * requests are answered; the client reconnects, through the load balancer, to another instance. A connection
 * attempt that still reaches this instance is refused with `connect_error` `SERVER_SHUTTING_DOWN`: retry shortly.
 */
export interface ServerShutdownEvent {
    reason: 'SHUTDOWN';
    /** Reconnect after about this many milliseconds (with some jitter of your own). */
    reconnectAfterMs: number;
}

export type ChatAck<T> =
    { ok: true; data: T } | { ok: false; error: { code: ChatErrorCode; message: string } };

export interface ConversationPayload {
    id: string;
    status: ConversationStatus;
    customerId: string | null;
    isGuest: boolean;
    assigneeId: string | null;
    lastSeq: number;
    unreadByStaff: number;
    unreadByShopper: number;
    lastReadSeqStaff: number;
    lastReadSeqShopper: number;
    lastMessageAt: string | null;
    createdAt: string;
}

/**
 * `message:new`: a stored message with its conversation as it stands after it (counters, status), so a client
 * needs no separate `conversation:updated` per message.
 */
export interface MessageNewEvent {
    conversationId: string;
    message: MessagePayload;
    conversation: ConversationPayload;
}

export interface MessagePayload {
    id: string;
    conversationId: string;
    seq: number;
    senderType: string;
    senderId: string | null;
    clientMessageId: string;
    body: string;
    createdAt: string;
}
