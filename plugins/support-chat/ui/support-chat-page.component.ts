import {
    ChangeDetectionStrategy,
    ChangeDetectorRef,
    Component,
    NgZone,
    OnDestroy,
    OnInit,
} from '@angular/core';
import {
    DataService,
    getServerLocation,
    LocalStorageService,
    NotificationService,
    SharedModule,
} from '@vendure/admin-ui/core';
import { gql } from 'apollo-angular';
import { firstValueFrom } from 'rxjs';

import { ChatConversation, ChatMessage, newClientMessageId, StaffAck, StaffChatSocket } from './chat-socket';

interface PersonSummary {
    id: string;
    firstName: string;
    lastName: string;
    emailAddress?: string;
    phoneNumber?: string | null;
}

interface PendingMessage {
    clientMessageId: string;
    body: string;
    failed?: string;
}

interface CannedReply {
    id: string;
    shortcut: string;
    title: string;
    body: string;
}

type QueueView = 'open' | 'mine' | 'resolved';

const CONVERSATION_PEOPLE = gql`
    query SupportChatConversationPeople($filter: SupportConversationFilter) {
        supportConversations(filter: $filter) {
            items {
                id
                status
                customerId
                assigneeId
                lastSeq
                unreadByStaff
                unreadByShopper
                lastReadSeqStaff
                lastReadSeqShopper
                lastMessageAt
                createdAt
                isGuest
                customer {
                    id
                    firstName
                    lastName
                    emailAddress
                    phoneNumber
                }
                assignee {
                    id
                    firstName
                    lastName
                }
            }
        }
    }
`;

const SCREEN_DATA = gql`
    query SupportChatScreenData {
        activeAdministrator {
            id
            firstName
            lastName
        }
        supportCannedReplies {
            id
            shortcut
            title
            body
        }
    }
`;

const MAX_LENGTH = 2000;

/**
 * The staff's support chat screen: the queue (unread first), one conversation with live messages, and the
 * actions of the `/chat` socket. The socket delivers at most once, so every (re)connect syncs each open
 * conversation from the highest seq the screen has.
 */
@Component({
    selector: 'support-chat-page',
    templateUrl: './support-chat-page.component.html',
    styleUrls: ['./support-chat-page.component.scss'],
    standalone: true,
    imports: [SharedModule],
    changeDetection: ChangeDetectionStrategy.OnPush,
})
export class SupportChatPageComponent implements OnInit, OnDestroy {
    readonly maxLength = MAX_LENGTH;
    connection: 'connecting' | 'connected' | 'disconnected' = 'connecting';
    connectionError = '';
    presence: 'online' | 'away' = 'online';
    view: QueueView = 'open';
    conversations: ChatConversation[] = [];
    selectedId: string | null = null;
    messages: ChatMessage[] = [];
    pending: PendingMessage[] = [];
    hasOlder = false;
    draft = '';
    shopperTyping = false;
    cannedReplies: CannedReply[] = [];
    me: PersonSummary | null = null;

    private socket: StaffChatSocket | null = null;
    private readonly customers = new Map<string, PersonSummary>();
    private readonly staff = new Map<string, PersonSummary>();
    /** Customers whose names were asked for once already (a missing one is not asked for on every update). */
    private readonly askedCustomers = new Set<string>();
    private resolved: ChatConversation[] = [];
    private typingTimer: ReturnType<typeof setTimeout> | undefined;
    private lastTypingSent = 0;

    constructor(
        private readonly dataService: DataService,
        private readonly localStorage: LocalStorageService,
        private readonly notifications: NotificationService,
        private readonly zone: NgZone,
        private readonly cdr: ChangeDetectorRef,
    ) {}

    ngOnInit(): void {
        void this.loadScreenData();
        this.connect();
    }

    ngOnDestroy(): void {
        this.socket?.close();
        clearTimeout(this.typingTimer);
    }

    get visibleConversations(): ChatConversation[] {
        if (this.view === 'resolved') {
            return this.resolved;
        }
        const open = this.conversations.filter(c => c.status === 'open');
        return this.view === 'mine' ? open.filter(c => c.assigneeId === this.me?.id) : open;
    }

