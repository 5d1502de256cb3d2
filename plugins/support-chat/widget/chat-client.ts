import { io, Socket } from 'socket.io-client';

import type {
    Ack,
    ChatErrorCode,
    Conversation,
    Message,
    MessageNew,
    SendData,
    SyncData,
    TypingEvent,
} from './protocol';
import { ShopSession } from './session';

export type ConnectionStatus = 'idle' | 'connecting' | 'online' | 'offline' | 'error';

/** One line of the thread the view shows: a stored message, or one of ours not acknowledged yet. */
export interface ThreadItem {
    key: string;
    body: string;
    mine: boolean;
    createdAt: string;
    state: 'sent' | 'seen' | 'pending' | 'failed';
    seq?: number;
    clientMessageId?: string;
    error?: ChatErrorCode;
}

interface Pending {
    clientMessageId: string;
    body: string;
    createdAt: string;
    state: 'pending' | 'failed';
    error?: ChatErrorCode;
}

interface Tracked {
    messages: Map<number, Message>;
    /**
     * Every message up to this seq is held: what `conversation:sync` continues from. Not simply the highest
     * seq seen, since a `message:new` can arrive before the history it follows.
     */
    complete: number;
    /** Highest seq held: what reading the thread marks as read. */
    highest: number;
    readByShopper: number;
    readByStaff: number;
}

const ACK_TIMEOUT_MS = 15_000;
const RESEND_AFTER_TIMEOUT_MS = 5_000;
const TYPING_REPEAT_MS = 3_000;
const TYPING_IDLE_MS = 4_000;
const STAFF_TYPING_EXPIRES_MS = 8_000;

/**
 * The shopper's side of the `/chat` protocol, without DOM: the thread of the shopper's latest conversation
 * (plus any other that receives a message while open), unacknowledged sends kept and re-sent after a
 * reconnect (idempotent through `clientMessageId`), and a catch-up from the highest seq held after every
 * (re)connect, since socket.io does not replay what was missed.
 */
export class ChatClient {
    status: ConnectionStatus = 'idle';
    staffTyping = false;
    /** The conversation a new message goes to; undefined until the shopper has one. */
    conversationId: string | undefined;

    private socket: Socket | undefined;
    private readonly tracked = new Map<string, Tracked>();
    private pending: Pending[] = [];
    private readonly listeners = new Set<() => void>();
    /** The shopper opened the panel or sent: a session may be created for them. */
    private wanted = false;
    /** Closed through the JS API: stays closed until `connect()`. */
    private paused = false;
    private sessionRefreshed = false;
    private visible = false;
    private flushing: Promise<void> | undefined;
    private flushAgain = false;
    private typingSentAt = 0;
    private typingIdleTimer: ReturnType<typeof setTimeout> | undefined;
    private staffTypingTimer: ReturnType<typeof setTimeout> | undefined;
    private connectedToken: string | undefined;

    constructor(
        private readonly serverOrigin: string,
        private readonly session: ShopSession,
    ) {}

    onChange(listener: () => void): () => void {
        this.listeners.add(listener);
        return () => this.listeners.delete(listener);
    }

    /**
     * Connects if there may be a session already (a stored token, or a same-origin cookie): returning shoppers
     * see their unread replies on the launcher. Without one nothing is created until the shopper opens the chat.
     */
    start(): void {
        if (this.session.token || this.serverOrigin === window.location.origin) {
            this.openSocket();
        }
    }

    /** The shopper wants to chat: make sure there is a session and a connection. */
    async engage(): Promise<void> {
        this.wanted = true;
        if (this.paused || this.socket?.connected || this.status === 'connecting') {
            return;
        }
        if (!this.session.token) {
            await this.refreshSession();
        }
        this.openSocket();
    }

    /** JS API: (re)opens the socket; the catch-up after connecting fetches what was missed. */
    connect(): void {
        this.paused = false;
        this.openSocket();
    }

    /** JS API: closes the socket until `connect()`; messages sent meanwhile wait as pending. */
    disconnect(): void {
        this.paused = true;
        this.socket?.disconnect();
        this.setStatus('idle');
    }

    private openSocket(): void {
        if (!this.socket) {
            this.socket = this.createSocket();
        }
        if (!this.socket.connected) {
            this.connectedToken = this.session.token;
            this.setStatus('connecting');
            this.socket.connect();
        }
    }

