import { startWorker } from './bootstrap';
import { loadAppConfig } from './config/app-config';
import { exitOnStartupError, onShutdown, resolveProviders } from './runtime';

/** The worker process of the services profile: BullMQ jobs, scheduled tasks, `/health` on WORKER_HEALTH_PORT. */
async function main(): Promise<void> {
    const app = loadAppConfig();
    const { providers, simulators } = await resolveProviders(app);
    const worker = await startWorker(app, { providers });
    onShutdown(async () => {
        await worker.close();
        await simulators?.close();
    });
}

main().catch(exitOnStartupError);
