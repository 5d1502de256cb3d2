import { io, Socket } from 'socket.io-client';

import { startPauseTrace } from './pause-trace';

/**
 * One load-generating process of `npm run bench:chat` (forked by bench-chat.ts; several run side by side so the
 * client is not the bottleneck). It holds real socket.io-client connections to `/chat` and, when told, sends
 * `message:send` open-loop at a fixed rate: shoppers round-robin, staff replies to conversations of shoppers on
 * the other instance. Every `message:new` a socket receives is recorded with its delivery latency: the body
 * carries the send time (wall clock with sub-millisecond resolution, comparable across processes).
 */

export interface ClientTarget {
    /** Unique over all processes; identifies the receiving socket in the parent's delivery count. */
    index: number;
    url: string;
    instance: number;
    token: string;
}

export type ClientCommand =
    | { cmd: 'connect'; shoppers: ClientTarget[]; staff: ClientTarget[]; concurrency: number }
    | {
          cmd: 'run';
          phase: string;
          /** Shopper messages per second from this process. */
          shopperRate: number;
          /** Stop after this many shopper messages (the warm-up: one per shopper)… */
          shopperCount?: number;
          /** …or after this many seconds. */
          seconds?: number;
          /** Staff replies per second from this process. */
          staffRate: number;
      }
    | { cmd: 'count' }
    | { cmd: 'report' }
    | { cmd: 'close' };

export interface SentRecord {
    id: string;
    phase: string;
    kind: 'shopper' | 'staff';
    instance: number;
    ok: boolean;
    /** The error code of a refused send, or TIMEOUT when no acknowledgement came within 30 s. */
    code?: string;
    ackMs: number;
}

/** `[message id, receiver kind, receiver socket index, receiver instance, latency ms]` */
export type Arrival = [string, 'staff' | 'shopper', number, number, number];

export type ClientReply =
    | { kind: 'connected'; connectMs: number[]; failures: string[] }
    | { kind: 'ran'; phase: string; sent: number; maxLagMs: number; skippedStaff: number }
    | { kind: 'paced' }
    | { kind: 'count'; arrivals: number }
    | { kind: 'report'; sent: SentRecord[]; arrivals: Arrival[]; disconnects: string[] };

interface Conn {
    target: ClientTarget;
    socket: Socket;
    conversationId?: string;
}

const TAG = 'bench';
const TEXT = 'سلام، سفارش من کی ارسال می‌شود؟';
const ACK_TIMEOUT_MS = 30_000;

export const wallClock = () => performance.timeOrigin + performance.now();

/** `bench|<id>|<sent at>|<sender instance>|<s or t>|text`: what a receiver needs to time and count it. */
function body(id: string, instance: number, kind: 'shopper' | 'staff'): string {
    return `${TAG}|${id}|${wallClock().toFixed(3)}|${instance}|${kind === 'shopper' ? 's' : 't'}|${TEXT}`;
}

class LoadClient {
    private shoppers: Conn[] = [];
    private staff: Conn[] = [];
    private sent: SentRecord[] = [];
    private arrivals: Arrival[] = [];
    private disconnects: string[] = [];
    private closing = false;
    private shopperCursor = 0;
    private staffCursor = 0;
    private messageNo = 0;
    /** Conversations of shoppers per instance, seen by this process's staff sockets (reply targets). */
    private readonly conversations = [new Set<string>(), new Set<string>()];
    private readonly replyCursor = [0, 0];

    constructor(private readonly procNo: number) {}

