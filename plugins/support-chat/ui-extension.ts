import path from 'node:path';

import type { AdminUiExtension } from '@vendure/ui-devkit/compiler';

/**
 * The Admin UI "Support chat" screen, for `compileUiExtensions()` of `@vendure/ui-devkit`. Its Angular sources
 * are in `ui/` beside the plugin's TypeScript sources (they are compiled by the Admin UI build, not by tsc), so
 * the caller passes that folder: `supportChatUiExtension(path.join(root, 'plugins/support-chat'))`.
 */
export function supportChatUiExtension(pluginSourceDir: string): AdminUiExtension {
    const uiDir = path.join(pluginSourceDir, 'ui');
    return {
        id: 'support-chat',
        extensionPath: uiDir,
        routes: [{ route: 'support-chat', filePath: 'routes.ts' }],
        providers: ['providers.ts'],
        translations: {
            fa: path.join(uiDir, 'translations', 'fa.json'),
            en: path.join(uiDir, 'translations', 'en.json'),
        },
    };
}
