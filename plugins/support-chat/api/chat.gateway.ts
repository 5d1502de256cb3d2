import crypto from 'node:crypto';
import type http from 'node:http';

import { Inject, OnApplicationShutdown, OnModuleDestroy } from '@nestjs/common';
import {
    OnGatewayConnection,
    OnGatewayDisconnect,
    OnGatewayInit,
    WebSocketGateway,
} from '@nestjs/websockets';
import { createAdapter } from '@socket.io/redis-adapter';
import { ConfigService, EventBus, Logger, LogoutEvent } from '@vendure/core';
import Redis from 'ioredis';
import { Subscription } from 'rxjs';
import type { Namespace, Socket } from 'socket.io';

import {
    CHAT_NAMESPACE,
    loggerCtx,
    PLUGIN_INIT_OPTIONS,
    shopperRoom,
    STAFF_ROOM,
    userRoom,
} from '../constants';
import { onDrain } from '../../../src/http/graceful-shutdown';
import { isAllowedOrigin } from '../service/allowed-origin';
import { ChatHub, ChatSocketData } from '../service/chat-hub';
import {
    ChatError,
    SupportChatService,
    toConversationPayload,
    toMessagePayload,
} from '../service/support-chat.service';
import { ChatAck, ChatErrorCode, ChatParty, ResolvedSupportChatOptions, StaffPresence } from '../types';
import type { ServerShutdownEvent } from '../ui/protocol';

type Payload = Record<string, unknown> | undefined;

/**
 * The `/chat` socket.io namespace on the server's own port (see README for every event). Vendure's worker has
 * no HTTP server and Nest only starts gateways for an HTTP application, so this never runs on the worker.
 */
/** How long after Redis is back this instance's chat sockets are made to reconnect (see resyncAfterRedisReturns). */
const RESYNC_DELAY_MS = 1000;

