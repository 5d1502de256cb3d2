import v8 from 'node:v8';

import { Logger } from '@vendure/core';

import { AppConfig } from './config/app-config';
import { ProviderSimulators } from './simulators/simulator-server';
import { needsSimulator, ProviderUrls, resolveProviderUrls } from './simulators/provider-urls';

/**
 * Resolves where each provider's API is. Outside production, a provider without a configured URL is served
 * by the built-in simulator, started here in-process; production mode never gets this far without real URLs.
 */
export async function resolveProviders(
    app: AppConfig,
): Promise<{ providers: ProviderUrls; simulators?: ProviderSimulators }> {
    if (!needsSimulator(app)) {
        return { providers: resolveProviderUrls(app, '') };
    }
    const simulators = new ProviderSimulators();
    const baseUrl = await simulators.listen(app.simulatorPort);
    const providers = resolveProviderUrls(app, baseUrl);
    Logger.warn(
        `Using the built-in provider simulator at ${baseUrl} for: ${providers.simulated.join(', ')}. ` +
            'No real payment, SMS or parcel is made. SMS codes are readable at ' +
            `${baseUrl}/smsir/__inbox`,
        'Simulators',
    );
    return { providers, simulators };
}

/**
 * Runs synchronous clean-up (e.g. stopping a child process) when this process exits. SIGTERM/SIGINT are handled
 * by the server's draining shutdown (src/http/graceful-shutdown.ts), which ends with process.exit(), and in the
 * worker by Vendure's Nest shutdown hooks, which re-raise the signal; both end in the 'exit' event.
 */
export function onExit(cleanup: () => void): void {
    process.once('exit', cleanup);
}

/** Prints a startup error (configuration problems name the variable) and exits non-zero. */
export function exitOnStartupError(e: unknown): never {
    console.error(e instanceof Error ? e.message : e);
    if (e instanceof Error && e.name !== 'ConfigError' && e.stack) {
        console.error(e.stack);
    }
    process.exit(1);
}

/**
 * Lets the old generation grow by `heapGrowingPercent` after each major GC before the next one. V8's default for a
 * server heap like Vendure's (~120 MB live) is ~10 %, so a busy server ran a major GC every ~8 s, and each one's
 * concurrent marking took both cores of a small host for ~200 ms (the bench:chat p99 tail). At 100 % they come
 * every minute or so, for ~100 MB more RSS. Set before the server allocates its heap.
 */
export function tuneHeap(app: AppConfig): void {
    if (app.heapGrowingPercent > 0) {
        v8.setFlagsFromString(`--heap-growing-percent=${app.heapGrowingPercent}`);
    }
}