    get selected(): ChatConversation | undefined {
        return (
            this.conversations.find(c => c.id === this.selectedId) ??
            this.resolved.find(c => c.id === this.selectedId)
        );
    }

    get unreadTotal(): number {
        return this.conversations.reduce((sum, c) => sum + c.unreadByStaff, 0);
    }

    shopperName(c: ChatConversation): string {
        const customer = c.customerId ? this.customers.get(c.customerId) : undefined;
        if (customer) {
            return (
                `${customer.firstName} ${customer.lastName}`.trim() ||
                customer.phoneNumber ||
                `#${c.customerId}`
            );
        }
        return c.isGuest ? '' : `#${c.customerId}`;
    }

    shopperContact(c: ChatConversation): string {
        const customer = c.customerId ? this.customers.get(c.customerId) : undefined;
        return [
            customer?.phoneNumber,
            customer?.emailAddress?.endsWith('.invalid') ? null : customer?.emailAddress,
        ]
            .filter(Boolean)
            .join(' · ');
    }

    assigneeName(c: ChatConversation): string {
        if (!c.assigneeId) {
            return '';
        }
        const person = c.assigneeId === this.me?.id ? this.me : this.staff.get(c.assigneeId);
        return person ? `${person.firstName} ${person.lastName}`.trim() : `#${c.assigneeId}`;
    }

    isSeenByShopper(m: ChatMessage): boolean {
        return m.senderType === 'staff' && (this.selected?.lastReadSeqShopper ?? 0) >= m.seq;
    }

    trackById(_: number, item: { id: string }): string {
        return item.id;
    }

    trackBySeq(_: number, item: ChatMessage): number {
        return item.seq;
    }

    trackPending(_: number, item: PendingMessage): string {
        return item.clientMessageId;
    }

    setView(view: QueueView): void {
        this.view = view;
        if (view === 'resolved') {
            void this.loadResolved();
        }
    }

    async setPresence(status: 'online' | 'away'): Promise<void> {
        const ack = await this.request<{ status: 'online' | 'away' }>('presence:set', { status });
        if (ack) {
            this.presence = ack.status;
            this.cdr.markForCheck();
        }
    }

    async select(id: string): Promise<void> {
        this.selectedId = id;
        this.messages = [];
        this.pending = [];
        this.hasOlder = false;
        this.shopperTyping = false;
        this.draft = '';
        this.cdr.markForCheck();
        await this.syncSelected();
        this.markRead();
    }

    async send(body = this.draft): Promise<void> {
        const conversationId = this.selectedId;
        const text = body.trim();
        if (!conversationId || !text) {
            return;
        }
        const pending: PendingMessage = { clientMessageId: newClientMessageId(), body: text };
        this.pending = [...this.pending, pending];
        this.draft = '';
        this.cdr.markForCheck();
        await this.deliver(conversationId, pending);
    }

    async retry(pending: PendingMessage): Promise<void> {
        if (this.selectedId) {
            pending.failed = undefined;
            await this.deliver(this.selectedId, pending);
        }
    }

    onComposerKeydown(event: KeyboardEvent): void {
        if (event.key === 'Enter' && !event.shiftKey && !event.isComposing) {
            event.preventDefault();
            void this.send();
        }
    }

    onDraftChange(): void {
        const now = Date.now();
        if (this.selectedId && now - this.lastTypingSent > 2_000) {
            this.lastTypingSent = now;
            void this.request('typing', { conversationId: this.selectedId, typing: true });
        }
    }

    useCannedReply(reply: CannedReply): void {
        this.draft = this.draft ? `${this.draft}\n${reply.body}` : reply.body;
        this.cdr.markForCheck();
    }

    async assignToMe(): Promise<void> {
        await this.conversationAction('conversation:assign', { administratorId: this.me?.id ?? null });
    }

    async unassign(): Promise<void> {
        await this.conversationAction('conversation:assign', { administratorId: null });
    }

    async resolve(): Promise<void> {
        await this.conversationAction('conversation:resolve', {});
    }

    async reopen(): Promise<void> {
        await this.conversationAction('conversation:reopen', {});
    }

