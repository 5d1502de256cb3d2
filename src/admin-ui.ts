import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

import type { AdminUiExtension } from '@vendure/ui-devkit/compiler';

import { postexShippingUiExtension } from '../plugins/postex-shipping/ui-extension';
import { smsOtpUiExtension } from '../plugins/sms-otp/ui-extension';
import { supportChatUiExtension } from '../plugins/support-chat/ui-extension';
import { zibalPaymentUiExtension } from '../plugins/zibal-payment/ui-extension';

import { PROJECT_ROOT } from './paths';

/** The Admin UI that @vendure/admin-ui-plugin ships prebuilt (no extensions). */
const PREBUILT_ADMIN_UI = path.join(
    path.dirname(require.resolve('@vendure/admin-ui-plugin')),
    'admin-ui',
    'browser',
);

/** Where `npm run build` compiles the Admin UI with this project's extensions (Angular's cache lives there too). */
export const ADMIN_UI_BUILD_DIR = path.join(PROJECT_ROOT, 'dist', 'admin-ui');
const COMPILED_ADMIN_UI = path.join(ADMIN_UI_BUILD_DIR, 'dist', 'browser');
const BUILD_STAMP = path.join(ADMIN_UI_BUILD_DIR, 'build-hash.txt');

/** Files the AdminUiPlugin rewrites at every start (base href, API settings). */
const REWRITTEN_FILES = new Set(['index.html', 'vendure-ui-config.json']);

export function adminUiExtensions(): AdminUiExtension[] {
    return [
        supportChatUiExtension(path.join(PROJECT_ROOT, 'plugins', 'support-chat')),
        postexShippingUiExtension(path.join(PROJECT_ROOT, 'plugins', 'postex-shipping')),
        zibalPaymentUiExtension(path.join(PROJECT_ROOT, 'plugins', 'zibal-payment')),
        smsOtpUiExtension(path.join(PROJECT_ROOT, 'plugins', 'sms-otp')),
        adminUiFixes(),
    ];
}

/**
 * Fixes of the stock Admin UI, not of a plugin: the order lines table that hid the total column (a global style)
 * and the variant page's «null%» tax rate (see `src/admin-ui-fixes/providers.ts`). Angular sources, compiled
 * by the Admin UI build only (excluded from tsc).
 */
function adminUiFixes(): AdminUiExtension {
    const dir = path.join(PROJECT_ROOT, 'src', 'admin-ui-fixes');
    return {
        id: 'admin-ui-fixes',
        extensionPath: dir,
        providers: ['providers.ts'],
        globalStyles: path.join(dir, 'order-lines.scss'),
    };
}

/**
 * Compiles the Admin UI with the project's extensions unless the last compile had the same inputs (the
 * extension sources and the installed packages): a cold compile takes about 40 s and 2 GB, so
 * `npm run build` and the browser tests only pay it when something changed.
 */
export async function buildAdminUi(
    log: (line: string) => void = line => process.stdout.write(`${line}\n`),
): Promise<'cached' | 'compiled'> {
    const extensions = adminUiExtensions();
    const hash = inputsHash(extensions);
    const current = fs.existsSync(BUILD_STAMP) ? fs.readFileSync(BUILD_STAMP, 'utf8').trim() : '';
    if (current === hash && fs.existsSync(path.join(COMPILED_ADMIN_UI, 'index.html'))) {
        log(`Admin UI: up to date (${path.relative(PROJECT_ROOT, COMPILED_ADMIN_UI)})`);
        return 'cached';
    }
    log('Admin UI: compiling with the project extensions (about a minute the first time)...');
    // Loaded here: the devkit is a build-time dependency that a running server never needs.
    const { compileUiExtensions } = await import('@vendure/ui-devkit/compiler');
    fs.rmSync(BUILD_STAMP, { force: true });
    const compiler = compileUiExtensions({
        outputPath: ADMIN_UI_BUILD_DIR,
        extensions,
        ngCompilerPath: require.resolve('@angular/cli/bin/ng.js'),
    });
    if (!('compile' in compiler) || !compiler.compile) {
        throw new Error('ui-devkit returned no compile step');
    }
    await compiler.compile().catch((code: unknown) => {
        throw new Error(`Admin UI compile failed (exit code ${String(code)})`);
    });
    fs.writeFileSync(BUILD_STAMP, `${hash}\n`);
    log(`Admin UI: compiled to ${path.relative(PROJECT_ROOT, COMPILED_ADMIN_UI)}`);
    return 'compiled';
}

/** The Admin UI this server serves: the compiled one with the extensions, or else the prebuilt one. */
export function adminUiSource(): { dir: string; withExtensions: boolean } {
    return fs.existsSync(BUILD_STAMP) && fs.existsSync(path.join(COMPILED_ADMIN_UI, 'index.html'))
        ? { dir: COMPILED_ADMIN_UI, withExtensions: true }
        : { dir: PREBUILT_ADMIN_UI, withExtensions: false };
}

/**
 * Gives this deployment its own Admin UI folder: links to the built files plus private copies of the two files
 * the AdminUiPlugin rewrites at start. Several servers sharing one build (tests, a host running two shops)
 * would otherwise rewrite the same files while others serve them, and browsers would get an empty page.
 */
export function prepareAdminUiApp(targetDir: string, sourceDir: string): void {
    fs.mkdirSync(targetDir, { recursive: true });
    const entries = new Set(fs.readdirSync(sourceDir));
    for (const entry of entries) {
        const source = path.join(sourceDir, entry);
        const target = path.join(targetDir, entry);
        if (REWRITTEN_FILES.has(entry)) {
            // A fresh copy each start (the source may have been rebuilt), swapped in atomically.
            const temp = `${target}.${process.pid}.tmp`;
            fs.copyFileSync(source, temp);
            fs.renameSync(temp, target);
            continue;
        }
        const current = fs.lstatSync(target, { throwIfNoEntry: false });
        if (current?.isSymbolicLink() && fs.readlinkSync(target) === source) {
            continue;
        }
        if (current) {
            fs.rmSync(target, { recursive: true, force: true });
        }
        fs.symlinkSync(source, target);
    }
    // Links left from another build (chunk names carry content hashes).
    for (const entry of fs.readdirSync(targetDir)) {
        const target = path.join(targetDir, entry);
        if (!entries.has(entry) && fs.lstatSync(target).isSymbolicLink()) {
            fs.rmSync(target, { force: true });
        }
    }
}

function inputsHash(extensions: AdminUiExtension[]): string {
    const hash = crypto.createHash('sha256');
    // The installed Angular and Admin UI packages shape the output as much as our sources do.
    hash.update(fs.readFileSync(path.join(PROJECT_ROOT, 'package-lock.json')));

    for (const extension of extensions) {
        hash.update(JSON.stringify(extension));
        const root = 'extensionPath' in extension ? extension.extensionPath : undefined;
        for (const file of root ? listFiles(root) : []) {
            hash.update(`${path.relative(root!, file)}\n`);
            hash.update(fs.readFileSync(file));
        }
    }
    return hash.digest('hex');
}

function listFiles(dir: string): string[] {
    return fs
        .readdirSync(dir, { withFileTypes: true, recursive: true })
        .filter(entry => entry.isFile())
        .map(entry => path.join(entry.parentPath, entry.name))
        .sort();
}
