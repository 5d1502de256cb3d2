import http from 'node:http';

import { createAdapter } from '@socket.io/redis-adapter';
import Redis from 'ioredis';
import { Server, Socket } from 'socket.io';

/**
 * The baseline of `npm run bench:chat`: a bare socket.io server with the same Redis adapter as the support chat
 * plugin, relaying the same events to the same rooms, and nothing else (no Vendure, no session lookup, no
 * database, no rate limits). Two of these on one Redis key stand in for two server instances.
 *
 * Env: PORT, REDIS_URL, BASELINE_KEY (the adapter's channel prefix). `GET /health` answers 200 once listening.
 * A token starting with `staff:` makes a staff socket (room `staff`); any other token is a shopper whose room
 * is `shopper:<token>` and whose conversation id is the token.
 */
const STAFF_ROOM = 'staff';

function main(): void {
    const port = Number(process.env.PORT);
    const pub = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379');
    const sub = pub.duplicate();
    const httpServer = http.createServer((req, res) => {
        res.writeHead(req.url === '/health' ? 200 : 404).end();
    });
    const io = new Server(httpServer, { maxHttpBufferSize: 64 * 1024 });
    io.adapter(createAdapter(pub, sub, { key: process.env.BASELINE_KEY ?? 'bench-baseline:socket.io' }));
    const seqs = new Map<string, number>();

    io.of('/chat').on('connection', (socket: Socket) => {
        const token = String((socket.handshake.auth as { token?: unknown }).token ?? '');
        const staff = token.startsWith('staff:');
        void socket.join(staff ? STAFF_ROOM : `shopper:${token}`);
        socket.on(
            'message:send',
            (
                payload: { conversationId?: string; clientMessageId: string; body: string },
                ack: (a: unknown) => void,
            ) => {
                const conversationId = staff ? String(payload.conversationId) : token;
                const seq = (seqs.get(conversationId) ?? 0) + 1;
                seqs.set(conversationId, seq);
                const now = new Date().toISOString();
                // The same payload shapes as the plugin's `Message` and `Conversation`.
                const message = {
                    id: `${conversationId}-${seq}`,
                    conversationId,
                    seq,
                    senderType: staff ? 'staff' : 'guest',
                    senderId: null,
                    clientMessageId: payload.clientMessageId,
                    body: payload.body.trim(),
                    createdAt: now,
                };
                const conversation = {
                    id: conversationId,
                    status: 'open',
                    customerId: null,
                    isGuest: true,
                    assigneeId: '1',
                    lastSeq: seq,
                    unreadByStaff: staff ? 0 : 1,
                    unreadByShopper: staff ? 1 : 0,
                    lastReadSeqStaff: staff ? seq : seq - 1,
                    lastReadSeqShopper: staff ? seq - 1 : seq,
                    lastMessageAt: now,
                    createdAt: now,
                };
                const rooms = [`shopper:${conversationId}`, STAFF_ROOM];
                io.of('/chat').to(rooms).emit('message:new', { conversationId, message, conversation });
                ack({ ok: true, data: { message, conversation, duplicate: false } });
            },
        );
    });

    httpServer.listen(port, '127.0.0.1');
    process.once('SIGTERM', () => {
        void io.close(() => {
            pub.disconnect();
            sub.disconnect();
            process.exit(0);
        });
    });
}

main();
