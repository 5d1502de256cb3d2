import { Injectable } from '@nestjs/common';
import { ID } from '@vendure/common/lib/shared-types';
import { Logger } from '@vendure/core';
import type { Namespace } from 'socket.io';

import { Signal } from '../../../src/observe/signal';

import { loggerCtx, STAFF_ROOM } from '../constants';
import { StaffPresence } from '../types';

/** What a socket carries in `socket.data` (read across instances by `fetchSockets()`). */
export interface ChatSocketData {
    partyKind?: 'customer' | 'guest' | 'staff';
    partyKey?: string;
    administratorId?: string;
    presence?: StaffPresence;
}

/**
 * The one door to the sockets. The gateway sets the namespace when socket.io starts; in the worker (no HTTP
 * server, so no gateway) it stays unset and every emit is a no-op: the worker sends nothing over sockets.
 */
@Injectable()
export class ChatHub {
    private namespace?: Namespace;

    /**
     * Every message sent over a socket: the sender's side, whether it was stored and told to the other side
     * (`ok`, `duplicate`, `refused`) and the time from its arrival to the acknowledgement. For metrics.
     */
    readonly messageHandled = new Signal<{ side: 'shopper' | 'staff'; outcome: string; seconds: number }>();

    /** Sockets connected to this instance, by side. For metrics. */
    localSocketCounts(): { shopper: number; staff: number } {
        const counts = { shopper: 0, staff: 0 };
        for (const socket of this.namespace?.sockets.values() ?? []) {
            const kind = (socket.data as ChatSocketData).partyKind;
            if (kind) {
                counts[kind === 'staff' ? 'staff' : 'shopper'] += 1;
            }
        }
        return counts;
    }

    attach(namespace: Namespace): void {
        this.namespace = namespace;
    }

    get attached(): boolean {
        return !!this.namespace;
    }

    emit(rooms: string | string[], event: string, payload: unknown, exceptSocketId?: string): void {
        if (!this.namespace) {
            return;
        }
        let target = this.namespace.to(rooms);
        if (exceptSocketId) {
            target = target.except(exceptSocketId);
        }
        target.emit(event, payload);
    }

    /** Tells the sockets in `room`, on every instance, why they are closed, then closes them. */
    endSockets(room: string, reason: string): void {
        if (!this.namespace) {
            return;
        }
        this.namespace.to(room).emit('session:ended', { reason });
        this.namespace.in(room).disconnectSockets(true);
    }

    private lookup?: Promise<ID[]>;
    private nextLookup?: Promise<ID[]>;

    /**
     * Administrators with at least one socket set to `online`, on any instance (Redis adapter). Asks the other
     * instances at most once at a time: callers that come while a look-up is on its way share the next one, which
     * starts when it ends. So a burst of new conversations costs two look-ups, not one each, and every caller
     * still gets an answer that began after its call (a presence change just before it is seen).
     */
    onlineStaffIds(): Promise<ID[]> {
        const namespace = this.namespace;
        if (!namespace) {
            return Promise.resolve([]);
        }
        if (!this.lookup) {
            this.lookup = this.fetchOnlineStaffIds(namespace).finally(() => (this.lookup = undefined));
            return this.lookup;
        }
        this.nextLookup ??= this.lookup
            .catch(() => undefined)
            .then(() => {
                this.nextLookup = undefined;
                return this.onlineStaffIds();
            });
        return this.nextLookup;
    }

    private async fetchOnlineStaffIds(namespace: Namespace): Promise<ID[]> {
        const sockets = await namespace
            .in(STAFF_ROOM)
            .fetchSockets()
            .catch((err: unknown) => {
                // An instance that is stopping (or stuck) does not answer the Redis adapter's look-up, which then
                // fails after its timeout: this instance's own staff are the answer meanwhile, rather than a
                // failed chat message (found by test/faults/graceful-shutdown.fault-spec.ts).
                Logger.warn(
                    `Online staff of other instances unknown (${err instanceof Error ? err.message : String(err)}); using this instance's`,
                    loggerCtx,
                );
                return namespace.local.in(STAFF_ROOM).fetchSockets();
            });
        const ids = new Set<string>();
        for (const s of sockets) {
            const data = s.data as ChatSocketData;
            if (data.presence === 'online' && data.administratorId) {
                ids.add(data.administratorId);
            }
        }
        return [...ids].sort();
    }
}
