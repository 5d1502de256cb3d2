import type { AppConfig } from '../config/app-config';

/** The base URL of each provider's API for one deployment, and which of them are the built-in simulator. */
export interface ProviderUrls {
    zibal: string;
    zibalPlatform: string;
    smsir: string;
    postex: string;
    simulated: Array<'zibal' | 'smsir' | 'postex'>;
}

/** Real URLs come from the environment; a missing one points at the simulator running at `simulatorBaseUrl`. */
export function resolveProviderUrls(app: AppConfig, simulatorBaseUrl: string): ProviderUrls {
    const simulated: ProviderUrls['simulated'] = [];
    const pick = (name: 'zibal' | 'smsir' | 'postex', configured: string | undefined, simPath: string) => {
        if (configured) {
            return configured.replace(/\/$/, '');
        }
        simulated.push(name);
        return `${simulatorBaseUrl}${simPath}`;
    };
    const zibal = pick('zibal', app.zibal.apiUrl, '/zibal');
    return {
        zibal,
        // Zibal's refund API lives on another host; the simulator serves both under one base.
        zibalPlatform: app.zibal.apiUrl
            ? (app.zibal.platformUrl ?? 'https://api.zibal.ir')
            : `${simulatorBaseUrl}/zibal-api`,
        smsir: pick('smsir', app.smsir.apiUrl, '/smsir'),
        postex: pick('postex', app.postex.apiUrl, '/postex/api/v1'),
        simulated,
    };
}

export function needsSimulator(app: AppConfig): boolean {
    return !app.zibal.apiUrl || !app.smsir.apiUrl || !app.postex.apiUrl;
}
