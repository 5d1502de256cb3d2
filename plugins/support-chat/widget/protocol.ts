/** The widget's view of the `/chat` protocol: the shared shapes, plus what the shopper side adds. */
import type {
    ChatErrorCode as ServerErrorCode,
    ConversationPayload,
    MessageNewEvent,
    MessagePayload,
} from '../ui/protocol';

export type Conversation = ConversationPayload;
export type Message = MessagePayload;
/** The `message:new` event: a message with its conversation's new counters. */
export type MessageNew = MessageNewEvent;

/** The server's codes, plus the widget's own for "no acknowledgement in time" (disconnected or slow). */
export type ChatErrorCode = ServerErrorCode | 'TIMEOUT';

export type Ack<T> = { ok: true; data: T } | { ok: false; error: { code: ChatErrorCode; message: string } };

/** `data` of the `message:send` acknowledgement. */
export interface SendData {
    message: Message;
    conversation: Conversation;
    duplicate: boolean;
}

/** `data` of the `conversation:sync` acknowledgement. */
export interface SyncData {
    conversation: Conversation;
    messages: Message[];
    hasMore: boolean;
}

/** The `typing` event the server relays from the other side. */
export interface TypingEvent {
    conversationId: string;
    typing: boolean;
    side: 'staff' | 'shopper';
    name?: string;
}