    /** Another token (setToken, login in another tab): another shopper, so start over. */
    tokenChanged(): void {
        if (this.session.token === this.connectedToken) {
            return;
        }
        this.socket?.disconnect();
        this.tracked.clear();
        this.pending = [];
        this.conversationId = undefined;
        this.staffTyping = false;
        this.sessionRefreshed = false;
        this.setStatus('idle');
        if (!this.paused && (this.wanted || this.session.token)) {
            this.openSocket();
        }
    }

    /** The panel is open and the page visible: what is shown counts as read. */
    setVisible(visible: boolean): void {
        this.visible = visible;
        this.markRead();
    }

    get unreadCount(): number {
        let n = 0;
        for (const t of this.tracked.values()) {
            for (const m of t.messages.values()) {
                if (m.senderType === 'staff' && m.seq > t.readByShopper) {
                    n++;
                }
            }
        }
        return n;
    }

    /** Stored messages of every tracked conversation in time order, then our pending ones. */
    get thread(): ThreadItem[] {
        const items: Array<ThreadItem & { order: string }> = [];
        for (const [conversationId, t] of this.tracked) {
            for (const m of t.messages.values()) {
                const mine = m.senderType !== 'staff';
                items.push({
                    key: `${conversationId}:${m.seq}`,
                    seq: m.seq,
                    body: m.body,
                    mine,
                    createdAt: m.createdAt,
                    state: mine && m.seq <= t.readByStaff ? 'seen' : 'sent',
                    order: `${m.createdAt}|${String(m.seq).padStart(10, '0')}`,
                });
            }
        }
        items.sort((a, b) => (a.order < b.order ? -1 : a.order > b.order ? 1 : 0));
        return [
            ...items.map(({ order: _order, ...item }) => item),
            ...this.pending.map(p => ({
                key: `pending:${p.clientMessageId}`,
                clientMessageId: p.clientMessageId,
                body: p.body,
                mine: true,
                createdAt: p.createdAt,
                state: p.state,
                error: p.error,
            })),
        ];
    }

    /** Queues a message (trimmed, non-empty, within the limit: the view checks) and sends it when connected. */
    send(body: string): void {
        this.pending.push({
            clientMessageId: newClientMessageId(),
            body,
            createdAt: new Date().toISOString(),
            state: 'pending',
        });
        this.stopTyping();
        this.changed();
        if (this.socket?.connected) {
            void this.flushPending();
        } else if (this.status === 'idle' || this.status === 'error') {
            // Offline or connecting: socket.io is on it, and the catch-up after connecting sends the pending.
            void this.engage().catch(() => undefined);
        }
    }

    retry(clientMessageId: string): void {
        const p = this.pending.find(x => x.clientMessageId === clientMessageId);
        if (p) {
            p.state = 'pending';
            p.error = undefined;
            this.changed();
            void this.flushPending();
        }
    }

    discard(clientMessageId: string): void {
        this.pending = this.pending.filter(x => x.clientMessageId !== clientMessageId);
        this.changed();
    }

    /** Called on every input: tells staff the shopper is typing, at most every 3 s, and stops after 4 s idle. */
    typing(): void {
        const conversationId = this.conversationId;
        if (!this.socket?.connected || !conversationId) {
            return;
        }
        if (Date.now() - this.typingSentAt > TYPING_REPEAT_MS) {
            this.typingSentAt = Date.now();
            this.socket.emit('typing', { conversationId, typing: true }, noop);
        }
        clearTimeout(this.typingIdleTimer);
        this.typingIdleTimer = setTimeout(() => this.stopTyping(), TYPING_IDLE_MS);
    }

    private stopTyping(): void {
        clearTimeout(this.typingIdleTimer);
        if (this.typingSentAt && this.socket?.connected && this.conversationId) {
            this.socket.emit('typing', { conversationId: this.conversationId, typing: false }, noop);
        }
        this.typingSentAt = 0;
    }

