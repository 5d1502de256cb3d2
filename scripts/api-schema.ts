import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { ApiName, classifyChanges } from '../src/api-contract/api-contract';
import { CHANGELOG_FILE, exportSchemas, SDL_FILES } from '../src/api-contract/export-schema';
import { PROJECT_ROOT } from '../src/paths';

/**
 * `npm run schema:export`: writes the Shop and Admin API SDL (docs/api/*.graphql) from the running server.
 * `npm run schema:check`: fails when the committed SDL is not what the server serves (prints the diff), or when
 *   the Shop API has a breaking change, relative to the base branch, that docs/api/CHANGELOG.md does not
 *   acknowledge. The base is `git merge-base HEAD $SCHEMA_BASE_REF` (default `main`).
 */
async function main(): Promise<void> {
    const command = process.argv[2];
    if (command !== 'export' && command !== 'check') {
        throw new Error('Usage: api-schema.ts export | check');
    }
    const started = Date.now();
    const current = await exportSchemas();
    if (command === 'export') {
        for (const api of ['shop', 'admin'] as const) {
            fs.mkdirSync(path.dirname(SDL_FILES[api]), { recursive: true });
            fs.writeFileSync(SDL_FILES[api], current[api]);
            console.log(`wrote ${path.relative(PROJECT_ROOT, SDL_FILES[api])}`);
        }
        console.log(`done in ${((Date.now() - started) / 1000).toFixed(1)} s`);
        return;
    }
    let failed = false;
    for (const api of ['shop', 'admin'] as const) {
        const committed = readOrEmpty(SDL_FILES[api]);
        if (committed !== current[api]) {
            failed = true;
            console.error(
                `\n${rel(SDL_FILES[api])} is not what the server serves: run \`npm run schema:export\` and commit it.`,
            );
            console.error(textDiff(SDL_FILES[api], current[api]));
        } else {
            console.log(`${rel(SDL_FILES[api])} matches the server`);
        }
    }
    failed = (await checkBreaking('shop', current.shop, true)) || failed;
    await checkBreaking('admin', current.admin, false);
    if (failed) {
        process.exitCode = 1;
    }
}

/** Classifies the API's changes since the base; returns true when an unacknowledged breaking change must fail. */
async function checkBreaking(api: ApiName, current: string, enforce: boolean): Promise<boolean> {
    const base = baseSdl(api);
    if (!base.sdl) {
        console.log(`${api} API: no SDL at the base (${base.from}); nothing to classify`);
        return false;
    }
    const report = await classifyChanges(base.sdl, current, readOrEmpty(CHANGELOG_FILE));
    console.log(`${api} API: ${report.changes.length} change(s) since ${base.from}`);
    for (const c of report.changes) {
        const note =
            c.level === 'BREAKING' ? (c.acknowledged ? ' (acknowledged)' : ' (NOT acknowledged)') : '';
        console.log(`  ${c.level} ${c.path}: ${c.message}${note}`);
    }
    if (!enforce || !report.unacknowledged.length) {
        return false;
    }
    console.error(
        `\nBreaking Shop API change(s) not acknowledged. Add a list item naming each path under \`## Unreleased\` in ${rel(CHANGELOG_FILE)} (see docs/api/README.md), e.g.:`,
    );
    for (const c of report.unacknowledged) {
        console.error(`- \`${c.path}\`: ${c.message}. <what clients must do>`);
    }
    return true;
}

/** The committed SDL at the merge base with the base branch; the working tree's file when git cannot tell. */
function baseSdl(api: ApiName): { sdl: string; from: string } {
    const ref = process.env.SCHEMA_BASE_REF ?? 'main';
    const file = path.relative(PROJECT_ROOT, SDL_FILES[api]).split(path.sep).join('/');
    let base: string;
    try {
        base = git(['merge-base', 'HEAD', ref]).trim();
    } catch {
        console.warn(
            `No merge base with '${ref}' (set SCHEMA_BASE_REF): classifying against the committed file.`,
        );
        return { sdl: readOrEmpty(SDL_FILES[api]), from: `the committed ${file}` };
    }
    try {
        return { sdl: git(['show', `${base}:${file}`]), from: `${ref} (${base.slice(0, 8)})` };
    } catch {
        return { sdl: '', from: `${ref} (${base.slice(0, 8)})` };
    }
}

function git(args: string[]): string {
    return execFileSync('git', args, {
        cwd: PROJECT_ROOT,
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'ignore'],
    });
}

function textDiff(file: string, expected: string): string {
    const tmp = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'schema-check-')), path.basename(file));
    fs.writeFileSync(tmp, expected);
    try {
        execFileSync(
            'git',
            ['diff', '--no-index', '--no-color', '--', fs.existsSync(file) ? rel(file) : '/dev/null', tmp],
            { cwd: PROJECT_ROOT, encoding: 'utf8' },
        );
        return '';
    } catch (e) {
        return String((e as { stdout?: string }).stdout ?? e);
    } finally {
        fs.rmSync(path.dirname(tmp), { recursive: true, force: true });
    }
}

function readOrEmpty(file: string): string {
    return fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : '';
}

function rel(file: string): string {
    return path.relative(PROJECT_ROOT, file);
}

main().then(
    // The server's connections (SQLite, timers) may keep the loop alive after close: the result is known.
    () => process.exit(),
    e => {
        console.error(e instanceof Error ? e.message : e);
        process.exit(1);
    },
);