    async connect(cmd: Extract<ClientCommand, { cmd: 'connect' }>): Promise<ClientReply> {
        const queue: Array<{ target: ClientTarget; staff: boolean }> = [
            ...cmd.staff.map(target => ({ target, staff: true })),
            ...cmd.shoppers.map(target => ({ target, staff: false })),
        ];
        const connectMs: number[] = [];
        const failures: string[] = [];
        let next = 0;
        await Promise.all(
            Array.from({ length: cmd.concurrency }, async () => {
                while (next < queue.length) {
                    const { target, staff } = queue[next++];
                    const t0 = performance.now();
                    try {
                        const socket = await this.open(target, staff);
                        connectMs.push(performance.now() - t0);
                        (staff ? this.staff : this.shoppers).push({ target, socket });
                    } catch (e) {
                        failures.push(e instanceof Error ? e.message : String(e));
                    }
                }
            }),
        );
        return { kind: 'connected', connectMs, failures };
    }

    private open(target: ClientTarget, staff: boolean): Promise<Socket> {
        const socket = io(`${target.url}/chat`, {
            auth: staff ? { token: target.token, presence: 'online' } : { token: target.token },
            transports: ['websocket'],
            reconnection: false,
            forceNew: true,
            timeout: 60_000,
        });
        socket.on('message:new', (p: { conversationId: string; message: { body: string } }) =>
            this.onMessage(target, staff, p),
        );
        return new Promise((resolve, reject) => {
            socket.once('connect', () => {
                socket.on('disconnect', reason => {
                    if (!this.closing) {
                        this.disconnects.push(`${target.index}: ${reason}`);
                    }
                });
                resolve(socket);
            });
            socket.once('connect_error', err => {
                socket.close();
                reject(err);
            });
        });
    }

    private onMessage(
        target: ClientTarget,
        staff: boolean,
        p: { conversationId: string; message: { body: string } },
    ): void {
        const now = wallClock();
        const parts = p.message.body.split('|');
        if (parts[0] !== TAG) {
            return;
        }
        const [, id, sentAt, senderInstance, kind] = parts;
        this.arrivals.push([
            id,
            staff ? 'staff' : 'shopper',
            target.index,
            target.instance,
            now - Number(sentAt),
        ]);
        if (staff && kind === 's') {
            this.conversations[Number(senderInstance)]?.add(p.conversationId);
        }
    }

    async run(cmd: Extract<ClientCommand, { cmd: 'run' }>): Promise<ClientReply> {
        const pending: Array<Promise<void>> = [];
        let skippedStaff = 0;
        let maxLagMs = 0;
        const shoppers = pace(
            cmd.shopperRate,
            (i, scheduledMs) =>
                cmd.shopperCount !== undefined
                    ? i >= cmd.shopperCount
                    : scheduledMs >= (cmd.seconds ?? 0) * 1000,
            () => pending.push(this.sendAsShopper(cmd.phase)),
        );
        const staff =
            cmd.staffRate > 0 && this.staff.length
                ? pace(
                      cmd.staffRate,
                      (_, scheduledMs) => scheduledMs >= (cmd.seconds ?? 0) * 1000,
                      () => {
                          const sending = this.sendAsStaff(cmd.phase);
                          if (sending) {
                              pending.push(sending);
                          } else {
                              skippedStaff++;
                          }
                      },
                  )
                : Promise.resolve({ count: 0, maxLagMs: 0 });
        const [s, t] = await Promise.all([shoppers, staff]);
        maxLagMs = Math.max(s.maxLagMs, t.maxLagMs);
        // The sending is over (the parent closes its CPU window); acknowledgements may still be on their way.
        process.send?.({ kind: 'paced' } satisfies ClientReply);
        await Promise.all(pending);
        return {
            kind: 'ran',
            phase: cmd.phase,
            sent: s.count + t.count - skippedStaff,
            maxLagMs,
            skippedStaff,
        };
    }

    private sendAsShopper(phase: string): Promise<void> {
        const conn = this.shoppers[this.shopperCursor++ % this.shoppers.length];
        return this.send(conn, phase, 'shopper', conn.conversationId);
    }