    private createSocket(): Socket {
        const socket = io(`${this.serverOrigin}/chat`, {
            autoConnect: false,
            // Works behind a load balancer without sticky sessions and cross-origin without CORS (README).
            transports: ['websocket'],
            withCredentials: true,
            // Read at every (re)connect, so a token stored meanwhile (login) is used.
            auth: cb => {
                this.connectedToken = this.session.token;
                cb(this.connectedToken ? { token: this.connectedToken } : {});
            },
        });
        socket.on('connect', () => {
            this.sessionRefreshed = false;
            this.setStatus('online');
            void this.catchUp();
        });
        socket.on('disconnect', reason => {
            this.staffTyping = false;
            if (reason === 'io client disconnect') {
                return;
            }
            this.setStatus('offline');
            // The server closed the socket (e.g. shutdown): socket.io does not retry that by itself.
            if (reason === 'io server disconnect') {
                socket.connect();
            }
        });
        socket.on('connect_error', err => void this.connectFailed(socket, err));
        socket.on('message:new', (p: MessageNew) => {
            const t = this.track(p.conversationId);
            const gap = p.message.seq > t.complete + 1;
            this.conversationId = p.conversationId;
            this.noteConversation(p.conversation);
            this.addMessages(p.conversationId, [p.message]);
            if (p.message.senderType === 'staff') {
                this.setStaffTyping(false);
            }
            if (gap) {
                void this.sync(p.conversationId);
            }
            this.markRead();
            this.changed();
        });
        socket.on('conversation:updated', (p: { conversation: Conversation }) => {
            if (this.tracked.has(p.conversation.id)) {
                this.noteConversation(p.conversation);
                this.changed();
            }
        });
        socket.on('conversation:read', (p: { conversationId: string; side: string; seq: number }) => {
            const t = this.tracked.get(p.conversationId);
            if (t) {
                if (p.side === 'staff') {
                    t.readByStaff = Math.max(t.readByStaff, p.seq);
                } else {
                    t.readByShopper = Math.max(t.readByShopper, p.seq);
                }
                this.changed();
            }
        });
        socket.on('typing', (p: TypingEvent) => {
            if (p.side === 'staff') {
                this.setStaffTyping(p.typing);
            }
        });
        return socket;
    }

    private async connectFailed(socket: Socket, err: Error): Promise<void> {
        if (err.message === 'ORIGIN_NOT_ALLOWED') {
            // The session cookie from a page the server does not list as its own (README): a setup error.
            this.setStatus('error');
            return;
        }
        if (err.message === 'SERVER_SHUTTING_DOWN') {
            // This instance is stopping (a refusal, so socket.io does not retry): another one will take us.
            this.setStatus('offline');
            setTimeout(() => this.wanted && socket.connect(), 300 + Math.random() * 700);
            return;
        }
        if (err.message !== 'UNAUTHORIZED') {
            // Network trouble: socket.io keeps retrying with backoff.
            this.setStatus('offline');
            return;
        }
        // No session, or it ended (logout, expiry). Socket.io does not retry a refusal.
        if (!this.wanted || this.sessionRefreshed) {
            this.setStatus(this.wanted ? 'error' : 'idle');
            return;
        }
        this.sessionRefreshed = true;
        try {
            await this.refreshSession();
            socket.connect();
        } catch {
            this.setStatus('error');
        }
    }

    private async refreshSession(): Promise<void> {
        this.setStatus('connecting');
        try {
            await this.session.ensureSession();
        } catch (e) {
            this.setStatus('error');
            throw e;
        }
    }

    /** After every (re)connect: the shopper's conversations, everything after the highest seq held, then the unsent. */
    private async catchUp(): Promise<void> {
        const list = await this.ack<{ conversations: Conversation[] }>('conversation:list', {});
        if (list.ok) {
            const latest = list.data.conversations[0];
            if (!this.conversationId && latest) {
                this.conversationId = latest.id;
                this.track(latest.id);
            }
            for (const c of list.data.conversations) {
                if (this.tracked.has(c.id)) {
                    this.noteConversation(c);
                }
            }
            for (const id of [...this.tracked.keys()]) {
                await this.sync(id);
            }
        }
        await this.flushPending();
        this.markRead();
        this.changed();
    }

    /** `conversation:sync` from the highest seq held, repeated while the server has more. */
    private async sync(conversationId: string): Promise<void> {
        for (;;) {
            const t = this.track(conversationId);
            const r = await this.ack<SyncData>('conversation:sync', { conversationId, afterSeq: t.complete });
            if (!r.ok) {
                return;
            }
            this.noteConversation(r.data.conversation);
            this.addMessages(conversationId, r.data.messages);
            // The page is everything after `afterSeq` up to its last message, even if seqs were skipped.
            const last = r.data.messages[r.data.messages.length - 1];
            if (last) {
                this.addMessages(conversationId, [], last.seq);
            }
            this.changed();
            if (!r.data.hasMore || r.data.messages.length === 0) {
                return;
            }
        }
    }

    /** Sends the pending messages one at a time, in order, while connected. */
    private flushPending(): Promise<void> {
        if (this.flushing) {
            this.flushAgain = true;
            return this.flushing;
        }
        this.flushing = (async () => {
            do {
                this.flushAgain = false;
                for (const p of [...this.pending]) {
                    if (p.state !== 'pending' || !this.socket?.connected) {
                        continue;
                    }
                    if ((await this.sendOne(p)) === 'stop') {
                        return;
                    }
                }
            } while (this.flushAgain);
        })().finally(() => {
            this.flushing = undefined;
        });
        return this.flushing;
    }

