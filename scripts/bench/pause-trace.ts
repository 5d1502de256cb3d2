import { monitorEventLoopDelay, PerformanceObserver } from 'node:perf_hooks';

/**
 * Benchmark diagnostics (`BENCH_TRACE=1`): GC pauses over 30 ms and the event loop's worst delay every 2 s,
 * as `TRACE <label> …` lines on stderr. Used in the servers (through the preloaded probe) and in load generators.
 */
export function startPauseTrace(label: string): void {
    new PerformanceObserver(list => {
        for (const e of list.getEntries()) {
            if (e.duration > 30) {
                const detail = JSON.stringify((e as { detail?: unknown }).detail);
                process.stderr.write(`TRACE ${label} gc ${detail} ${e.duration.toFixed(0)} ms\n`);
            }
        }
    }).observe({ entryTypes: ['gc'] });
    const delay = monitorEventLoopDelay({ resolution: 10 });
    delay.enable();
    setInterval(() => {
        const max = (delay.max / 1e6).toFixed(0);
        const p99 = (delay.percentile(99) / 1e6).toFixed(0);
        process.stderr.write(`TRACE ${label} loop max ${max} ms p99 ${p99} ms\n`);
        delay.reset();
    }, 2000).unref();
}
