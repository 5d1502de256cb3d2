import {
    context,
    propagation,
    ROOT_CONTEXT,
    SpanKind,
    SpanStatusCode,
    trace,
    TextMapGetter,
} from '@opentelemetry/api';
import { Job, JobData, JobQueueStrategy } from '@vendure/core';

/** Where a job's data carries the W3C trace context (`traceparent`, `tracestate`) of the code that added it. */
export const JOB_TRACE_CONTEXT_KEY = '__traceContext';

type ProcessFn = (job: Job) => Promise<unknown>;
type Carrier = Record<string, string>;

const tracer = trace.getTracer('iran-shop.jobs');

const carrierGetter: TextMapGetter<Carrier> = {
    keys: carrier => Object.keys(carrier),
    get: (carrier, key) => (typeof carrier[key] === 'string' ? carrier[key] : undefined),
};

/**
 * A job continues the trace of the request that added it, in whichever process runs it (the worker, or the
 * embedded server's in-process queue): `add` puts the active trace context into the job's data, and each job
 * attempt runs in a `job <queue>` span (kind consumer) whose parent is that context. Wraps any strategy (SQL
 * polling, BullMQ) the way the metrics do (src/metrics/job-queue-metrics.ts).
 */
export function propagateTraceThroughJobs(strategy: JobQueueStrategy): void {
    const add = strategy.add.bind(strategy);
    const start = strategy.start.bind(strategy);
    const stop = strategy.stop.bind(strategy);
    const wrapped = new Map<ProcessFn, ProcessFn>();
    strategy.add = ((job: Job, options?: unknown) =>
        add(withTraceContext(job), options as never)) as JobQueueStrategy['add'];
    strategy.start = (queueName: string, process: ProcessFn) => {
        let traced = wrapped.get(process);
        if (!traced) {
            traced = job => runInJobSpan(queueName, job, process);
            wrapped.set(process, traced);
        }
        return start(queueName, traced);
    };
    strategy.stop = (queueName: string, process: ProcessFn) =>
        stop(queueName, wrapped.get(process) ?? process);
}

function withTraceContext<T extends JobData<T>>(job: Job<T>): Job<T> {
    const data = job.data as unknown;
    if (!isPlainObject(data) || !trace.getSpan(context.active())) {
        return job;
    }
    const carrier: Carrier = {};
    propagation.inject(context.active(), carrier);
    if (!carrier.traceparent) {
        return job;
    }
    return new Job<T>({
        queueName: job.queueName,
        data: { ...data, [JOB_TRACE_CONTEXT_KEY]: carrier } as unknown as T,
        retries: job.retries,
        attempts: job.attempts,
        id: job.id ?? undefined,
        state: job.state,
        createdAt: job.createdAt,
    });
}

function runInJobSpan(queueName: string, job: Job, process: ProcessFn): Promise<unknown> {
    const data = job.data as unknown;
    const carrier = isPlainObject(data) ? data[JOB_TRACE_CONTEXT_KEY] : undefined;
    const parent = isPlainObject(carrier)
        ? propagation.extract(ROOT_CONTEXT, carrier as Carrier, carrierGetter)
        : ROOT_CONTEXT;
    return tracer.startActiveSpan(
        `job ${queueName}`,
        {
            kind: SpanKind.CONSUMER,
            attributes: { 'job.queue': queueName, 'job.attempt': job.attempts + 1 },
        },
        parent,
        async span => {
            try {
                const result = await process(job);
                span.setAttribute('job.outcome', 'completed');
                return result;
            } catch (e) {
                span.setAttribute('job.outcome', 'failed');
                span.setStatus({ code: SpanStatusCode.ERROR, message: (e as Error)?.message });
                throw e;
            } finally {
                span.end();
            }
        },
    );
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
    return typeof value === 'object' && value !== null && !Array.isArray(value);
}
