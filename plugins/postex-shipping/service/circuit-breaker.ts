export type BreakerState = 'closed' | 'open' | 'half-open';

export interface BreakerOptions {
    failureThreshold: number;
    cooldownMs: number;
    /** Called once per change of state (e.g. to log "opened" once rather than on every refused call). */
    onStateChange?: (state: BreakerState, reason?: string) => void;
    now?: () => number;
}

/**
 * A small circuit breaker: after `failureThreshold` consecutive failures it opens and refuses calls for
 * `cooldownMs`; then it lets one trial call through (half-open). A success closes it, a failure reopens it.
 * State is per process: each server instance learns about an outage from its own calls.
 */
export class CircuitBreaker {
    private state: BreakerState = 'closed';
    private failures = 0;
    private openedAt = 0;
    private trialInFlight = false;

    constructor(private readonly options: BreakerOptions) {}

    get currentState(): BreakerState {
        this.refresh();
        return this.state;
    }

    /** Whether a call may go out now; in half-open only one trial call is allowed at a time. */
    tryAcquire(): boolean {
        this.refresh();
        if (this.state === 'closed') {
            return true;
        }
        if (this.state === 'half-open' && !this.trialInFlight) {
            this.trialInFlight = true;
            return true;
        }
        return false;
    }

    recordSuccess(): void {
        this.failures = 0;
        this.trialInFlight = false;
        if (this.state !== 'closed') {
            this.setState('closed');
        }
    }

    recordFailure(reason?: string): void {
        this.trialInFlight = false;
        this.failures += 1;
        if (
            this.state === 'half-open' ||
            (this.state === 'closed' && this.failures >= this.options.failureThreshold)
        ) {
            this.openedAt = this.now();
            this.setState('open', reason);
        }
    }

    private refresh(): void {
        if (this.state === 'open' && this.now() - this.openedAt >= this.options.cooldownMs) {
            this.setState('half-open');
        }
    }

    private setState(state: BreakerState, reason?: string): void {
        this.state = state;
        this.options.onStateChange?.(state, reason);
    }

    private now(): number {
        return (this.options.now ?? Date.now)();
    }
}

/** Identical concurrent requests share one promise: the first caller's call, until it settles. */
export class RequestCoalescer<T> {
    private readonly inFlight = new Map<string, Promise<T>>();

    run(key: string, work: () => Promise<T>): Promise<T> {
        const existing = this.inFlight.get(key);
        if (existing) {
            return existing;
        }
        const promise = work().finally(() => this.inFlight.delete(key));
        this.inFlight.set(key, promise);
        return promise;
    }

    get size(): number {
        return this.inFlight.size;
    }
}