    async loadOlder(): Promise<void> {
        const first = this.messages[0];
        if (!this.selectedId || !first) {
            return;
        }
        const result = await firstValueFrom(
            this.dataService
                .query<{ supportMessages: { items: ChatMessage[]; hasMore: boolean } }>(
                    gql`
                        query SupportChatOlderMessages($conversationId: ID!, $page: SupportMessagePage) {
                            supportMessages(conversationId: $conversationId, page: $page) {
                                items {
                                    id
                                    conversationId
                                    seq
                                    senderType
                                    senderId
                                    clientMessageId
                                    body
                                    createdAt
                                }
                                hasMore
                            }
                        }
                    `,
                    { conversationId: this.selectedId, page: { beforeSeq: first.seq, take: 50 } },
                    'no-cache',
                )
                .mapSingle(data => data.supportMessages),
        );
        this.addMessages(result.items);
        this.hasOlder = result.hasMore;
        this.cdr.markForCheck();
    }

    private connect(): void {
        const token = this.localStorage.get('authToken') as string | null;
        this.socket = new StaffChatSocket(getServerLocation(), token ?? null, this.presence, {
            connectionChanged: (state, error) =>
                this.inZone(() => {
                    this.connection = state;
                    this.connectionError = error ?? '';
                    if (state === 'connected') {
                        void this.refreshQueue().then(() => this.syncSelected());
                    }
                }),
            messageNew: ({ conversationId, message, conversation }) =>
                this.inZone(() => {
                    this.upsert(conversation);
                    if (conversationId === this.selectedId) {
                        this.addMessages([message]);
                        if (message.senderType !== 'staff') {
                            this.shopperTyping = false;
                            this.markRead();
                        }
                    }
                }),
            conversationUpdated: ({ conversation }) => this.inZone(() => this.upsert(conversation)),
            conversationRead: ({ conversationId, side, seq }) =>
                this.inZone(() => {
                    const c = this.conversations.find(x => x.id === conversationId);
                    if (c && side === 'shopper') {
                        this.upsert({ ...c, lastReadSeqShopper: Math.max(c.lastReadSeqShopper, seq) });
                    }
                }),
            typing: ({ conversationId, typing, side }) =>
                this.inZone(() => {
                    if (conversationId === this.selectedId && side === 'shopper') {
                        this.shopperTyping = typing;
                        clearTimeout(this.typingTimer);
                        // A shopper who closes the tab never sends typing:false.
                        this.typingTimer = setTimeout(
                            () => this.inZone(() => (this.shopperTyping = false)),
                            6_000,
                        );
                    }
                }),
        });
    }

    private async refreshQueue(): Promise<void> {
        const ack = await this.request<{ conversations: ChatConversation[] }>('conversation:list', {});
        if (!ack) {
            return;
        }
        this.conversations = ack.conversations;
        this.cdr.markForCheck();
        await this.loadPeople({ status: 'open', take: 100 });
    }

    private async loadResolved(): Promise<void> {
        this.resolved = await this.loadPeople({ status: 'resolved', take: 50 });
        this.cdr.markForCheck();
    }

    /** Names, phones and assignees for the queue, from the Admin API (the socket payloads carry ids only). */
    private async loadPeople(filter: Record<string, unknown>): Promise<ChatConversation[]> {
        type Row = ChatConversation & { customer: PersonSummary | null; assignee: PersonSummary | null };
        const rows = await firstValueFrom(
            this.dataService
                .query<{ supportConversations: { items: Row[] } }>(
                    CONVERSATION_PEOPLE,
                    { filter },
                    'no-cache',
                )
                .mapSingle(data => data.supportConversations.items),
        );
        for (const row of rows) {
            if (row.customer) {
                this.customers.set(row.customer.id, row.customer);
            }
            if (row.assignee) {
                this.staff.set(row.assignee.id, row.assignee);
            }
        }
        this.cdr.markForCheck();
        return rows.map(({ customer: _c, assignee: _a, ...conversation }) => conversation);
    }

    private async loadScreenData(): Promise<void> {
        const data = await firstValueFrom(
            this.dataService
                .query<{ activeAdministrator: PersonSummary | null; supportCannedReplies: CannedReply[] }>(
                    SCREEN_DATA,
                    {},
                    'no-cache',
                )
                .mapSingle(d => d),
        );
        this.me = data.activeAdministrator;
        this.cannedReplies = data.supportCannedReplies;
        this.cdr.markForCheck();
    }

