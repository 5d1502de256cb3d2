import fs from 'node:fs';
import path from 'node:path';

/** The Admin UI that @vendure/admin-ui-plugin ships prebuilt. */
const PREBUILT_ADMIN_UI = path.join(
    path.dirname(require.resolve('@vendure/admin-ui-plugin')),
    'admin-ui',
    'browser',
);

/** Files the AdminUiPlugin rewrites at every start (base href, API settings). */
const REWRITTEN_FILES = new Set(['index.html', 'vendure-ui-config.json']);

/**
 * Gives this deployment its own Admin UI folder: links to the prebuilt files plus private copies of the two files
 * the AdminUiPlugin rewrites at start. Several servers sharing one node_modules (tests, a host running two shops)
 * would otherwise rewrite the same files while others serve them, and browsers would get an empty page.
 */
export function prepareAdminUiApp(targetDir: string): void {
    fs.mkdirSync(targetDir, { recursive: true });
    for (const entry of fs.readdirSync(PREBUILT_ADMIN_UI)) {
        const source = path.join(PREBUILT_ADMIN_UI, entry);
        const target = path.join(targetDir, entry);
        if (REWRITTEN_FILES.has(entry)) {
            if (!fs.existsSync(target)) {
                fs.copyFileSync(source, target);
            }
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
}
