import fs from 'node:fs';
import path from 'node:path';

import { describe, expect, it } from 'vitest';

import { ROOT } from './deploy-tools';

/** The Dockerfile's admin-ui stage, up to the next FROM. */
function adminUiStage(): string {
    const dockerfile = fs.readFileSync(path.join(ROOT, 'docker', 'Dockerfile'), 'utf8');
    const start = dockerfile.indexOf('AS admin-ui');
    const end = dockerfile.indexOf('\nFROM ', start);
    return dockerfile.slice(start, end);
}

describe('Dockerfile', () => {
    // The admin-ui stage copies only what the Admin UI compile reads (so server changes reuse its layer); an
    // extension added to src/admin-ui.ts but not copied fails the image build, which only CI's last step runs.
    it('the admin-ui stage copies every Admin UI extension that src/admin-ui.ts compiles', () => {
        const source = fs.readFileSync(path.join(ROOT, 'src', 'admin-ui.ts'), 'utf8');
        const plugins = [...source.matchAll(/'\.\.\/plugins\/([\w-]+)\/ui-extension'/g)].map(m => m[1]);
        const srcDirs = [...source.matchAll(/path\.join\(PROJECT_ROOT, 'src', '([\w-]+)'\)/g)].map(m => m[1]);
        expect(plugins.length).toBeGreaterThanOrEqual(4);
        expect(srcDirs).toEqual(['admin-ui-fixes']);

        const copied = [...adminUiStage().matchAll(/^COPY (.+) \S+$/gm)].flatMap(m => m[1].split(' '));
        const expected = [
            ...plugins.flatMap(p => [`plugins/${p}/ui-extension.ts`, `plugins/${p}/ui`]),
            ...srcDirs.map(d => `src/${d}`),
        ];
        expect(expected.filter(file => !copied.includes(file))).toEqual([]);
    });
});
