import fs from 'node:fs';
import path from 'node:path';

/** The repository root (the folder with package.json), whether running from TypeScript sources or from dist/. */
export const PROJECT_ROOT = findProjectRoot(__dirname);

export const STATIC_DIR = path.join(PROJECT_ROOT, 'static');

function findProjectRoot(start: string): string {
    let dir = start;
    while (!fs.existsSync(path.join(dir, 'package.json'))) {
        const parent = path.dirname(dir);
        if (parent === dir) {
            throw new Error(`No package.json above ${start}`);
        }
        dir = parent;
    }
    return dir;
}
