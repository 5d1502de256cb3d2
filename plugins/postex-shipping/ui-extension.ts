import path from 'node:path';

import type { AdminUiExtension } from '@vendure/ui-devkit/compiler';

/**
 * The Admin UI part of the plugin, for `compileUiExtensions()` of `@vendure/ui-devkit`: the fulfillment's
 * «Postex label» field becomes a download button that asks the Admin API for a signed link
 * (`createPostexLabelLink`) and downloads the PDF. Its Angular sources are in `ui/` (compiled by the Admin UI
 * build, not by tsc): `postexShippingUiExtension(path.join(root, 'plugins/postex-shipping'))`.
 */
export function postexShippingUiExtension(pluginSourceDir: string): AdminUiExtension {
    const uiDir = path.join(pluginSourceDir, 'ui');
    return {
        id: 'postex-shipping',
        extensionPath: uiDir,
        providers: ['providers.ts'],
        translations: {
            fa: path.join(uiDir, 'translations', 'fa.json'),
            en: path.join(uiDir, 'translations', 'en.json'),
        },
    };
}
