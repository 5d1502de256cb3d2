/** The `/chat` socket events the widget uses, as the plugin README describes them (shopper side). */

export type ChatErrorCode =
    | 'INVALID_PAYLOAD'
    | 'MESSAGE_EMPTY'
    | 'MESSAGE_TOO_LONG'
    | 'RATE_LIMITED'
    | 'TOO_MANY_OPEN_CONVERSATIONS'
    | 'NOT_FOUND'
    | 'FORBIDDEN'
    | 'INTERNAL_ERROR'
    /** Made by the widget: no acknowledgement in time (disconnected or slow). */
    | 'TIMEOUT';

export type Ack<T> = { ok: true; data: T } | { ok: false; error: { code: ChatErrorCode; message: string } };

export interface Conversation {
    id: string;
    status: 'open' | 'resolved';
    lastSeq: number;
    unreadByShopper: number;
    lastReadSeqShopper: number;
    lastReadSeqStaff: number;
    lastMessageAt: string | null;
}

export interface Message {
    id: string;
    conversationId: string;
    seq: number;
    senderType: 'customer' | 'guest' | 'staff';
    clientMessageId: string;
    body: string;
    createdAt: string;
}

export interface SendData {
    message: Message;
    conversation: Conversation;
    duplicate: boolean;
}

export interface SyncData {
    conversation: Conversation;
    messages: Message[];
    hasMore: boolean;
}

export interface TypingEvent {
    conversationId: string;
    typing: boolean;
    side: 'staff' | 'shopper';
    name?: string;
}