    /** Fetches what follows the newest message on screen (all of it on first open), page by page. */
    private async syncSelected(): Promise<void> {
        const conversationId = this.selectedId;
        if (!conversationId || this.connection !== 'connected') {
            return;
        }
        for (;;) {
            const afterSeq = this.messages.length ? this.messages[this.messages.length - 1].seq : 0;
            const ack = await this.request<{
                conversation: ChatConversation;
                messages: ChatMessage[];
                hasMore: boolean;
            }>('conversation:sync', { conversationId, afterSeq });
            if (!ack || conversationId !== this.selectedId) {
                return;
            }
            this.upsert(ack.conversation);
            this.addMessages(ack.messages);
            if (!ack.hasMore) {
                break;
            }
        }
        this.hasOlder = (this.messages[0]?.seq ?? 1) > 1;
        this.cdr.markForCheck();
    }

    private async deliver(conversationId: string, pending: PendingMessage): Promise<void> {
        const ack = await this.socket?.request<{ message: ChatMessage; conversation: ChatConversation }>(
            'message:send',
            { conversationId, clientMessageId: pending.clientMessageId, body: pending.body },
        );
        this.inZone(() => {
            if (ack?.ok) {
                this.pending = this.pending.filter(p => p !== pending);
                if (conversationId === this.selectedId) {
                    this.addMessages([ack.data.message]);
                }
                this.upsert(ack.data.conversation);
            } else {
                // Kept on screen with a retry button; the same clientMessageId makes the retry idempotent.
                pending.failed = ack ? ack.error.code : 'NOT_CONNECTED';
                this.pending = [...this.pending];
            }
        });
    }

    private async conversationAction(event: string, extra: Record<string, unknown>): Promise<void> {
        if (!this.selectedId) {
            return;
        }
        const ack = await this.request<{ conversation: ChatConversation }>(event, {
            conversationId: this.selectedId,
            ...extra,
        });
        if (ack) {
            this.upsert(ack.conversation);
            if (ack.conversation.assigneeId && !this.staff.has(ack.conversation.assigneeId)) {
                await this.loadPeople({ status: ack.conversation.status, take: 100 });
            }
        }
    }

    private markRead(): void {
        const c = this.selected;
        const last = this.messages[this.messages.length - 1];
        if (c && last && (c.unreadByStaff > 0 || c.lastReadSeqStaff < last.seq)) {
            void this.request('read', { conversationId: c.id, seq: last.seq });
        }
    }

    private addMessages(incoming: ChatMessage[]): void {
        const bySeq = new Map(this.messages.map(m => [m.seq, m]));
        for (const m of incoming) {
            bySeq.set(m.seq, m);
        }
        this.messages = [...bySeq.values()].sort((a, b) => a.seq - b.seq);
        const delivered = new Set(incoming.map(m => m.clientMessageId));
        this.pending = this.pending.filter(p => !delivered.has(p.clientMessageId));
        this.cdr.markForCheck();
    }

    private upsert(conversation: ChatConversation): void {
        const known = this.conversations.some(c => c.id === conversation.id);
        this.conversations = known
            ? this.conversations.map(c => (c.id === conversation.id ? conversation : c))
            : [conversation, ...this.conversations];
        this.resolved = this.resolved.map(c => (c.id === conversation.id ? conversation : c));
        const customerId = conversation.customerId;
        if (customerId && !this.customers.has(customerId) && !this.askedCustomers.has(customerId)) {
            this.askedCustomers.add(customerId);
            void this.loadPeople({ status: conversation.status, take: 100 });
        }
        this.cdr.markForCheck();
    }

    private async request<T>(event: string, payload: Record<string, unknown>): Promise<T | undefined> {
        const ack: StaffAck<T> | undefined = await this.socket?.request<T>(event, payload);
        if (!ack?.ok) {
            this.inZone(() =>
                this.notifications.error('support-chat.error', {
                    code: ack ? ack.error.code : 'NOT_CONNECTED',
                }),
            );
            return undefined;
        }
        return ack.data;
    }

    private inZone(fn: () => void): void {
        this.zone.run(() => {
            fn();
            this.cdr.markForCheck();
        });
    }
}