@WebSocketGateway({
    namespace: CHAT_NAMESPACE,
    // A message is at most 2,000 characters; anything far larger is not a chat payload.
    maxHttpBufferSize: 64 * 1024,
})
export class ChatGateway
    implements OnGatewayInit, OnGatewayConnection, OnGatewayDisconnect, OnModuleDestroy, OnApplicationShutdown
{
    /** Who each socket is, and the session token it connected with (for the periodic staff checks). */
    private readonly connections = new WeakMap<Socket, { party: ChatParty; token: string }>();
    private recheckTimer?: NodeJS.Timeout;
    private logoutSubscription?: Subscription;
    /** One send at a time per socket, so a socket's messages are numbered in the order it sent them. */
    private readonly sendChains = new WeakMap<Socket, Promise<unknown>>();
    private redisClients: Redis[] = [];
    private closing = false;
    /** Set when the server starts draining (SIGTERM): new sockets are refused, the open ones are moved away. */
    private draining = false;
    /** Client events being handled now, and who waits for none to be. */
    private handling = 0;
    private idleWaiters: Array<() => void> = [];
    private removeDrainHook?: () => void;

    constructor(
        private readonly service: SupportChatService,
        private readonly hub: ChatHub,
        private readonly configService: ConfigService,
        private readonly eventBus: EventBus,
        @Inject(PLUGIN_INIT_OPTIONS) private readonly options: ResolvedSupportChatOptions,
    ) {}

    afterInit(namespace: Namespace): void {
        this.hub.attach(namespace);
        if (this.options.redis) {
            // Every instance publishes its broadcasts on Redis and relays the others' to its own sockets.
            const pub = new Redis(this.options.redis.url);
            const sub = pub.duplicate();
            for (const c of [pub, sub]) {
                c.on('error', err => Logger.warn(`Redis (socket adapter): ${err.message}`, loggerCtx));
            }
            this.redisClients = [pub, sub];
            this.resyncAfterRedisReturns(namespace, sub);
            namespace.server.adapter(
                createAdapter(pub, sub, { key: `${this.options.redis.keyPrefix}socket.io` }),
            );
        }
        const httpServer = (namespace.server as { httpServer?: http.Server }).httpServer;
        if (httpServer) {
            this.removeDrainHook = onDrain(httpServer, () => this.moveSocketsAway(namespace));
        }
        // Refused at connect: the client gets `connect_error` with the message, no socket is created.
        namespace.use((socket, next) => {
            if (this.draining) {
                next(new Error('SERVER_SHUTTING_DOWN'));
                return;
            }
            this.authenticate(socket).then(
                found => {
                    if (typeof found === 'string') {
                        next(new Error(found));
                        return;
                    }
                    this.connections.set(socket, found);
                    next();
                },
                err => {
                    Logger.error(`Socket authentication failed: ${String(err)}`, loggerCtx);
                    next(new Error('UNAUTHORIZED'));
                },
            );
        });
        // A logout ends every session of the user (Vendure deletes them all): close their sockets on every instance.
        this.logoutSubscription = this.eventBus.ofType(LogoutEvent).subscribe(event => {
            if (event.ctx.activeUserId) {
                this.hub.endSockets(userRoom(event.ctx.activeUserId), 'LOGGED_OUT');
            }
        });
        // Staff sockets see every conversation: re-check them, so a deleted administrator or a revoked
        // permission does not keep an open socket.
        this.recheckTimer = setInterval(
            () => void this.recheckStaffSockets(namespace),
            this.options.staffRecheckSeconds * 1000,
        );
        this.recheckTimer.unref();
        Logger.info(`Support chat listening on namespace ${CHAT_NAMESPACE}`, loggerCtx);
    }

    private async recheckStaffSockets(namespace: Namespace): Promise<void> {
        for (const socket of namespace.sockets.values()) {
            const data = socket.data as ChatSocketData;
            const token = this.connections.get(socket)?.token;
            if (data.partyKind !== 'staff' || !data.administratorId || !token) {
                continue;
            }
            const allowed = await this.service
                .staffSocketStillAllowed(token, data.administratorId)
                .catch(err => {
                    Logger.warn(`Could not re-check staff socket ${socket.id}: ${String(err)}`, loggerCtx);
                    return true; // A database hiccup is no reason to cut staff off.
                });
            if (!allowed && socket.connected) {
                Logger.info(
                    `Staff ${data.administratorId}: session or permission gone, socket ${socket.id} closed`,
                    loggerCtx,
                );
                // Every socket is in a room named by its id.
                this.hub.endSockets(socket.id, 'NOT_ALLOWED');
            }
        }
    }

    /**
     * The server is draining: tell this instance's sockets (not the other instances') to reconnect elsewhere, let
     * the events they already sent be answered, then close them. A chat message sent meanwhile is stored and
     * acknowledged here; one that loses the race is sent again by the client after reconnecting (`clientMessageId`
     * makes that idempotent).
     */
    private async moveSocketsAway(namespace: Namespace): Promise<void> {
        this.draining = true;
        const event: ServerShutdownEvent = { reason: 'SHUTDOWN', reconnectAfterMs: 500 };
        const count = namespace.sockets.size;
        namespace.local.emit('server:shutdown', event);
        await this.idle();
        namespace.local.disconnectSockets(true);
        Logger.info(`Shutdown: ${count} socket(s) told to reconnect elsewhere and closed`, loggerCtx);
    }

    private idle(): Promise<void> {
        return this.handling === 0
            ? Promise.resolve()
            : new Promise(resolve => this.idleWaiters.push(resolve));
    }

    /** Nest calls this before it closes socket.io: the disconnects of shutdown need no presence lookups. */
    onModuleDestroy(): void {
        this.closing = true;
        this.removeDrainHook?.();
        clearInterval(this.recheckTimer);
        this.logoutSubscription?.unsubscribe();
    }

    /**
     * Broadcasts another instance published while this one's Redis subscription was down (a Redis restart) never
     * reach this instance's sockets, and those sockets stay connected, so their clients would not know to catch up.
     * Once the subscription is back, this instance closes its sockets' connections (not a server disconnect, so
     * socket.io clients reconnect by themselves) and every client syncs from its last seq, as it does after any
     * reconnect. Found by the fault suite (test/faults/redis-restart.fault-spec.ts).
     */
    private resyncAfterRedisReturns(namespace: Namespace, sub: Redis): void {
        let lost = false;
        sub.on('close', () => {
            lost = true;
        });
        sub.on('ready', () => {
            if (!lost || this.closing) {
                return;
            }
            lost = false;
            // Give ioredis the time to subscribe again before the clients come back and sync.
            setTimeout(() => {
                if (this.closing) {
                    return;
                }
                const sockets = [...namespace.sockets.values()];
                Logger.info(
                    `Redis is back: ${sockets.length} chat socket(s) reconnect to catch up on missed broadcasts`,
                    loggerCtx,
                );
                for (const socket of sockets) {
                    socket.conn.close();
                }
            }, RESYNC_DELAY_MS).unref();
        });
    }

    /** After Nest has closed socket.io (whose adapter unsubscribes on close), not before. */
    async onApplicationShutdown(): Promise<void> {
        await Promise.all(this.redisClients.map(c => c.quit().catch(() => c.disconnect())));
    }

    /**
     * A bearer token (`auth.token`) is the client's own choice, wherever the page is. A session cookie is sent by
     * the browser to any page that opens a socket here (cross-site WebSocket hijacking), so it counts only when
     * the handshake's `Origin` is allowed: the server's own or one of Vendure's CORS origins (`apiOptions.cors`).
     */
    private async authenticate(
        socket: Socket,
    ): Promise<{ party: ChatParty; token: string } | 'UNAUTHORIZED' | 'ORIGIN_NOT_ALLOWED'> {
        const auth = socket.handshake.auth as Record<string, unknown> | undefined;
        const bearer = typeof auth?.token === 'string' ? auth.token : undefined;
        const { headers } = socket.handshake;
        const cookieToken = bearer ? undefined : this.tokenFromCookie(headers.cookie);
        const token = bearer ?? cookieToken;
        if (!token || token.length > 200) {
            return 'UNAUTHORIZED';
        }
        if (
            cookieToken &&
            !(await isAllowedOrigin(this.configService.apiOptions.cors, headers.origin, headers.host))
        ) {
            Logger.info(
                `Socket with a session cookie from origin ${JSON.stringify(headers.origin?.slice(0, 200) ?? null)} refused`,
                loggerCtx,
            );
            return 'ORIGIN_NOT_ALLOWED';
        }
        const party = await this.service.partyFromToken(token);
        return party ? { party, token } : 'UNAUTHORIZED';
    }

    /** Reads Vendure's signed `cookie-session` cookie (`session` + `session.sig`, keygrip HMAC-SHA1). */
    private tokenFromCookie(header: string | undefined): string | undefined {
        const { cookieOptions, tokenMethod } = this.configService.authOptions;
        const methods = Array.isArray(tokenMethod) ? tokenMethod : [tokenMethod];
        if (!header || !methods.includes('cookie')) {
            return undefined;
        }
        const cookies = new Map<string, string>();
        for (const part of header.split(';')) {
            const i = part.indexOf('=');
            if (i > 0) {
                cookies.set(part.slice(0, i).trim(), decodeURIComponent(part.slice(i + 1).trim()));
            }
        }
        const configured = cookieOptions?.name ?? 'session';
        const names = typeof configured === 'string' ? [configured] : [configured.shop, configured.admin];
        const secrets = [cookieOptions?.secret].flat().filter((s): s is string => typeof s === 'string');
        for (const name of names) {
            const value = cookies.get(name);
            const sig = cookies.get(`${name}.sig`);
            if (!value || !sig) {
                continue;
            }
            const valid = secrets.some(secret => {
                const expected = crypto
                    .createHmac('sha1', secret)
                    .update(`${name}=${value}`)
                    .digest('base64')
                    .replace(/\/|\+|=/g, c => ({ '/': '_', '+': '-', '=': '' })[c] ?? '');
                return (
                    expected.length === sig.length &&
                    crypto.timingSafeEqual(Buffer.from(expected), Buffer.from(sig))
                );
            });
            if (!valid) {
                continue;
            }
            try {
                const data = JSON.parse(Buffer.from(value, 'base64').toString('utf8')) as { token?: unknown };
                if (typeof data.token === 'string') {
                    return data.token;
                }
            } catch {
                // A malformed cookie is no session.
            }
        }
        return undefined;
    }

    async handleConnection(socket: Socket): Promise<void> {
        const party = this.connections.get(socket)?.party;
        if (!party) {
            socket.disconnect(true);
            return;
        }
        socket.onAny((event: string, ...args: unknown[]) => this.dispatch(socket, event, args));
        const data = socket.data as ChatSocketData;
        data.partyKind = party.kind;
        data.partyKey = party.key;
        if (party.kind === 'staff') {
            const auth = socket.handshake.auth as Record<string, unknown> | undefined;
            data.administratorId = String(party.administratorId);
            data.presence = auth?.presence === 'away' ? 'away' : 'online';
            await socket.join([STAFF_ROOM, shopperRoom(party.key), userRoom(party.userId)]);
            Logger.verbose(`Staff ${data.administratorId} connected (${socket.id})`, loggerCtx);
            this.hub.emit(STAFF_ROOM, 'presence', {
                administratorId: data.administratorId,
                status: data.presence,
            });
            if (data.presence === 'online') {
                await this.service.assignWaiting().catch(err => this.logUnexpected('assignWaiting', err));
            }
        } else {
            await socket.join(
                party.kind === 'customer'
                    ? [shopperRoom(party.key), userRoom(party.userId)]
                    : shopperRoom(party.key),
            );
            Logger.verbose(`Shopper ${party.kind} connected (${socket.id})`, loggerCtx);
        }
    }

    async handleDisconnect(socket: Socket): Promise<void> {
        const data = socket.data as ChatSocketData;
        if (data.partyKind === 'staff' && data.administratorId && !this.closing) {
            const online = await this.hub.onlineStaffIds().catch(() => []);
            if (!online.map(String).includes(data.administratorId)) {
                this.hub.emit(STAFF_ROOM, 'presence', {
                    administratorId: data.administratorId,
                    status: 'offline',
                });
            }
        }
    }

    // ---- events -----------------------------------------------------------------------------------------

    /**
     * Client events and their handlers. They are dispatched by one `onAny` listener per socket rather than Nest's
     * `@SubscribeMessage`, which gives every socket an RxJS pipeline per event (ten here): bench:chat measured
     * 56 KB of heap per idle socket with them, and the major collections of that heap were the p99 tail.
     */
    private readonly events: Record<string, (socket: Socket, body: Payload) => Promise<unknown>> = {
        'conversation:list': socket => this.list(socket),
        'conversation:start': socket => this.start(socket),
        'conversation:sync': (socket, body) => this.sync(socket, body),
        'message:send': (socket, body) => this.send(socket, body),
        typing: (socket, body) => this.typing(socket, body),
        read: (socket, body) => this.read(socket, body),
        'presence:set': (socket, body) => this.presence(socket, body),
        'conversation:assign': (socket, body) => this.assign(socket, body),
        'conversation:resolve': (socket, body) => this.resolve(socket, body),
        'conversation:reopen': (socket, body) => this.reopen(socket, body),
    };

    /** `args` as socket.io gives them: the payload, then the acknowledgement callback if the client wants one. */
    private dispatch(socket: Socket, event: string, args: unknown[]): void {
        const ack =
            typeof args[args.length - 1] === 'function' ? (args.pop() as (r: unknown) => void) : undefined;
        const handler = Object.hasOwn(this.events, event) ? this.events[event] : undefined;
        if (!handler) {
            ack?.(fail('INVALID_PAYLOAD', 'Unknown event'));
            return;
        }
        const body = args[0];
        this.handling++;
        handler(socket, typeof body === 'object' && body !== null ? (body as Payload) : undefined)
            .then(
                result => ack?.(result),
                err => this.logUnexpected(`socket ${socket.id}, ${event}`, err),
            )
            .finally(() => {
                if (--this.handling === 0) {
                    this.idleWaiters.splice(0).forEach(resolve => resolve());
                }
            });
    }

    async list(socket: Socket) {
        return this.run(socket, async party => {
            if (party.kind === 'staff') {
                const { items } = await this.service.listConversations({ status: 'open', take: 100 });
                return { conversations: items.map(toConversationPayload) };
            }
            const items = await this.service.shopperConversations(party);
            return { conversations: items.map(toConversationPayload) };
        });
    }

    async start(socket: Socket) {
        return this.run(socket, async party => {
            if (party.kind === 'staff') {
                throw new ChatError('FORBIDDEN', 'Conversations are started by shoppers');
            }
            return { conversation: toConversationPayload(await this.service.startConversation(party)) };
        });
    }

    /** Catch-up after a reconnect: the messages after `afterSeq`, oldest first, 100 at most (`hasMore`). */
    async sync(socket: Socket, body: Payload) {
        return this.run(socket, async party => {
            this.checkEventRate(socket);
            const afterSeq = body?.afterSeq ?? 0;
            if (typeof afterSeq !== 'number' || !Number.isInteger(afterSeq) || afterSeq < 0) {
                throw new ChatError('INVALID_PAYLOAD', 'afterSeq must be a non-negative integer');
            }
            const conversation = await this.service.conversationFor(party, body?.conversationId);
            const page = await this.service.history(conversation, { afterSeq, take: 100 });
            return {
                conversation: toConversationPayload(conversation),
                messages: page.items.map(toMessagePayload),
                hasMore: page.hasMore,
            };
        });
    }

    async send(socket: Socket, body: Payload) {
        const started = performance.now();
        const previous = this.sendChains.get(socket) ?? Promise.resolve();
        const next = previous.then(() =>
            this.run(socket, async party => {
                // Only well-formed messages count toward the socket's limit.
                this.service.cleanBody(body?.body);
                this.checkSocketRate(socket);
                const result = await this.service.send(party, {
                    conversationId: body?.conversationId as string | undefined,
                    clientMessageId: body?.clientMessageId as string | undefined,
                    body: body?.body,
                });
                return {
                    message: toMessagePayload(result.message),
                    conversation: toConversationPayload(result.conversation),
                    duplicate: result.duplicate,
                };
            }),
        );
        void next.then(ack =>
            this.hub.messageHandled.emit({
                side: (socket.data as ChatSocketData).partyKind === 'staff' ? 'staff' : 'shopper',
                outcome: !ack.ok ? 'refused' : ack.data.duplicate ? 'duplicate' : 'ok',
                seconds: (performance.now() - started) / 1000,
            }),
        );
        // The chain keeps only the fact that the send is done, not its answer.
        this.sendChains.set(
            socket,
            next.then(
                () => undefined,
                () => undefined,
            ),
        );
        return next;
    }

    /** `{ conversationId, typing }`: relayed to the other side as `typing`; no acknowledgement needed. */
    async typing(socket: Socket, body: Payload) {
        return this.run(socket, async party => {
            this.checkEventRate(socket);
            const conversation = await this.service.conversationFor(party, body?.conversationId);
            const payload = {
                conversationId: String(conversation.id),
                typing: body?.typing === true,
                side: party.kind === 'staff' ? 'staff' : 'shopper',
                ...(party.kind === 'staff'
                    ? { administratorId: String(party.administratorId), name: party.name }
                    : {}),
            };
            const rooms =
                party.kind === 'staff'
                    ? [STAFF_ROOM, shopperRoom(conversationKey(conversation))]
                    : [STAFF_ROOM];
            this.hub.emit(rooms, 'typing', payload, socket.id);
            return {};
        });
    }

    async read(socket: Socket, body: Payload) {
        return this.run(socket, async party => {
            this.checkEventRate(socket);
            const c = await this.service.markRead(party, body?.conversationId, body?.seq);
            return { conversation: toConversationPayload(c) };
        });
    }

    async presence(socket: Socket, body: Payload) {
        return this.run(socket, async party => {
            requireStaff(party);
            const status = body?.status;
            if (status !== 'online' && status !== 'away') {
                throw new ChatError('INVALID_PAYLOAD', "status must be 'online' or 'away'");
            }
            const data = socket.data as ChatSocketData;
            data.presence = status as StaffPresence;
            this.hub.emit(STAFF_ROOM, 'presence', { administratorId: data.administratorId, status });
            if (status === 'online') {
                await this.service.assignWaiting();
            }
            return { status };
        });
    }

    async assign(socket: Socket, body: Payload) {
        return this.run(socket, async party => {
            requireStaff(party);
            const administratorId = body?.administratorId;
            if (
                administratorId !== null &&
                typeof administratorId !== 'string' &&
                typeof administratorId !== 'number'
            ) {
                throw new ChatError('INVALID_PAYLOAD', 'administratorId must be an id or null');
            }
            const c = await this.service.assign(body?.conversationId, administratorId);
            return { conversation: toConversationPayload(c) };
        });
    }

    async resolve(socket: Socket, body: Payload) {
        return this.run(socket, async party => {
            requireStaff(party);
            return {
                conversation: toConversationPayload(
                    await this.service.setStatus(body?.conversationId, 'resolved'),
                ),
            };
        });
    }

    async reopen(socket: Socket, body: Payload) {
        return this.run(socket, async party => {
            requireStaff(party);
            return {
                conversation: toConversationPayload(
                    await this.service.setStatus(body?.conversationId, 'open'),
                ),
            };
        });
    }

    // ---- helpers ----------------------------------------------------------------------------------------

    /** Typing, read and sync events cost a database read each: a socket gets 60 of them per 10 s. */
    private checkEventRate(socket: Socket): void {
        const window = Math.floor(Date.now() / 10_000);
        const data = socket.data as ChatSocketData & { events?: { window: number; count: number } };
        if (!data.events || data.events.window !== window) {
            data.events = { window, count: 0 };
        }
        data.events.count++;
        if (data.events.count > 60) {
            throw new ChatError('RATE_LIMITED', 'Too many requests; wait a moment');
        }
    }

    private checkSocketRate(socket: Socket): void {
        const limit = this.options.socketRateLimit;
        const window = Math.floor(Date.now() / (limit.windowSeconds * 1000));
        const data = socket.data as ChatSocketData & { rate?: { window: number; count: number } };
        if (!data.rate || data.rate.window !== window) {
            data.rate = { window, count: 0 };
        }
        data.rate.count++;
        if (data.rate.count > limit.limit) {
            throw new ChatError('RATE_LIMITED', 'Too many messages; wait a moment');
        }
    }

    /** Every handler answers `{ ok, data }` or `{ ok: false, error }`; nothing a client sends disconnects it. */
    private async run<T>(socket: Socket, work: (party: ChatParty) => Promise<T>): Promise<ChatAck<T>> {
        const party = this.connections.get(socket)?.party;
        if (!party) {
            return fail('FORBIDDEN', 'Not authenticated');
        }
        try {
            return { ok: true, data: await work(party) };
        } catch (err) {
            if (err instanceof ChatError) {
                return fail(err.code, err.message);
            }
            this.logUnexpected(`socket ${socket.id}`, err);
            return fail('INTERNAL_ERROR', 'The request could not be handled');
        }
    }

    private logUnexpected(where: string, err: unknown): void {
        Logger.error(
            `Unexpected error in ${where}: ${err instanceof Error ? err.stack : String(err)}`,
            loggerCtx,
        );
    }
}

function fail(
    code: ChatErrorCode,
    message: string,
): { ok: false; error: { code: ChatErrorCode; message: string } } {
    return { ok: false, error: { code, message } };
}

function requireStaff(party: ChatParty): asserts party is Extract<ChatParty, { kind: 'staff' }> {
    if (party.kind !== 'staff') {
        throw new ChatError('FORBIDDEN', 'Staff only');
    }
}

function conversationKey(c: { customerId: unknown; guestKey: string | null }): string {
    return c.customerId != null ? `c:${String(c.customerId)}` : `g:${c.guestKey ?? ''}`;
}
