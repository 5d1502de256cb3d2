/**
 * Builds the browser assets the server serves, after `tsc` (`npm run build`). One function per asset.
 */
import path from 'node:path';

import { buildWidget } from '../plugins/support-chat/build/widget-bundle';
import { STATIC_DIR } from '../src/paths';

/** The storefront support chat widget, served by SupportChatPlugin at `/support-chat/widget.js`. */
async function supportChatWidget(): Promise<void> {
    const outFile = path.join(STATIC_DIR, 'support-chat', 'widget.js');
    await buildWidget(outFile);
    console.log(`built ${path.relative(process.cwd(), outFile)}`);
}

async function main(): Promise<void> {
    await supportChatWidget();
}

main().catch(err => {
    console.error(err);
    process.exit(1);
});