    /** A reply from the next staff socket to a conversation of a shopper on the other instance. */
    private sendAsStaff(phase: string): Promise<void> | undefined {
        const conn = this.staff[this.staffCursor++ % this.staff.length];
        const other = 1 - conn.target.instance;
        const known = [...this.conversations[other]];
        if (!known.length) {
            return undefined;
        }
        const conversationId = known[this.replyCursor[other]++ % known.length];
        return this.send(conn, phase, 'staff', conversationId);
    }

    private async send(
        conn: Conn,
        phase: string,
        kind: 'shopper' | 'staff',
        conversationId: string | undefined,
    ): Promise<void> {
        const id = `p${this.procNo}-${this.messageNo++}`;
        const t0 = performance.now();
        const record: SentRecord = { id, phase, kind, instance: conn.target.instance, ok: false, ackMs: 0 };
        this.sent.push(record);
        try {
            const ack = (await conn.socket.timeout(ACK_TIMEOUT_MS).emitWithAck('message:send', {
                ...(conversationId ? { conversationId } : {}),
                clientMessageId: id,
                body: body(id, conn.target.instance, kind),
            })) as
                { ok: true; data: { conversation: { id: string } } } | { ok: false; error: { code: string } };
            record.ackMs = performance.now() - t0;
            record.ok = ack.ok;
            if (ack.ok) {
                if (kind === 'shopper') {
                    conn.conversationId = String(ack.data.conversation.id);
                }
            } else {
                record.code = ack.error.code;
            }
        } catch {
            record.ackMs = performance.now() - t0;
            record.code = 'TIMEOUT';
        }
    }

    get arrivalCount(): number {
        return this.arrivals.length;
    }

    /** Everything recorded since the last report. */
    report(): ClientReply {
        const reply: ClientReply = {
            kind: 'report',
            sent: this.sent,
            arrivals: this.arrivals,
            disconnects: this.disconnects,
        };
        this.sent = [];
        this.arrivals = [];
        this.disconnects = [];
        return reply;
    }

    close(): void {
        this.closing = true;
        for (const c of [...this.shoppers, ...this.staff]) {
            c.socket.close();
        }
    }
}

/**
 * Open loop: call `fire` at `rate` per second whether or not earlier calls have finished, until `done`. The
 * lag is how late the process got to a scheduled send (it stays near zero while the client keeps up).
 */
function pace(
    rate: number,
    done: (i: number, scheduledMs: number) => boolean,
    fire: () => void,
): Promise<{ count: number; maxLagMs: number }> {
    return new Promise(resolve => {
        if (rate <= 0) {
            resolve({ count: 0, maxLagMs: 0 });
            return;
        }
        const t0 = performance.now();
        let i = 0;
        let maxLagMs = 0;
        const tick = () => {
            const elapsed = performance.now() - t0;
            while (!done(i, (i * 1000) / rate) && (i * 1000) / rate <= elapsed) {
                maxLagMs = Math.max(maxLagMs, elapsed - (i * 1000) / rate);
                fire();
                i++;
            }
            if (done(i, (i * 1000) / rate)) {
                resolve({ count: i, maxLagMs });
            } else {
                setTimeout(tick, 1);
            }
        };
        tick();
    });
}

if (require.main === module) {
    const client = new LoadClient(Number(process.env.BENCH_CLIENT_NO ?? 0));
    if (process.env.BENCH_TRACE) {
        startPauseTrace(`client-${process.env.BENCH_CLIENT_NO ?? 0}`);
    }
    process.on('message', (cmd: ClientCommand) => {
        const reply = (r: ClientReply) => process.send?.(r);
        switch (cmd.cmd) {
            case 'connect':
                void client.connect(cmd).then(reply);
                break;
            case 'run':
                void client.run(cmd).then(reply);
                break;
            case 'count':
                reply({ kind: 'count', arrivals: client.arrivalCount });
                break;
            case 'report':
                reply(client.report());
                break;
            case 'close':
                client.close();
                setTimeout(() => process.exit(0), 200);
                break;
        }
    });
}
