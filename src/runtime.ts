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
 * by Vendure's Nest shutdown hooks, which close the app and then re-raise the signal to end the process; an
 * extra signal listener here would swallow that re-raised signal and keep the process alive.
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
