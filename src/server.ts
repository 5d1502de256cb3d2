// First: tracing (when OTEL_EXPORTER_OTLP_ENDPOINT is set) must be set up before http, express, pg, ... load.
import './tracing/preload';
import { startServer } from './bootstrap';
import { loadAppConfig } from './config/app-config';
import { exitOnStartupError, resolveProviders } from './runtime';

/** The server process alone (production, Kubernetes): HTTP APIs, Admin UI, no job processing in services mode. */
async function main(): Promise<void> {
    const app = loadAppConfig();
    const { providers } = await resolveProviders(app);
    await startServer(app, { providers });
    // The in-process simulators (development only) end with the process.
}

main().catch(exitOnStartupError);
