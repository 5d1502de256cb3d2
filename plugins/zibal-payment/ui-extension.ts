import path from 'node:path';

import type { AdminUiExtension } from '@vendure/ui-devkit/compiler';

/**
 * The Admin UI part of the plugin, for `compileUiExtensions()` of `@vendure/ui-devkit`: the «Payments needing
 * attention» screen (Sales → Zibal payments) and the order page's «Zibal payments» panel. Its Angular sources
 * are in `ui/` (compiled by the Admin UI build, not by tsc): `zibalPaymentUiExtension(path.join(root,
 * 'plugins/zibal-payment'))`.
 */
export function zibalPaymentUiExtension(pluginSourceDir: string): AdminUiExtension {
    const uiDir = path.join(pluginSourceDir, 'ui');
    return {
        id: 'zibal-payment',
        extensionPath: uiDir,
        routes: [{ route: 'zibal-payments', filePath: 'routes.ts' }],
        providers: ['providers.ts'],
        translations: {
            fa: path.join(uiDir, 'translations', 'fa.json'),
            en: path.join(uiDir, 'translations', 'en.json'),
        },
    };
}
