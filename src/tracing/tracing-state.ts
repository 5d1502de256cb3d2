/**
 * Whether this process started the OpenTelemetry SDK (src/tracing/preload.ts), and how to flush it. Kept on
 * `globalThis`, so every copy of this module (a test runner may load a file twice) sees the same state.
 */
const STATE = Symbol.for('iran-shop.tracing');

interface TracingState {
    /** Exports the spans still buffered and stops the SDK. */
    flush(): Promise<void>;
}

function state(): TracingState | undefined {
    return (globalThis as Record<symbol, TracingState | undefined>)[STATE];
}

export function tracingStarted(): boolean {
    return state() !== undefined;
}

export function markTracingStarted(flush: () => Promise<void>): void {
    (globalThis as Record<symbol, TracingState | undefined>)[STATE] = { flush };
}

/** Before a process exits: spans of the last seconds are still in the batch processor's buffer. */
export function flushTracing(): Promise<void> {
    return state()?.flush() ?? Promise.resolve();
}
