import { monitorEventLoopDelay, PerformanceObserver } from 'node:perf_hooks';

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

// Diagnostics (BENCH_TRACE=1): long GC pauses and the event loop's worst delay, to stderr (the server's log).
if (process.env.BENCH_TRACE) {
    new PerformanceObserver(list => {
        for (const e of list.getEntries()) {
            if (e.duration > 30) {
                process.stderr.write(
                    `TRACE gc ${JSON.stringify((e as { detail?: unknown }).detail)} ${e.duration.toFixed(0)} ms\n`,
                );
            }
        }
    }).observe({ entryTypes: ['gc'] });
    const h = monitorEventLoopDelay({ resolution: 10 });
    h.enable();
    setInterval(() => {
        process.stderr.write(
            `TRACE loop max ${(h.max / 1e6).toFixed(0)} ms p99 ${(h.percentile(99) / 1e6).toFixed(0)} ms\n`,
        );
        h.reset();
    }, 2000).unref();
}
