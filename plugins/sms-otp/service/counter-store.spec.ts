import { afterAll, describe, expect, it } from 'vitest';

import { CounterWindow, MemoryCounterStore, OtpCounterStore, RedisCounterStore } from './counter-store';

const stores: Array<[string, () => OtpCounterStore]> = [['memory', () => new MemoryCounterStore()]];
if (process.env.REDIS_URL) {
    const url = process.env.REDIS_URL;
    stores.push([
        'Redis',
        () => new RedisCounterStore(url, `counter_store_spec_${process.pid}_${Date.now()}:`),
    ]);
}

describe.each(stores)('%s counter store: incrementUntilOver', (_name, create) => {
    const store = create();
    afterAll(() => store.close());
    const windows = (limits: number[]): CounterWindow[] =>
        limits.map((limit, i) => ({ key: `w${i}`, windowSeconds: 3600 * (i + 1), limit }));

    it('counts every window while all allow, then stops at the first one over its limit', async () => {
        const w = windows([2, 1, 5]);
        expect(await store.incrementUntilOver(w)).toBeUndefined();
        // Window 1 (limit 1) is over on the second hit; window 2 is not counted then.
        const over = await store.incrementUntilOver(w);
        expect(over).toEqual({ index: 1, resetInSeconds: expect.any(Number) });
        expect(over!.resetInSeconds).toBeGreaterThan(3600);
        expect(over!.resetInSeconds).toBeLessThanOrEqual(7200);
        expect(await store.increment('w2', 3 * 3600)).toMatchObject({ count: 2 });
        // Window 0 (limit 2) is over on the third hit, before window 1 is looked at.
        expect(await store.incrementUntilOver(w)).toMatchObject({ index: 0 });
        expect(await store.increment('w1', 7200)).toMatchObject({ count: 3 });
    });
});
