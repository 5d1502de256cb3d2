import { describe, expect, it } from 'vitest';

import { BreakerState, CircuitBreaker, RequestCoalescer } from './circuit-breaker';

function breaker() {
    let now = 0;
    const changes: BreakerState[] = [];
    const b = new CircuitBreaker({
        failureThreshold: 3,
        cooldownMs: 1000,
        now: () => now,
        onStateChange: s => changes.push(s),
    });
    return { b, changes, advance: (ms: number) => (now += ms) };
}

describe('CircuitBreaker', () => {
    it('opens after the threshold of consecutive failures and refuses calls during the cool-down', () => {
        const { b, changes } = breaker();
        b.recordFailure();
        b.recordFailure();
        expect(b.tryAcquire()).toBe(true);
        b.recordFailure();
        expect(b.currentState).toBe('open');
        expect(b.tryAcquire()).toBe(false);
        expect(b.tryAcquire()).toBe(false);
        // Opening is reported once, not once per refused call.
        expect(changes).toEqual(['open']);
    });

    it('a success resets the count of consecutive failures', () => {
        const { b } = breaker();
        b.recordFailure();
        b.recordFailure();
        b.recordSuccess();
        b.recordFailure();
        b.recordFailure();
        expect(b.currentState).toBe('closed');
    });

    it('lets one trial call through after the cool-down; success closes, failure reopens', () => {
        const { b, changes, advance } = breaker();
        for (let i = 0; i < 3; i++) b.recordFailure();
        advance(1000);
        expect(b.tryAcquire()).toBe(true);
        expect(b.tryAcquire()).toBe(false);
        b.recordFailure();
        expect(b.currentState).toBe('open');
        advance(999);
        expect(b.tryAcquire()).toBe(false);
        advance(1);
        expect(b.tryAcquire()).toBe(true);
        b.recordSuccess();
        expect(b.currentState).toBe('closed');
        expect(changes).toEqual(['open', 'half-open', 'open', 'half-open', 'closed']);
    });
});

describe('RequestCoalescer', () => {
    it('runs identical concurrent work once and forgets it when settled', async () => {
        const c = new RequestCoalescer<number>();
        let calls = 0;
        let release!: (v: number) => void;
        const work = () => {
            calls += 1;
            return new Promise<number>(r => (release = r));
        };
        const a = c.run('k', work);
        const b = c.run('k', work);
        const other = c.run('other', () => Promise.resolve(7));
        release(42);
        expect(await Promise.all([a, b, other])).toEqual([42, 42, 7]);
        expect(calls).toBe(1);
        expect(c.size).toBe(0);
        await c.run('k', () => Promise.resolve(1));
        expect(calls).toBe(1);
    });

    it('shares a failure too, then lets the next call try again', async () => {
        const c = new RequestCoalescer<number>();
        const failing = Promise.reject(new Error('down'));
        failing.catch(() => undefined);
        await expect(
            Promise.all([c.run('k', () => failing), c.run('k', () => Promise.resolve(1))]),
        ).rejects.toThrow('down');
        expect(await c.run('k', () => Promise.resolve(2))).toBe(2);
    });
});
