import { afterAll, describe, expect, it } from 'vitest';

import { CounterWindow, MemoryCounterStore, CounterStore, RedisCounterStore } from './counter-store';

const stores: Array<[string, () => CounterStore]> = [['memory', () => new MemoryCounterStore()]];
if (process.env.REDIS_URL) {
    const url = process.env.REDIS_URL;
    stores.push([
        'Redis',
        () => new RedisCounterStore(url, `counter_store_spec_${process.pid}_${Date.now()}:`),
    ]);
}

describe.each(stores)('%s counter store: countIfAllowed', (_name, create) => {
    const store = create();
    afterAll(() => store.close());
    let run = 0;
    const windows = (limits: number[]): CounterWindow[] => {
        run++;
        return limits.map((limit, i) => ({ key: `r${run}w${i}`, windowSeconds: 3600 * (i + 1), limit }));
    };

    it('counts a hit in every window while all allow it, then refuses with the first window that is full', async () => {
        const w = windows([2, 1, 5]);
        expect(await store.countIfAllowed(w)).toBeUndefined();
        const over = await store.countIfAllowed(w);
        expect(over).toEqual({ index: 1, resetInSeconds: expect.any(Number) });
        expect(over!.resetInSeconds).toBeGreaterThan(3600);
        expect(over!.resetInSeconds).toBeLessThanOrEqual(7200);
    });

    it('counts nothing when it refuses', async () => {
        const w = windows([3, 1, 3]);
        expect(await store.countIfAllowed(w)).toBeUndefined();
        for (let i = 0; i < 5; i++) {
            expect(await store.countIfAllowed(w)).toMatchObject({ index: 1 });
        }
        // Windows 0 and 2 still hold one hit each: two more fit in each without window 1.
        const others = [w[0], w[2]];
        expect(await store.countIfAllowed(others)).toBeUndefined();
        expect(await store.countIfAllowed(others)).toBeUndefined();
        expect(await store.countIfAllowed(others)).toMatchObject({ index: 0 });
    });

    it('refuses at once a window whose limit is 0', async () => {
        expect(await store.countIfAllowed(windows([0]))).toEqual({ index: 0, resetInSeconds: 3600 });
    });
});

describe.each(stores)('%s counter store: peek', (_name, create) => {
    const store = create();
    afterAll(() => store.close());

    it('reads counts and the time left without counting', async () => {
        const key = `peek${Date.now()}`;
        expect(await store.peek([key])).toEqual([{ count: 0, resetInSeconds: 0 }]);
        await store.countIfAllowed([{ key, windowSeconds: 3600, limit: 5 }]);
        await store.countIfAllowed([{ key, windowSeconds: 3600, limit: 5 }]);
        const [read, other] = await store.peek([key, `${key}-other`]);
        expect(read.count).toBe(2);
        expect(read.resetInSeconds).toBeGreaterThan(3590);
        expect(read.resetInSeconds).toBeLessThanOrEqual(3600);
        expect(other).toEqual({ count: 0, resetInSeconds: 0 });
        expect((await store.peek([key]))[0].count).toBe(2);
    });
});
