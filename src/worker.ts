// First: tracing (when OTEL_EXPORTER_OTLP_ENDPOINT is set) must be set up before http, express, pg, ... load.
import './tracing/preload';
import { startWorker } from './bootstrap';
import { loadAppConfig } from './config/app-config';
import { exitOnStartupError, resolveProviders } from './runtime';

/** The worker process of the services profile: BullMQ jobs, scheduled tasks, `/health` on WORKER_HEALTH_PORT. */
async function main(): Promise<void> {
    stopWithParent();
    const app = loadAppConfig();
    const { providers } = await resolveProviders(app);
    await startWorker(app, { providers });
    // On SIGTERM startWorker's handler closes the job queue (running jobs finish) and the health server, then exits.
}

main().catch(exitOnStartupError);

/**
 * When `npm start` forked this worker, it stops with its parent, even if the parent's SIGTERM arrived while the
 * worker was still starting (Nest would not act on it then).
 */
function stopWithParent(): void {
    if (!process.send) {
        return;
    }
    process.once('disconnect', () => {
        process.kill(process.pid, 'SIGTERM');
        setTimeout(() => process.exit(0), 10_000).unref();
    });
}
