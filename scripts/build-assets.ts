/**
 * The build steps after `tsc` (`npm run build`, so `npm start` and the Docker image get them too): the assets
 * browsers load. One function per asset; each skips work when its inputs did not change.
 */
import path from 'node:path';

import { buildWidget } from '../plugins/support-chat/build/widget-bundle';
import { buildAdminUi } from '../src/admin-ui';
import { STATIC_DIR } from '../src/paths';

/** The storefront support chat widget, served by SupportChatPlugin at `/support-chat/widget.js`. */
async function supportChatWidget(): Promise<void> {
    const outFile = path.join(STATIC_DIR, 'support-chat', 'widget.js');
    await buildWidget(outFile);
    console.log(`built ${path.relative(process.cwd(), outFile)}`);
}

async function main(): Promise<void> {
    await supportChatWidget();
    // The Admin UI with the project's extensions (the Support chat screen); about a minute when not cached.
    await buildAdminUi();
}

main().catch(err => {
    console.error(err instanceof Error ? err.message : err);
    process.exit(1);
});
