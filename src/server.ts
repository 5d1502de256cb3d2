import { startServer } from './bootstrap';
import { loadAppConfig } from './config/app-config';
import { exitOnStartupError, onShutdown, resolveProviders } from './runtime';

/** The server process alone (production, Kubernetes): HTTP APIs, Admin UI, no job processing in services mode. */
async function main(): Promise<void> {
    const app = loadAppConfig();
    const { providers, simulators } = await resolveProviders(app);
    const server = await startServer(app, { providers });
    onShutdown(async () => {
        await server.close();
        await simulators?.close();
    });
}

main().catch(exitOnStartupError);
