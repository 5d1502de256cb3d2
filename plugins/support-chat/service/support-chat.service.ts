import crypto from 'node:crypto';

import { Inject, Injectable, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { ID } from '@vendure/common/lib/shared-types';
import {
    Administrator,
    AdministratorService,
    Customer,
    CustomerService,
    EventBus,
    Injector,
    JobQueue,
    JobQueueService,
    Logger,
    LoginEvent,
    Permission,
    RequestContext,
    RequestContextService,
    SessionService,
    TransactionalConnection,
    VendureEvent,
} from '@vendure/core';
import Redis from 'ioredis';
import { types as pgTypes } from 'pg';
import { In, IsNull, LessThan, MoreThan, Not } from 'typeorm';
import { ModuleRef } from '@nestjs/core';

import { hasNulCharacter, isEntityId } from '../../../src/db/entity-id';
import {
    loggerCtx,
    manageSupportChatPermission,
    PLUGIN_INIT_OPTIONS,
    shopperRoom,
    STAFF_ROOM,
    UNREAD_NOTIFY_QUEUE,
} from '../constants';
import { SupportCannedReply } from '../entities/support-canned-reply.entity';
import { SupportConversation } from '../entities/support-conversation.entity';
import { SupportMessage } from '../entities/support-message.entity';
import type { ConversationPayload, MessageNewEvent, MessagePayload } from '../ui/protocol';
import {
    ChatErrorCode,
    ChatParty,
    ConversationStatus,
    ResolvedSupportChatOptions,
    ShopperParty,
    StaffParty,
    UnreadReplyNotice,
    UnreadReplyNotifier,
} from '../types';

import { ChatHub } from './chat-hub';
import { WindowRateLimiter } from './rate-limiter';

/** An expected refusal: becomes an error acknowledgement or a GraphQL error result. */
export class ChatError extends Error {
    constructor(
        readonly code: ChatErrorCode,
        message: string,
    ) {
        super(message);
    }
}

/** Published on the worker when a staff reply stayed unread; EmailPlugin handlers can send it as an email. */
export class SupportChatUnreadReplyEvent extends VendureEvent {
    constructor(
        public ctx: RequestContext,
        public notice: UnreadReplyNotice,
    ) {
        super();
    }
}

export interface SendInput {
    conversationId?: ID;
    clientMessageId?: string;
    body: unknown;
}

export interface SendResult {
    message: SupportMessage;
    conversation: SupportConversation;
    duplicate: boolean;
}

export interface ConversationFilter {
    status?: ConversationStatus;
    assigneeId?: ID;
    unassigned?: boolean;
    unread?: boolean;
    skip?: number;
    take?: number;
}

const CLIENT_MESSAGE_ID = /^[A-Za-z0-9_.:-]{1,64}$/;

/** Whether these permissions (of a channel or a role) let an administrator answer in the chat. */
function allowsStaffChat(permissions: string[]): boolean {
    return (
        permissions.includes(manageSupportChatPermission.Permission) ||
        permissions.includes(Permission.SuperAdmin)
    );
}

export function guestKeyOf(sessionToken: string): string {
    return crypto.createHash('sha256').update(sessionToken).digest('hex');
}

export function partyKeyOfConversation(c: SupportConversation): string {
    return c.customerId != null ? `c:${String(c.customerId)}` : `g:${c.guestKey ?? ''}`;
}

/** The chat's logic, shared by the socket gateway and the GraphQL resolvers. */
@Injectable()
export class SupportChatService implements OnApplicationBootstrap, OnModuleDestroy {
    private redis?: Redis;
    private limiter = new WindowRateLimiter();
    private notifyQueue?: JobQueue<{ conversationId: string; lastStaffSeq: number }>;
    private notifier!: UnreadReplyNotifier;

    constructor(
        @Inject(PLUGIN_INIT_OPTIONS) readonly options: ResolvedSupportChatOptions,
        private readonly connection: TransactionalConnection,
        private readonly sessionService: SessionService,
        private readonly customerService: CustomerService,
        private readonly administratorService: AdministratorService,
        private readonly requestContextService: RequestContextService,
        private readonly jobQueueService: JobQueueService,
        private readonly eventBus: EventBus,
        private readonly hub: ChatHub,
        private readonly moduleRef: ModuleRef,
    ) {}

    async onApplicationBootstrap(): Promise<void> {
        if (this.options.redis) {
            this.redis = new Redis(this.options.redis.url, { maxRetriesPerRequest: 2, lazyConnect: false });
            this.redis.on('error', err => Logger.warn(`Redis (rate limits): ${err.message}`, loggerCtx));
            this.limiter = new WindowRateLimiter(this.redis, this.options.redis.keyPrefix);
        }
        this.notifier = this.options.notifier ?? {
            notify: async notice => {
                const ctx = await this.ctx();
                await this.eventBus.publish(new SupportChatUnreadReplyEvent(ctx, notice));
                Logger.info(
                    `Unread reply notice for conversation ${String(notice.conversationId)} (customer ${String(notice.customerId)}, ${notice.unreadCount} unread)`,
                    loggerCtx,
                );
            },
        };
        await this.notifier.init?.(new Injector(this.moduleRef));
        this.notifyQueue = await this.jobQueueService.createQueue({
            name: UNREAD_NOTIFY_QUEUE,
            process: async job => this.processUnreadNotice(job.data.conversationId, job.data.lastStaffSeq),
        });
        // A guest's conversations follow them when they log in: the login request still carries the
        // anonymous session whose token hash the conversations were filed under.
        this.eventBus.ofType(LoginEvent).subscribe(event => {
            const token = event.ctx.session?.token;
            if (token && !event.ctx.session?.user) {
                this.claimGuestConversations(guestKeyOf(token), event.user.id).catch(err =>
                    Logger.error(`Could not move guest conversations: ${String(err)}`, loggerCtx),
                );
            }
        });
    }

    async onModuleDestroy(): Promise<void> {
        await this.redis?.quit().catch(() => this.redis?.disconnect());
    }

    /** The hot paths use PostgreSQL's RETURNING and data-modifying CTEs; SQLite takes the generic route. */
    private get isPostgres(): boolean {
        return this.connection.rawConnection.options.type === 'postgres';
    }

    ctx(): Promise<RequestContext> {
        return this.requestContextService.create({ apiType: 'admin' });
    }

    // ---- identities -------------------------------------------------------------------------------------

    /** Who a session token belongs to; undefined when it is missing, expired, invalid or not allowed to chat. */
    async partyFromToken(token: string): Promise<ChatParty | undefined> {
        const session = await this.sessionService.getSessionFromToken(token);
        if (!session || new Date(session.expires).getTime() < Date.now()) {
            return undefined;
        }
        if (!session.user) {
            const guestKey = guestKeyOf(token);
            return { kind: 'guest', guestKey, key: `g:${guestKey}` };
        }
        const ctx = await this.ctx();
        const userId = session.user.id;
        const administrator = await this.administratorService.findOneByUserId(ctx, userId);
        if (administrator) {
            const allowed = session.user.channelPermissions.some(cp => allowsStaffChat(cp.permissions));
            if (!allowed) {
                return undefined;
            }
            return staffParty(administrator, userId);
        }
        const customer = await this.customerService.findOneByUserId(ctx, userId);
        if (!customer) {
            return undefined;
        }
        return { kind: 'customer', customerId: customer.id, userId, key: `c:${String(customer.id)}` };
    }

    /**
     * Whether a connected staff socket may stay: its session still exists, and its administrator is not deleted
     * and still holds ManageSupportChat (or SuperAdmin) in some channel, read from the database rather than
     * from the session cache, which keeps a session's permissions for minutes after a role changes.
     */
    async staffSocketStillAllowed(token: string, administratorId: ID): Promise<boolean> {
        const session = await this.sessionService.getSessionFromToken(token);
        if (!session?.user || new Date(session.expires).getTime() < Date.now()) {
            return false;
        }
        const administrator = await this.connection.rawConnection
            .getRepository(Administrator)
            .createQueryBuilder('administrator')
            .innerJoinAndSelect('administrator.user', 'user', 'user.deletedAt IS NULL')
            .leftJoinAndSelect('user.roles', 'role')
            .where('administrator.id = :administratorId', { administratorId })
            .andWhere('administrator.deletedAt IS NULL')
            .getOne();
        return (
            !!administrator &&
            String(administrator.user.id) === String(session.user.id) &&
            administrator.user.roles.some(role => allowsStaffChat(role.permissions))
        );
    }

    /** The shopper behind a Shop API request (a customer, or a guest with an anonymous session). */
    async shopperFromCtx(ctx: RequestContext): Promise<ShopperParty> {
        if (ctx.activeUserId) {
            const customer = await this.customerService.findOneByUserId(ctx, ctx.activeUserId);
            if (customer) {
                return {
                    kind: 'customer',
                    customerId: customer.id,
                    userId: ctx.activeUserId,
                    key: `c:${String(customer.id)}`,
                };
            }
        }
        const token = ctx.session?.token;
        if (!token) {
            throw new ChatError('FORBIDDEN', 'A session is needed to chat');
        }
        const guestKey = guestKeyOf(token);
        return { kind: 'guest', guestKey, key: `g:${guestKey}` };
    }

    async staffFromCtx(ctx: RequestContext): Promise<StaffParty> {
        const userId = ctx.activeUserId;
        const administrator = userId
            ? await this.administratorService.findOneByUserId(ctx, userId)
            : undefined;
        if (!administrator || !userId) {
            throw new ChatError('FORBIDDEN', 'Only administrators answer in the support chat');
        }
        return staffParty(administrator, userId);
    }

    private async claimGuestConversations(guestKey: string, userId: ID): Promise<void> {
        const ctx = await this.ctx();
        const customer = await this.customerService.findOneByUserId(ctx, userId);
        if (!customer) {
            return;
        }
        const repo = this.connection.getRepository(ctx, SupportConversation);
        const moved = await repo.find({ where: { guestKey, customerId: IsNull() } });
        if (!moved.length) {
            return;
        }
        await repo.update({ id: In(moved.map(c => c.id)) }, { customerId: customer.id });
        Logger.info(
            `Moved guest conversations ${moved.map(c => String(c.id)).join(',')} to customer ${String(customer.id)}`,
            loggerCtx,
        );
        for (const c of moved) {
            c.customerId = customer.id;
            this.hub.emit([shopperRoom(`c:${String(customer.id)}`), STAFF_ROOM], 'conversation:updated', {
                conversation: toConversationPayload(c),
            });
        }
    }

    // ---- conversations ----------------------------------------------------------------------------------

    private ownerWhere(party: ShopperParty) {
        return party.kind === 'customer'
            ? { customerId: party.customerId }
            : { guestKey: party.guestKey, customerId: IsNull() };
    }

    async shopperConversations(party: ShopperParty): Promise<SupportConversation[]> {
        const ctx = await this.ctx();
        return this.connection
            .getRepository(ctx, SupportConversation)
            .find({ where: this.ownerWhere(party), order: { id: 'DESC' } });
    }

    /** A conversation the party may see: its own (shopper) or any (staff). NOT_FOUND otherwise, never a hint. */
    async conversationFor(party: ChatParty | 'staff', conversationId: unknown): Promise<SupportConversation> {
        const id = validConversationId(conversationId);
        const ctx = await this.ctx();
        const where =
            party === 'staff' || party.kind === 'staff' ? { id } : { id, ...this.ownerWhere(party) };
        const conversation = await this.connection.getRepository(ctx, SupportConversation).findOne({ where });
        if (!conversation) {
            throw new ChatError('NOT_FOUND', 'No such conversation');
        }
        return conversation;
    }

    /** `knownOpen`: the caller has just read the shopper's conversations and counted the open ones. */
    async startConversation(party: ShopperParty, knownOpen?: number): Promise<SupportConversation> {
        const ctx = await this.ctx();
        const repo = this.connection.getRepository(ctx, SupportConversation);
        const open =
            knownOpen ?? (await repo.count({ where: { ...this.ownerWhere(party), status: 'open' } }));
        if (open >= this.options.maxOpenConversationsPerShopper) {
            throw new ChatError(
                'TOO_MANY_OPEN_CONVERSATIONS',
                `At most ${this.options.maxOpenConversationsPerShopper} open conversations`,
            );
        }
        const conversation = new SupportConversation({
            customerId: party.kind === 'customer' ? party.customerId : null,
            guestKey: party.kind === 'guest' ? party.guestKey : null,
            status: 'open',
            assigneeId: null,
            lastSeq: 0,
        });
        // One INSERT (it fills in the id and the generated columns); `save` would add a transaction around it.
        await repo.insert(conversation);
        Logger.verbose(`Conversation ${String(conversation.id)} started by ${party.kind}`, loggerCtx);
        this.hub.emit([shopperRoom(party.key), STAFF_ROOM], 'conversation:updated', {
            conversation: toConversationPayload(conversation),
        });
        return conversation;
    }

    async listConversations(
        filter: ConversationFilter,
    ): Promise<{ items: SupportConversation[]; totalItems: number }> {
        const ctx = await this.ctx();
        const qb = this.connection.getRepository(ctx, SupportConversation).createQueryBuilder('c');
        if (filter.status) {
            qb.andWhere('c.status = :status', { status: filter.status });
        }
        const page = validPage(filter);
        if (filter.assigneeId != null) {
            if (!isEntityId(filter.assigneeId)) {
                throw new ChatError('INVALID_PAYLOAD', 'assigneeId is not valid');
            }
            qb.andWhere('c.assigneeId = :assigneeId', { assigneeId: filter.assigneeId });
        }
        if (filter.unassigned) {
            qb.andWhere('c.assigneeId IS NULL');
        }
        if (filter.unread) {
            qb.andWhere('c.unreadByStaff > 0');
        }
        // Waiting shoppers first: unread by staff, then the longest waiting.
        qb.orderBy('CASE WHEN c.unreadByStaff > 0 THEN 0 ELSE 1 END', 'ASC')
            .addOrderBy('c.lastShopperMessageAt', 'ASC')
            .addOrderBy('c.id', 'ASC')
            .skip(page.skip)
            .take(page.take);
        const [items, totalItems] = await qb.getManyAndCount();
        return { items, totalItems };
    }

    /**
     * Admin API `supportChatWaiting` (the dashboard widget): open conversations whose shopper wrote after the
     * last staff reply (or got none yet), and since when the longest-waiting of them waits: its first message
     * after that reply.
     */
    async waiting(): Promise<{ count: number; oldestWaitingSince: Date | null }> {
        const ctx = await this.ctx();
        const unanswered = (qb: { andWhere(where: string): unknown }) => {
            qb.andWhere("c.status = 'open'");
            qb.andWhere('c.lastShopperMessageAt IS NOT NULL');
            qb.andWhere('(c.lastStaffMessageAt IS NULL OR c.lastShopperMessageAt > c.lastStaffMessageAt)');
        };
        const countQuery = this.connection.getRepository(ctx, SupportConversation).createQueryBuilder('c');
        unanswered(countQuery);
        const oldestQuery = this.connection
            .getRepository(ctx, SupportMessage)
            .createQueryBuilder('m')
            .innerJoin(SupportConversation, 'c', 'c.id = m.conversationId')
            .select('MIN(m.createdAt)', 'oldest')
            .where("m.senderType != 'staff'")
            .andWhere('m.seq > c.lastStaffSeq');
        unanswered(oldestQuery);
        const [count, oldest] = await Promise.all([
            countQuery.getCount(),
            oldestQuery.getRawOne<{ oldest: string | Date | null }>(),
        ]);
        return { count, oldestWaitingSince: oldest?.oldest ? parseDbDate(oldest.oldest) : null };
    }

    async history(
        conversation: SupportConversation,
        page: { afterSeq?: number; beforeSeq?: number; take?: number },
    ): Promise<{ items: SupportMessage[]; hasMore: boolean }> {
        const ctx = await this.ctx();
        const take = Math.max(1, Math.min(page.take ?? 50, 100));
        const where: Record<string, unknown> = { conversationId: conversation.id };
        let order: 'ASC' | 'DESC' = 'ASC';
        if (page.beforeSeq != null) {
            where.seq = LessThan(page.beforeSeq);
            order = 'DESC';
        } else {
            where.seq = MoreThan(page.afterSeq ?? 0);
        }
        const rows = await this.connection
            .getRepository(ctx, SupportMessage)
            .find({ where, order: { seq: order }, take: take + 1 });
        const hasMore = rows.length > take;
        const items = rows.slice(0, take);
        return { items: order === 'DESC' ? items.reverse() : items, hasMore };
    }

    // ---- messages ---------------------------------------------------------------------------------------

    /** Trims and checks a body: plain text, never rendered, at most `maxMessageLength` characters. */
    cleanBody(body: unknown): string {
        if (typeof body !== 'string') {
            throw new ChatError('INVALID_PAYLOAD', 'body must be a string');
        }
        const text = body.trim();
        if (hasNulCharacter(text)) {
            throw new ChatError('INVALID_PAYLOAD', 'body must not contain NUL characters');
        }
        if (!text) {
            throw new ChatError('MESSAGE_EMPTY', 'The message is empty');
        }
        if ([...text].length > this.options.maxMessageLength) {
            throw new ChatError('MESSAGE_TOO_LONG', `At most ${this.options.maxMessageLength} characters`);
        }
        return text;
    }

    async send(party: ChatParty, input: SendInput): Promise<SendResult> {
        const body = this.cleanBody(input.body);
        // Required: without the client's id a retry after a lost answer would store the message twice.
        const clientMessageId = input.clientMessageId;
        if (typeof clientMessageId !== 'string' || !CLIENT_MESSAGE_ID.test(clientMessageId)) {
            throw new ChatError('INVALID_PAYLOAD', 'clientMessageId is required: 1-64 of [A-Za-z0-9_.:-]');
        }
        let conversationId: string;
        if (input.conversationId != null) {
            conversationId = validConversationId(input.conversationId);
        } else if (party.kind === 'staff') {
            throw new ChatError('INVALID_PAYLOAD', 'conversationId is required');
        } else {
            const latest = (await this.shopperConversations(party))[0];
            conversationId = String((latest ?? (await this.startConversation(party, 0))).id);
        }
        // The hot path is two round trips: the shared rate counter, then one store that also checks ownership and
        // duplicates (bench:chat: every sequential await is a turn of a busy event loop). A re-send of a stored
        // message counts toward the limit, but is still answered from the log when the limit is reached.
        if (party.kind !== 'staff' && !(await this.limiter.hit(party.key, this.options.shopperRateLimit))) {
            const stored = await this.storedDuplicate(party, conversationId, clientMessageId);
            if (stored) {
                return stored;
            }
            throw new ChatError('RATE_LIMITED', 'Too many messages; wait a moment');
        }
        let result: SendResult | undefined;
        try {
            result = await this.store(party, conversationId, clientMessageId, body);
        } catch (err) {
            // Two concurrent re-sends: the unique (conversationId, clientMessageId) index let one in.
            const stored = await this.storedDuplicate(party, conversationId, clientMessageId).catch(
                () => undefined,
            );
            if (stored) {
                return stored;
            }
            throw err;
        }
        if (!result) {
            // Not stored: a re-send, or not the party's conversation (storedDuplicate answers NOT_FOUND then).
            const stored = await this.storedDuplicate(party, conversationId, clientMessageId);
            if (stored) {
                return stored;
            }
            throw new ChatError('NOT_FOUND', 'No such conversation');
        }
        Logger.verbose(
            `Message ${result.message.seq} in conversation ${conversationId} from ${party.kind}`,
            loggerCtx,
        );
        // One event per message, with the conversation's new counters: every emit is a write to every staff socket.
        const event: MessageNewEvent = {
            conversationId,
            message: toMessagePayload(result.message),
            conversation: toConversationPayload(result.conversation),
        };
        this.hub.emit(
            [shopperRoom(partyKeyOfConversation(result.conversation)), STAFF_ROOM],
            'message:new',
            event,
        );
        if (party.kind !== 'staff' && result.conversation.assigneeId == null) {
            await this.autoAssign(result.conversation.id);
        }
        return result;
    }

    /**
     * The message already stored with this client id, as the answer to a re-send; undefined when there is none.
     * NOT_FOUND when the conversation is not the party's (never a hint).
     */
    private async storedDuplicate(
        party: ChatParty,
        conversationId: string,
        clientMessageId: string,
    ): Promise<SendResult | undefined> {
        const conversation = await this.conversationFor(party, conversationId);
        const existing = await this.findByClientId(conversation.id, clientMessageId);
        return existing ? { message: existing, conversation, duplicate: true } : undefined;
    }

    private async findByClientId(
        conversationId: ID,
        clientMessageId: string,
    ): Promise<SupportMessage | null> {
        const ctx = await this.ctx();
        return this.connection
            .getRepository(ctx, SupportMessage)
            .findOne({ where: { conversationId, clientMessageId } });
    }

    /**
     * Stores a new message and updates the conversation's counters, in a conversation of `party`'s. Undefined
     * when nothing was stored: the conversation is not the party's, or the client id is already stored.
     */
    private async store(
        party: ChatParty,
        conversationId: string,
        clientMessageId: string,
        body: string,
    ): Promise<SendResult | undefined> {
        const ctx = await this.ctx();
        if (this.isPostgres) {
            return this.storeInOneStatement(ctx, party, conversationId, clientMessageId, body);
        }
        return this.connection.withTransaction(ctx, async tx => {
            const conversations = this.connection.getRepository(tx, SupportConversation);
            const messages = this.connection.getRepository(tx, SupportMessage);
            const where =
                party.kind === 'staff'
                    ? { id: conversationId }
                    : { id: conversationId, ...this.ownerWhere(party) };
            if (
                !(await conversations.exists({ where })) ||
                (await messages.exists({ where: { conversationId, clientMessageId } }))
            ) {
                return undefined;
            }
            const now = new Date();
            const isStaff = party.kind === 'staff';
            // The UPDATE takes the row lock, so concurrent senders get consecutive seqs.
            await conversations
                .createQueryBuilder()
                .update(SupportConversation)
                .set(
                    isStaff
                        ? {
                              lastSeq: () => '"lastSeq" + 1',
                              lastStaffSeq: () => '"lastSeq" + 1',
                              lastReadSeqStaff: () => '"lastSeq" + 1',
                              unreadByShopper: () => '"unreadByShopper" + 1',
                              unreadByStaff: 0,
                              lastMessageAt: now,
                              lastStaffMessageAt: now,
                          }
                        : {
                              lastSeq: () => '"lastSeq" + 1',
                              lastReadSeqShopper: () => '"lastSeq" + 1',
                              unreadByStaff: () => '"unreadByStaff" + 1',
                              unreadByShopper: 0,
                              status: 'open',
                              resolvedAt: null,
                              lastMessageAt: now,
                              lastShopperMessageAt: now,
                          },
                )
                .where('id = :id', { id: conversationId })
                .execute();
            const conversation = await conversations.findOneOrFail({ where: { id: conversationId } });
            const message = await messages.save(
                new SupportMessage({
                    conversationId,
                    seq: conversation.lastSeq,
                    senderType: party.kind,
                    senderId: senderIdOf(party),
                    clientMessageId,
                    body,
                }),
            );
            return { message, conversation, duplicate: false };
        });
    }

    /**
     * PostgreSQL: ownership and duplicate checks, the counter update and the insert as one statement
     * (data-modifying CTEs are atomic), instead of two look-ups and BEGIN, UPDATE, SELECT, INSERT, COMMIT. Every
     * statement is a loopback round trip that waits a turn of the event loop on a busy host (bench:chat), and this
     * is the hot path of the chat. Same effects as the generic path.
     */
    private async storeInOneStatement(
        ctx: RequestContext,
        party: ChatParty,
        conversationId: string,
        clientMessageId: string,
        body: string,
    ): Promise<SendResult | undefined> {
        const isStaff = party.kind === 'staff';
        const counters = isStaff
            ? `"lastStaffSeq" = "lastSeq" + 1, "lastReadSeqStaff" = "lastSeq" + 1,
               "unreadByShopper" = "unreadByShopper" + 1, "unreadByStaff" = 0, "lastStaffMessageAt" = $2`
            : `"lastReadSeqShopper" = "lastSeq" + 1, "unreadByStaff" = "unreadByStaff" + 1, "unreadByShopper" = 0,
               "status" = 'open', "resolvedAt" = NULL, "lastShopperMessageAt" = $2`;
        const params: unknown[] = [
            conversationId,
            new Date(),
            party.kind,
            senderIdOf(party),
            clientMessageId,
            body,
        ];
        const owner =
            party.kind === 'staff'
                ? 'TRUE'
                : party.kind === 'customer'
                  ? `"customerId" = $${params.push(party.customerId)}`
                  : `"guestKey" = $${params.push(party.guestKey)} AND "customerId" IS NULL`;
        const rows: Array<{ conversation: Record<string, unknown>; message: Record<string, unknown> }> =
            await this.connection.getRepository(ctx, SupportConversation).query(
                `WITH c AS (
                    UPDATE "support_conversation"
                    SET "lastSeq" = "lastSeq" + 1, "lastMessageAt" = $2, "updatedAt" = now(), ${counters}
                    WHERE "id" = $1 AND ${owner} AND NOT EXISTS (
                        SELECT 1 FROM "support_message" WHERE "conversationId" = $1 AND "clientMessageId" = $5
                    )
                    RETURNING *
                ), m AS (
                    INSERT INTO "support_message"
                        ("conversationId", "seq", "senderType", "senderId", "clientMessageId", "body")
                    SELECT c."id", c."lastSeq", $3, $4, $5, $6 FROM c
                    RETURNING *
                )
                SELECT row_to_json(c) AS conversation, row_to_json(m) AS message FROM c, m`,
                params,
            );
        if (!rows.length) {
            return undefined;
        }
        return {
            conversation: new SupportConversation(withDates(rows[0].conversation)),
            message: new SupportMessage(withDates(rows[0].message)),
            duplicate: false,
        };
    }

    /** Marks messages of the other side up to `seq` as read by `party`'s side. */
    async markRead(party: ChatParty, conversationId: unknown, seq: unknown): Promise<SupportConversation> {
        if (typeof seq !== 'number' || !Number.isInteger(seq) || seq < 0) {
            throw new ChatError('INVALID_PAYLOAD', 'seq must be a non-negative integer');
        }
        const conversation = await this.conversationFor(party, conversationId);
        const ctx = await this.ctx();
        const isStaff = party.kind === 'staff';
        const upTo = Math.min(seq, conversation.lastSeq);
        const lastRead = isStaff ? conversation.lastReadSeqStaff : conversation.lastReadSeqShopper;
        if (upTo <= lastRead) {
            return conversation;
        }
        const messages = this.connection.getRepository(ctx, SupportMessage);
        const unread = await messages.count({
            where: {
                conversationId: conversation.id,
                seq: MoreThan(upTo),
                senderType: isStaff ? Not('staff') : 'staff',
            },
        });
        const patch = isStaff
            ? { lastReadSeqStaff: upTo, unreadByStaff: unread }
            : { lastReadSeqShopper: upTo, unreadByShopper: unread };
        await this.connection.getRepository(ctx, SupportConversation).update({ id: conversation.id }, patch);
        Object.assign(conversation, patch);
        this.hub.emit([shopperRoom(partyKeyOfConversation(conversation)), STAFF_ROOM], 'conversation:read', {
            conversationId: String(conversation.id),
            side: isStaff ? 'staff' : 'shopper',
            seq: upTo,
        });
        this.emitUpdated(conversation);
        return conversation;
    }

    async assign(conversationId: unknown, administratorId: ID | null): Promise<SupportConversation> {
        const staffLookup = await this.ctx();
        if (administratorId != null) {
            if (!isEntityId(administratorId)) {
                throw new ChatError('INVALID_PAYLOAD', 'administratorId is not valid');
            }
            const admin = await this.connection
                .getRepository(staffLookup, Administrator)
                .findOne({ where: { id: administratorId, deletedAt: IsNull() } });
            if (!admin) {
                throw new ChatError('NOT_FOUND', 'No such administrator');
            }
        }
        const conversation = await this.conversationFor('staff', conversationId);
        const patch = {
            assigneeId: administratorId,
            assignedAt: administratorId != null ? new Date() : null,
        };
        await this.connection
            .getRepository(staffLookup, SupportConversation)
            .update({ id: conversation.id }, patch);
        Object.assign(conversation, patch);
        Logger.info(
            `Conversation ${String(conversation.id)} assigned to ${administratorId == null ? 'nobody' : String(administratorId)}`,
            loggerCtx,
        );
        this.emitUpdated(conversation);
        return conversation;
    }

    async setStatus(conversationId: unknown, status: ConversationStatus): Promise<SupportConversation> {
        const ctx = await this.ctx();
        const conversation = await this.conversationFor('staff', conversationId);
        const patch = { status, resolvedAt: status === 'resolved' ? new Date() : null };
        await this.connection.getRepository(ctx, SupportConversation).update({ id: conversation.id }, patch);
        Object.assign(conversation, patch);
        Logger.info(`Conversation ${String(conversation.id)} is ${status}`, loggerCtx);
        this.emitUpdated(conversation);
        return conversation;
    }

    emitUpdated(conversation: SupportConversation): void {
        this.hub.emit(
            [shopperRoom(partyKeyOfConversation(conversation)), STAFF_ROOM],
            'conversation:updated',
            { conversation: toConversationPayload(conversation) },
        );
    }

    /**
     * Round-robin over online staff: the one whose latest assignment is oldest (never assigned first) gets the
     * conversation. The conditional UPDATE keeps two instances from assigning the same one twice.
     */
    async autoAssign(conversationId: ID): Promise<SupportConversation | undefined> {
        const online = await this.hub.onlineStaffIds();
        if (!online.length) {
            return undefined;
        }
        const ctx = await this.ctx();
        const repo = this.connection.getRepository(ctx, SupportConversation);
        // Each administrator's latest assignment through the (assigneeId, assignedAt) index: a few index look-ups
        // however many conversations there are.
        const lastOf = new Map(
            await Promise.all(
                online.map(async id => {
                    const latest = await repo.findOne({
                        select: { id: true, assignedAt: true },
                        where: { assigneeId: id, assignedAt: Not(IsNull()) },
                        order: { assignedAt: 'DESC' },
                    });
                    return [String(id), latest?.assignedAt?.getTime() ?? 0] as const;
                }),
            ),
        );
        const chosen = [...online].sort(
            (a, b) => (lastOf.get(String(a)) ?? 0) - (lastOf.get(String(b)) ?? 0),
        )[0];
        const update = repo
            .createQueryBuilder()
            .update(SupportConversation)
            .set({ assigneeId: chosen, assignedAt: new Date() })
            .where('id = :id AND "assigneeId" IS NULL', { id: conversationId });
        // PostgreSQL answers with the updated row (one round trip less); SQLite through TypeORM cannot.
        const result = await (this.isPostgres ? update.returning('*') : update).execute();
        if (!result.affected) {
            return undefined;
        }
        const conversation = this.isPostgres
            ? new SupportConversation((result.raw as Array<Partial<SupportConversation>>)[0])
            : await repo.findOneOrFail({ where: { id: conversationId } });
        Logger.info(
            `Conversation ${String(conversationId)} auto-assigned to administrator ${String(chosen)}`,
            loggerCtx,
        );
        this.emitUpdated(conversation);
        return conversation;
    }

    /** When staff come online: conversations left while nobody was there are handed out, oldest first. */
    async assignWaiting(): Promise<void> {
        const ctx = await this.ctx();
        const waiting = await this.connection.getRepository(ctx, SupportConversation).find({
            where: { status: 'open', assigneeId: IsNull(), unreadByStaff: MoreThan(0) },
            order: { lastShopperMessageAt: 'ASC' },
            take: 50,
        });
        for (const c of waiting) {
            await this.autoAssign(c.id);
        }
    }

    // ---- canned replies ---------------------------------------------------------------------------------

    async cannedReplies(): Promise<SupportCannedReply[]> {
        const ctx = await this.ctx();
        return this.connection.getRepository(ctx, SupportCannedReply).find({ order: { shortcut: 'ASC' } });
    }

    async saveCannedReply(input: {
        id?: ID;
        shortcut?: string;
        title?: string;
        body?: string;
    }): Promise<SupportCannedReply> {
        const ctx = await this.ctx();
        const repo = this.connection.getRepository(ctx, SupportCannedReply);
        if (input.id != null && !isEntityId(input.id)) {
            throw new ChatError('NOT_FOUND', 'No such canned reply');
        }
        const entity =
            input.id != null ? await repo.findOne({ where: { id: input.id } }) : new SupportCannedReply();
        if (!entity) {
            throw new ChatError('NOT_FOUND', 'No such canned reply');
        }
        if (input.shortcut !== undefined) {
            const shortcut = input.shortcut.trim();
            if (!/^[\p{L}\p{N}_/-]{1,40}$/u.test(shortcut)) {
                throw new ChatError('INVALID_PAYLOAD', 'shortcut: 1-40 letters, digits, _ / -');
            }
            const taken = await repo.findOne({ where: { shortcut } });
            if (taken && taken.id !== entity.id) {
                throw new ChatError(
                    'INVALID_PAYLOAD',
                    `shortcut ${shortcut} is taken by another canned reply`,
                );
            }
            entity.shortcut = shortcut;
        }
        if (input.title !== undefined) {
            const title = input.title.trim();
            if ([...title].length > 120 || hasNulCharacter(title)) {
                throw new ChatError('INVALID_PAYLOAD', 'title: at most 120 characters of text');
            }
            entity.title = title;
        }
        if (input.body !== undefined) {
            entity.body = this.cleanBody(input.body);
        }
        if (!entity.shortcut || !entity.title || !entity.body) {
            throw new ChatError('INVALID_PAYLOAD', 'shortcut, title and body are required');
        }
        return repo.save(entity);
    }

    async deleteCannedReply(id: ID): Promise<boolean> {
        if (!isEntityId(id)) {
            return false;
        }
        const ctx = await this.ctx();
        const result = await this.connection.getRepository(ctx, SupportCannedReply).delete({ id });
        return !!result.affected;
    }

    // ---- unread-reply notices (worker) ------------------------------------------------------------------

    /**
     * Run by the scheduled task on the worker: one job per conversation whose newest staff reply is older
     * than `unreadNotifyAfterSeconds`, still unread by the shopper and not yet notified.
     */
    async enqueueDueNotices(now = Date.now()): Promise<number> {
        const ctx = await this.ctx();
        const due = await this.connection
            .getRepository(ctx, SupportConversation)
            .createQueryBuilder('c')
            .where('c.customerId IS NOT NULL')
            .andWhere('c.unreadByShopper > 0')
            .andWhere('c.lastStaffSeq > c.notifiedStaffSeq')
            .andWhere('c.lastReadSeqShopper < c.lastStaffSeq')
            .andWhere('c.lastStaffMessageAt <= :cutoff', {
                cutoff: new Date(now - this.options.unreadNotifyAfterSeconds * 1000),
            })
            .take(500)
            .getMany();
        for (const c of due) {
            await this.notifyQueue?.add(
                { conversationId: String(c.id), lastStaffSeq: c.lastStaffSeq },
                { retries: 3 },
            );
        }
        return due.length;
    }

    /** Idempotent: the conditional UPDATE claims the notice once, however often the job runs. */
    async processUnreadNotice(conversationId: string, lastStaffSeq: number): Promise<boolean> {
        const ctx = await this.ctx();
        const repo = this.connection.getRepository(ctx, SupportConversation);
        const conversation = await repo.findOne({ where: { id: conversationId } });
        if (
            !conversation?.customerId ||
            conversation.lastReadSeqShopper >= lastStaffSeq ||
            conversation.notifiedStaffSeq >= lastStaffSeq
        ) {
            return false;
        }
        const customer = await this.connection
            .getRepository(ctx, Customer)
            .findOne({ where: { id: conversation.customerId } });
        if (!customer?.emailAddress) {
            return false;
        }
        const claimed = await repo
            .createQueryBuilder()
            .update(SupportConversation)
            .set({ notifiedStaffSeq: lastStaffSeq })
            .where('id = :id AND "notifiedStaffSeq" < :seq', { id: conversationId, seq: lastStaffSeq })
            .execute();
        if (!claimed.affected) {
            return false;
        }
        await this.notifier.notify({
            conversationId: String(conversation.id),
            customerId: String(customer.id),
            emailAddress: customer.emailAddress,
            firstName: customer.firstName,
            unreadCount: conversation.unreadByShopper,
            lastStaffSeq,
        });
        return true;
    }
}

// The payload shapes live in the dependency-free protocol file the browser clients share.
export type { ConversationPayload, MessageNewEvent, MessagePayload } from '../ui/protocol';

export function toConversationPayload(c: SupportConversation): ConversationPayload {
    return {
        id: String(c.id),
        status: c.status,
        customerId: c.customerId != null ? String(c.customerId) : null,
        isGuest: c.customerId == null,
        assigneeId: c.assigneeId != null ? String(c.assigneeId) : null,
        lastSeq: c.lastSeq,
        unreadByStaff: c.unreadByStaff,
        unreadByShopper: c.unreadByShopper,
        lastReadSeqStaff: c.lastReadSeqStaff,
        lastReadSeqShopper: c.lastReadSeqShopper,
        lastMessageAt: c.lastMessageAt ? new Date(c.lastMessageAt).toISOString() : null,
        createdAt: new Date(c.createdAt).toISOString(),
    };
}

export function toMessagePayload(m: SupportMessage): MessagePayload {
    return {
        id: String(m.id),
        conversationId: String(m.conversationId),
        seq: m.seq,
        senderType: m.senderType,
        senderId: m.senderId,
        clientMessageId: m.clientMessageId,
        body: m.body,
        createdAt: new Date(m.createdAt).toISOString(),
    };
}

/**
 * `row_to_json` gives PostgreSQL `timestamp` columns as ISO text (`2026-11-29T05:20:00.123456`); read them with
 * the `pg` driver's own parser for such columns (local time), so entities look the same as TypeORM's.
 */
function withDates(row: Record<string, unknown>): Record<string, unknown> {
    const parseTimestamp = pgTypes.getTypeParser(pgTypes.builtins.TIMESTAMP);
    return Object.fromEntries(
        Object.entries(row).map(([key, value]) => [
            key,
            typeof value === 'string' && key.endsWith('At') ? parseTimestamp(value.replace('T', ' ')) : value,
        ]),
    );
}

/** `skip` and `take` of a list: whole numbers, `take` 1-100 (default 50). */
function validPage(page: { skip?: number | null; take?: number | null }): { skip: number; take: number } {
    const skip = page.skip ?? 0;
    const take = page.take ?? 50;
    if (!Number.isInteger(skip) || skip < 0 || !Number.isInteger(take) || take < 1) {
        throw new ChatError('INVALID_PAYLOAD', 'skip must be 0 or more, take 1 or more');
    }
    return { skip, take: Math.min(take, 100) };
}

function validConversationId(value: unknown): string {
    if (typeof value !== 'string' && typeof value !== 'number') {
        throw new ChatError('INVALID_PAYLOAD', 'conversationId is required');
    }
    if (!isEntityId(value)) {
        throw new ChatError('INVALID_PAYLOAD', 'conversationId is not valid');
    }
    return String(value);
}

function senderIdOf(party: ChatParty): string | null {
    return party.kind === 'staff'
        ? String(party.administratorId)
        : party.kind === 'customer'
          ? String(party.customerId)
          : null;
}

function staffParty(administrator: Administrator, userId: ID): Extract<ChatParty, { kind: 'staff' }> {
    return {
        kind: 'staff',
        administratorId: administrator.id,
        userId,
        name: `${administrator.firstName} ${administrator.lastName}`.trim(),
        key: `a:${String(administrator.id)}`,
    };
}

/** A raw datetime from the database: a Date (PostgreSQL) or `YYYY-MM-DD HH:MM:SS.sss` in UTC (SQLite). */
function parseDbDate(value: string | Date): Date {
    return value instanceof Date ? value : new Date(`${value.replace(' ', 'T')}Z`);
}
