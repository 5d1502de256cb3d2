import path from 'node:path';

import type { AdminUiExtension } from '@vendure/ui-devkit/compiler';

/**
 * The Admin UI part of the plugin, for `compileUiExtensions()` of `@vendure/ui-devkit`: the fulfillment's
 * «Postex label» field becomes a download button that asks the Admin API for a signed link
 * (`createPostexLabelLink`) and downloads the PDF; the «Parcels needing attention» screen (Sales → Postex parcels)
 * lists creations that failed (with a retry), labels to print and delivered cash-on-delivery orders not settled. Its
 * Angular sources are in `ui/` (compiled by the Admin UI
 * build, not by tsc): `postexShippingUiExtension(path.join(root, 'plugins/postex-shipping'))`.
 */
export function postexShippingUiExtension(pluginSourceDir: string): AdminUiExtension {
    const uiDir = path.join(pluginSourceDir, 'ui');
    return {
        id: 'postex-shipping',
        extensionPath: uiDir,
        routes: [{ route: 'postex-parcels', filePath: 'routes.ts' }],
        providers: ['providers.ts'],
        translations: {
            fa: path.join(uiDir, 'translations', 'fa.json'),
            en: path.join(uiDir, 'translations', 'en.json'),
        },
    };
}