    private async sendOne(p: Pending): Promise<'next' | 'stop'> {
        const r = await this.ack<SendData>('message:send', {
            conversationId: this.conversationId,
            clientMessageId: p.clientMessageId,
            body: p.body,
        });
        if (r.ok) {
            this.pending = this.pending.filter(x => x !== p);
            this.conversationId = r.data.conversation.id;
            this.track(r.data.conversation.id);
            this.noteConversation(r.data.conversation);
            this.addMessages(r.data.conversation.id, [r.data.message]);
            this.changed();
            return 'next';
        }
        if (r.error.code === 'TIMEOUT') {
            // Stays pending: re-sent after the next connect (or shortly, if still connected: a slow server);
            // the server answers a re-send with the same message.
            if (this.socket?.connected) {
                setTimeout(() => void this.flushPending(), RESEND_AFTER_TIMEOUT_MS);
            }
            return 'stop';
        }
        p.state = 'failed';
        p.error = r.error.code;
        this.changed();
        return r.error.code === 'RATE_LIMITED' ? 'stop' : 'next';
    }

    private markRead(): void {
        if (!this.visible || document.visibilityState !== 'visible' || !this.socket?.connected) {
            return;
        }
        for (const [conversationId, t] of this.tracked) {
            if (t.highest > t.readByShopper) {
                t.readByShopper = t.highest;
                this.socket.emit('read', { conversationId, seq: t.highest }, noop);
                this.changed();
            }
        }
    }

    private track(conversationId: string): Tracked {
        let t = this.tracked.get(conversationId);
        if (!t) {
            t = { messages: new Map(), complete: 0, highest: 0, readByShopper: 0, readByStaff: 0 };
            this.tracked.set(conversationId, t);
        }
        return t;
    }

    private noteConversation(c: Conversation): void {
        const t = this.track(c.id);
        t.readByShopper = Math.max(t.readByShopper, c.lastReadSeqShopper);
        t.readByStaff = Math.max(t.readByStaff, c.lastReadSeqStaff);
    }

    /** De-duplicated by seq: the sender's own sockets get `message:new` too, and sync may overlap events. */
    private addMessages(conversationId: string, messages: Message[], completeUpTo = 0): void {
        const t = this.track(conversationId);
        for (const m of messages) {
            t.messages.set(m.seq, m);
            t.highest = Math.max(t.highest, m.seq);
            // Our message arrived through another path (another tab, or the ack of a re-send).
            this.pending = this.pending.filter(p => p.clientMessageId !== m.clientMessageId);
        }
        t.complete = Math.max(t.complete, completeUpTo);
        while (t.messages.has(t.complete + 1)) {
            t.complete++;
        }
    }

    private setStaffTyping(typing: boolean): void {
        clearTimeout(this.staffTypingTimer);
        this.staffTyping = typing;
        if (typing) {
            // A lost `typing: false` (staff closed the tab) must not leave the indicator on.
            this.staffTypingTimer = setTimeout(() => this.setStaffTyping(false), STAFF_TYPING_EXPIRES_MS);
        }
        this.changed();
    }

    private async ack<T>(event: string, payload: unknown): Promise<Ack<T>> {
        const socket = this.socket;
        if (!socket?.connected) {
            return { ok: false, error: { code: 'TIMEOUT', message: 'not connected' } };
        }
        try {
            return (await socket.timeout(ACK_TIMEOUT_MS).emitWithAck(event, payload)) as Ack<T>;
        } catch {
            return { ok: false, error: { code: 'TIMEOUT', message: 'no acknowledgement' } };
        }
    }

    private setStatus(status: ConnectionStatus): void {
        if (this.status !== status) {
            this.status = status;
            this.changed();
        }
    }

    private changed(): void {
        for (const l of this.listeners) {
            l();
        }
    }
}

function noop(): void {
    // Acknowledgement of typing/read: nothing to do with it.
}

function newClientMessageId(): string {
    if (typeof crypto !== 'undefined' && typeof crypto.randomUUID === 'function') {
        return crypto.randomUUID();
    }
    // randomUUID needs a secure context (https or localhost); getRandomValues does not.
    const bytes = crypto.getRandomValues(new Uint8Array(16));
    return Array.from(bytes, b => b.toString(16).padStart(2, '0')).join('');
}
