import { Job, JobQueueStrategy, Logger } from '@vendure/core';
import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { DataSource } from 'typeorm';

import { BoundedLabel } from './bounded-label';
import { sharedRead } from './shared-read';

export interface Backlog {
    queue: string;
    waiting: number;
    oldestMs: number;
}
type ProcessFn = (job: Job) => Promise<unknown>;

const loggerCtx = 'Metrics';
/** BullMQ: per-queue depth and age are read from at most this many of the oldest waiting jobs per scrape. */
const BULLMQ_SAMPLE = 1000;

/**
 * Job counts and durations per Vendure queue, measured around the process function every job queue strategy
 * (SQL polling, BullMQ) is given, and the backlog (waiting jobs, the oldest one's age) read at scrape time.
 */
export class JobQueueMetrics {
    private readonly jobs: Counter<'queue' | 'outcome'>;
    private readonly duration: Histogram<'queue'>;
    private readonly queueNames = new BoundedLabel(100);

    private backlog: () => Promise<Backlog[]> = () => Promise.resolve([]);
    private knownQueues: () => string[] = () => [];

    constructor(registry: Registry) {
        this.jobs = new Counter({
            name: 'shop_job_queue_jobs_total',
            help: 'Job attempts processed by this process, by queue and outcome (completed, failed).',
            labelNames: ['queue', 'outcome'],
            registers: [registry],
        });
        this.duration = new Histogram({
            name: 'shop_job_queue_job_duration_seconds',
            help: 'Time a job attempt took to process, by queue.',
            labelNames: ['queue'],
            buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300],
            registers: [registry],
        });
        // One scrape reads the backlog once for both gauges.
        const read = sharedRead(() =>
            this.backlog().catch(e => {
                Logger.warn(`Job backlog not readable: ${(e as Error).message}`, loggerCtx);
                return [];
            }),
        );
        const queues = this.queueNames;
        // Every queue of the app has a series (0 when nothing waits), so rules and dashboards see them all.
        const zeroes = () => this.knownQueues().map(q => queues.value(q));
        new Gauge({
            name: 'shop_job_queue_waiting_jobs',
            help: 'Jobs waiting to run (pending or waiting to retry), by queue. Read from the shared queue: every process reports the same value, aggregate with max().',
            labelNames: ['queue'],
            registers: [registry],
            async collect() {
                this.reset();
                zeroes().forEach(queue => this.set({ queue }, 0));
                for (const row of await read()) {
                    this.inc({ queue: queues.value(row.queue) }, row.waiting);
                }
            },
        });
        new Gauge({
            name: 'shop_job_queue_oldest_waiting_age_seconds',
            help: 'Age of the oldest waiting job, by queue (0 when none waits). Aggregate with max().',
            labelNames: ['queue'],
            registers: [registry],
            async collect() {
                this.reset();
                zeroes().forEach(queue => this.set({ queue }, 0));
                const now = Date.now();
                for (const row of await read()) {
                    const queue = queues.value(row.queue);
                    this.set({ queue }, Math.max(0, (now - row.oldestMs) / 1000));
                }
            },
        });
    }

    /** Where the backlog is read from, once the job queue strategy is known. */
    setBacklogSource(read: () => Promise<Backlog[]>, knownQueues: () => string[]): void {
        this.backlog = read;
        this.knownQueues = knownQueues;
    }

    /** Wraps `start`/`stop` of the strategy so each job's process function is timed and its outcome counted. */
    instrument(strategy: JobQueueStrategy): void {
        const wrapped = new Map<ProcessFn, ProcessFn>();
        const start = strategy.start.bind(strategy);
        const stop = strategy.stop.bind(strategy);
        strategy.start = (queueName: string, process: ProcessFn) => {
            const queue = this.queueNames.value(queueName);
            let timed = wrapped.get(process);
            if (!timed) {
                timed = async (job: Job) => {
                    const end = this.duration.startTimer({ queue });
                    try {
                        const result = await process(job);
                        this.jobs.inc({ queue, outcome: 'completed' });
                        return result;
                    } catch (e) {
                        this.jobs.inc({ queue, outcome: 'failed' });
                        throw e;
                    } finally {
                        end();
                    }
                };
                wrapped.set(process, timed);
            }
            return start(queueName, timed);
        };
        strategy.stop = (queueName: string, process: ProcessFn) =>
            stop(queueName, wrapped.get(process) ?? process);
    }
}

/** Backlog of the SQL job queue (DefaultJobQueuePlugin): one grouped query over `job_record`. */
export async function sqlBacklog(connection: DataSource): Promise<Backlog[]> {
    const rows: Array<{ queue: string; waiting: string | number; oldest: string | Date }> =
        await connection.query(
            `SELECT "queueName" AS "queue", COUNT(*) AS "waiting", MIN("createdAt") AS "oldest" FROM "job_record" WHERE "state" IN ('PENDING', 'RETRYING') GROUP BY "queueName"`,
        );
    return rows.map(r => ({ queue: r.queue, waiting: Number(r.waiting), oldestMs: toMillis(r.oldest) }));
}

interface BullJobLike {
    name: string;
    timestamp: number;
}
interface BullQueueLike {
    getJobs(
        types: string[],
        start: number,
        end: number,
        asc: boolean,
    ): Promise<Array<BullJobLike | undefined>>;
}

/** Backlog of the BullMQ queue (one BullMQ queue holds every Vendure queue; the job name is the Vendure queue). */
export async function bullBacklog(queue: BullQueueLike): Promise<Backlog[]> {
    const jobs = await queue.getJobs(
        ['waiting', 'prioritized', 'delayed', 'paused'],
        0,
        BULLMQ_SAMPLE - 1,
        true,
    );
    const byName = new Map<string, Backlog>();
    for (const job of jobs) {
        if (!job) {
            continue;
        }
        const row = byName.get(job.name) ?? { queue: job.name, waiting: 0, oldestMs: job.timestamp };
        row.waiting += 1;
        row.oldestMs = Math.min(row.oldestMs, job.timestamp);
        byName.set(job.name, row);
    }
    return [...byName.values()];
}

/** SQLite returns `YYYY-MM-DD HH:MM:SS.sss` (UTC) as text; PostgreSQL a Date. */
export function toMillis(value: string | Date | number): number {
    if (value instanceof Date) {
        return value.getTime();
    }
    if (typeof value === 'number') {
        return value;
    }
    return new Date(/[zZ]|[+-]\d\d:?\d\d$/.test(value) ? value : `${value.replace(' ', 'T')}Z`).getTime();
}
