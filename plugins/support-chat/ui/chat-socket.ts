import { io, Socket } from 'socket.io-client';

import type { ChatAck, ConversationPayload, MessageNewEvent, MessagePayload } from './protocol';

export type ChatConversation = ConversationPayload;
export type ChatMessage = MessagePayload;
/** The server's acknowledgement, or the client's own when the server did not answer in time. */
export type StaffAck<T> = ChatAck<T> | { ok: false; error: { code: 'TIMEOUT'; message: string } };

export interface StaffChatHandlers {
    connectionChanged(state: 'connected' | 'disconnected', error?: string): void;
    messageNew(payload: MessageNewEvent): void;
    conversationUpdated(payload: { conversation: ChatConversation }): void;
    conversationRead(payload: { conversationId: string; side: 'staff' | 'shopper'; seq: number }): void;
    typing(payload: { conversationId: string; typing: boolean; side: 'staff' | 'shopper' }): void;
}

/** The staff side of the `/chat` socket, with the Admin UI's own session. */
export class StaffChatSocket {
    private readonly socket: Socket;

    constructor(
        serverUrl: string,
        token: string | null,
        presence: 'online' | 'away',
        handlers: StaffChatHandlers,
    ) {
        this.socket = io(`${serverUrl}/chat`, {
            // Bearer mode: the Admin UI keeps its token in localStorage; cookie mode: the browser sends the cookie.
            auth: token ? { token, presence } : { presence },
            withCredentials: true,
            transports: ['websocket'],
        });
        this.socket.on('connect', () => handlers.connectionChanged('connected'));
        this.socket.on('disconnect', () => handlers.connectionChanged('disconnected'));
        this.socket.on('connect_error', err => handlers.connectionChanged('disconnected', err.message));
        this.socket.on('message:new', handlers.messageNew);
        this.socket.on('conversation:updated', handlers.conversationUpdated);
        this.socket.on('conversation:read', handlers.conversationRead);
        this.socket.on('typing', handlers.typing);
    }

    request<T>(event: string, payload: Record<string, unknown>): Promise<StaffAck<T>> {
        return this.socket
            .timeout(10_000)
            .emitWithAck(event, payload)
            .catch(() => ({
                ok: false,
                error: { code: 'TIMEOUT' as const, message: 'No answer from the server' },
            }));
    }

    close(): void {
        this.socket.removeAllListeners();
        this.socket.disconnect();
    }
}

export function newClientMessageId(): string {
    return crypto.randomUUID();
}
