import fs from 'node:fs';
import path from 'node:path';

import { PROJECT_ROOT } from '../../../src/paths';

/** The widget's entry: beside this file in the sources; from `dist/` the sources are found at the project root. */
function widgetEntry(): string {
    const candidates = [
        path.join(__dirname, '..', 'widget', 'main.ts'),
        path.join(PROJECT_ROOT, 'plugins', 'support-chat', 'widget', 'main.ts'),
    ];
    const found = candidates.find(c => fs.existsSync(c));
    if (!found) {
        throw new Error(`Support chat widget sources not found (looked for ${candidates.join(', ')})`);
    }
    return found;
}

/**
 * Bundles the storefront widget (TypeScript + socket.io-client) into one minified script for `<script src>`:
 * an IIFE (no globals but `window.SupportChat`), ES2019 for the browsers Iranian shoppers still use, no eval
 * (a storefront's CSP can keep `script-src 'self'`). Written to a temporary file first, then renamed, so a
 * server serving `outFile` never reads half a bundle. esbuild is loaded only here (a build-time dependency).
 */
export async function buildWidget(outFile: string): Promise<void> {
    const esbuild = await import('esbuild');
    const tmp = `${outFile}.${process.pid}.tmp`;
    fs.mkdirSync(path.dirname(outFile), { recursive: true });
    await esbuild.build({
        entryPoints: [widgetEntry()],
        outfile: tmp,
        bundle: true,
        minify: true,
        format: 'iife',
        platform: 'browser',
        target: 'es2019',
        sourcemap: false,
        legalComments: 'eof',
        charset: 'utf8',
        tsconfig: path.join(path.dirname(widgetEntry()), 'tsconfig.json'),
        logLevel: 'warning',
    });
    fs.renameSync(tmp, outFile);
}
