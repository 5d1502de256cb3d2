import { startPauseTrace } from './pause-trace';

/**
 * Preloaded (`node --expose-gc -r dist/scripts/bench/memory-probe.js …`) into server processes a benchmark
 * spawns with an IPC channel: on the message `memory` it runs a full GC (when exposed) and answers with
 * `{ kind: 'memory', rss, heapUsed }` in bytes. The server's own code is untouched.
 */
if (process.send) {
    process.on('message', (message: unknown) => {
        if (message === 'memory') {
            (globalThis as { gc?: () => void }).gc?.();
            const { rss, heapUsed } = process.memoryUsage();
            process.send?.({ kind: 'memory', rss, heapUsed });
        }
    });
    // The probe must not keep a server alive that would otherwise exit.
    process.channel?.unref();
}

// Diagnostics (BENCH_TRACE=1), in the server's log.
if (process.env.BENCH_TRACE) {
    startPauseTrace('server');
}
