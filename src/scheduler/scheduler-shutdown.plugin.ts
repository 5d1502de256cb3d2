import { Injectable, OnModuleDestroy } from '@nestjs/common';
import { ConfigService, Logger, PluginCommonModule, ScheduledTask, VendurePlugin } from '@vendure/core';
// Not exported from the package's index; the plugin that installs it is.
import { DefaultSchedulerStrategy } from '@vendure/core/dist/plugin/default-scheduler-plugin/default-scheduler-strategy';

const loggerCtx = 'Scheduler';

/** The private method of Vendure 3.7's strategy through which every run passes (the cron tick and manual triggers). */
interface TaskRunner {
    runTask(task: ScheduledTask, options: { skipHoldCheck: boolean }): Promise<void>;
}

/**
 * Vendure's {@link DefaultSchedulerStrategy} starts each task run without awaiting it (from the cron tick and from
 * the manual-trigger poll), and its shutdown does not wait for the runs either. A run still going when the process
 * stops meets a closed database connection ("Driver not Connected"), and its rejection is unhandled: Node ends the
 * process with exit code 1 in the middle of a graceful shutdown, and the task's lock stays taken until it goes stale.
 *
 * This strategy keeps track of its runs: at shutdown it starts no new one and waits (bounded) for the running ones
 * while the database is still open; a run that fails anyway is logged instead of left unhandled.
 */
export class ShutdownSafeSchedulerStrategy extends DefaultSchedulerStrategy {
    private readonly runs = new Set<Promise<void>>();
    private stopping = false;

    constructor() {
        super();
        const runner = this as unknown as TaskRunner;
        if (typeof runner.runTask !== 'function') {
            // A Vendure upgrade renamed it: fail at start, not at the first shutdown.
            throw new Error('ShutdownSafeSchedulerStrategy: DefaultSchedulerStrategy.runTask not found');
        }
        const runTask = runner.runTask.bind(this);
        runner.runTask = (task, options) => {
            if (this.stopping) {
                return Promise.resolve();
            }
            const run: Promise<void> = runTask(task, options)
                .catch((e: unknown) =>
                    Logger.error(
                        `Scheduled task "${task.id}" could not run: ${e instanceof Error ? e.message : String(e)}`,
                        loggerCtx,
                    ),
                )
                .finally(() => this.runs.delete(run));
            this.runs.add(run);
            return run;
        };
    }

    /** Starts no new run and waits up to `timeoutMs` for the running ones. */
    async drain(timeoutMs: number): Promise<void> {
        this.stopping = true;
        if (this.runs.size === 0) {
            return;
        }
        Logger.info(`Waiting for ${this.runs.size} scheduled task run(s) to finish`, loggerCtx);
        let timer: NodeJS.Timeout | undefined;
        const deadline = new Promise<void>(resolve => (timer = setTimeout(resolve, timeoutMs)));
        await Promise.race([Promise.allSettled([...this.runs]), deadline]);
        clearTimeout(timer);
    }
}

/** How long shutdown waits for running scheduled tasks; below the pods' termination grace period. */
const DRAIN_TIMEOUT_MS = 10_000;

@Injectable()
class SchedulerDrain implements OnModuleDestroy {
    constructor(private readonly configService: ConfigService) {}

    // Nest calls every onModuleDestroy before any onApplicationShutdown, and the database connection closes in
    // the latter: here the running tasks can still finish their work and release their locks.
    async onModuleDestroy(): Promise<void> {
        const strategy = this.configService.schedulerOptions.schedulerStrategy;
        if (strategy instanceof ShutdownSafeSchedulerStrategy) {
            await strategy.drain(DRAIN_TIMEOUT_MS);
        }
    }
}

/**
 * Put after `DefaultSchedulerPlugin` in the plugin list: replaces its strategy with
 * {@link ShutdownSafeSchedulerStrategy}. Without `DefaultSchedulerPlugin` it changes nothing.
 */
@VendurePlugin({
    imports: [PluginCommonModule],
    providers: [SchedulerDrain],
    configuration: config => {
        const { schedulerStrategy } = config.schedulerOptions;
        if (schedulerStrategy?.constructor === DefaultSchedulerStrategy) {
            config.schedulerOptions.schedulerStrategy = new ShutdownSafeSchedulerStrategy();
        }
        return config;
    },
    compatibility: '^3.7.0',
})
export class SchedulerShutdownPlugin {}
