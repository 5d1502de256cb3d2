import path from 'node:path';

import type { AdminUiExtension } from '@vendure/ui-devkit/compiler';

/**
 * The Admin UI part of the plugin, for `compileUiExtensions()` of `@vendure/ui-devkit`: the «SMS and login»
 * screen (Customers → SMS and login): today's code sends by outcome, the SMS.ir credit, the shop-wide send
 * windows and a warning when sends spike. Its Angular sources are in `ui/` (compiled by the Admin UI build, not
 * by tsc): `smsOtpUiExtension(path.join(root, 'plugins/sms-otp'))`.
 */
export function smsOtpUiExtension(pluginSourceDir: string): AdminUiExtension {
    const uiDir = path.join(pluginSourceDir, 'ui');
    return {
        id: 'sms-otp',
        extensionPath: uiDir,
        routes: [{ route: 'sms-login', filePath: 'routes.ts' }],
        providers: ['providers.ts'],
        translations: {
            fa: path.join(uiDir, 'translations', 'fa.json'),
            en: path.join(uiDir, 'translations', 'en.json'),
        },
    };
}
