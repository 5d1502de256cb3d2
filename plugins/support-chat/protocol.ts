/**
 * The shapes that travel over the `/chat` socket, shared by the server and the browser clients (the storefront
 * widget imports this file, so it imports nothing).
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
