import type { Namespace } from 'socket.io';
import { describe, expect, it } from 'vitest';

import { ChatHub } from './chat-hub';

/** A namespace whose `fetchSockets()` answers when the test says, with the staff online at that moment. */
function fakeNamespace() {
    const online = new Set<string>();
    const pending: Array<() => void> = [];
    let calls = 0;
    const namespace = {
        in: () => ({
            fetchSockets: () => {
                calls++;
                return new Promise(resolve => {
                    // The answer reflects presence when the look-up started, as a real one across instances would.
                    const snapshot = [...online].map(id => ({
                        data: { administratorId: id, presence: 'online' },
                    }));
                    pending.push(() => resolve(snapshot));
                });
            },
        }),
    } as unknown as Namespace;
    return {
        namespace,
        online,
        calls: () => calls,
        answerAll: async () => {
            while (pending.length) {
                pending.shift()!();
                await new Promise(r => setImmediate(r));
            }
        },
    };
}

describe('ChatHub.onlineStaffIds', () => {
    it('answers an empty list when no socket server is attached (the worker)', async () => {
        expect(await new ChatHub().onlineStaffIds()).toEqual([]);
    });

    it('asks the instances once for a burst of callers, and each answer starts after its call', async () => {
        const fake = fakeNamespace();
        const hub = new ChatHub();
        hub.attach(fake.namespace);
        fake.online.add('1');
        const first = hub.onlineStaffIds();
        // Staff 2 comes online while the first look-up is on its way: later callers must see them.
        fake.online.add('2');
        const burst = Array.from({ length: 50 }, () => hub.onlineStaffIds());
        await fake.answerAll();
        expect(await first).toEqual(['1']);
        for (const answer of await Promise.all(burst)) {
            expect(answer).toEqual(['1', '2']);
        }
        expect(fake.calls()).toBe(2);
        // Nothing in flight: the next caller starts a new look-up.
        fake.online.delete('1');
        const later = hub.onlineStaffIds();
        await fake.answerAll();
        expect(await later).toEqual(['2']);
        expect(fake.calls()).toBe(3);
    });

    it("answers with this instance's staff when another instance does not answer the look-up", async () => {
        const local = [{ data: { administratorId: '7', presence: 'online' } }];
        const namespace = {
            in: () => ({
                fetchSockets: () =>
                    Promise.reject(new Error('timeout reached while waiting for fetchSockets response')),
            }),
            local: { in: () => ({ fetchSockets: () => Promise.resolve(local) }) },
        } as unknown as Namespace;
        const hub = new ChatHub();
        hub.attach(namespace);
        expect(await hub.onlineStaffIds()).toEqual(['7']);
    });
});
