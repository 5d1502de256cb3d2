import path from 'node:path';

import { buildVendureConfig } from '../vendure-config';
import { AppConfig, loadAppConfig } from '../src/config/app-config';
import { createScratchDatabase } from '../src/db/scratch-database';
import { applyMigrations, generateMigration, pendingSchemaChanges } from '../src/db/migrations';
import { PROJECT_ROOT } from '../src/paths';
import { resolveProviderUrls } from '../src/simulators/provider-urls';
import fs from 'node:fs';
import os from 'node:os';

/**
 * `npm run migration:generate -- <name>`: writes a migration for each dialect (SQLite always; PostgreSQL
 *   when DATABASE_URL is set) from the difference between the entities and the committed migrations.
 * `npm run migration:check`: fails when that difference is not empty (CI runs it).
 * `npm run migrate`: applies pending migrations to the configured database.
 * Generation and checks run against scratch databases, never the configured one.
 */
async function main(): Promise<void> {
    const [command, name] = process.argv.slice(2);
    const base = loadAppConfig({ ...process.env, LOG_LEVEL: 'warn', SEED_ON_START: 'false' });
    if (command === 'run') {
        const ran = await applyMigrations(configFor(base));
        console.log(ran.length ? `Applied: ${ran.join(', ')}` : 'No pending migrations.');
        return;
    }
    if (command !== 'generate' && command !== 'check') {
        throw new Error('Usage: migration.js generate <name> | check | run');
    }
    if (command === 'generate' && !/^[a-z][a-z0-9-]*$/.test(name ?? '')) {
        throw new Error(
            'Give the migration a kebab-case name, e.g. `npm run migration:generate -- add-zibal-attempts`',
        );
    }
    let failed = false;
    for (const scratch of await scratchDatabases(base)) {
        try {
            const config = configFor(scratch.app);
            await applyMigrations(config);
            const dir = path.join(PROJECT_ROOT, 'migrations', scratch.dialect);
            if (command === 'generate') {
                const file = await generateMigration(config, name, dir);
                console.log(
                    file
                        ? `${scratch.dialect}: wrote ${path.relative(PROJECT_ROOT, file)}`
                        : `${scratch.dialect}: nothing to do`,
                );
            } else {
                const pending = await pendingSchemaChanges(config);
                if (pending.length) {
                    failed = true;
                    console.error(
                        `${scratch.dialect}: the entities and the migrations disagree. Run \`npm run migration:generate -- <name>\`. Pending:`,
                    );
                    pending.forEach(q => console.error(`  ${q}`));
                } else {
                    console.log(`${scratch.dialect}: migrations match the entities`);
                }
            }
        } finally {
            await scratch.drop();
        }
    }
    if (failed) {
        process.exitCode = 1;
    }
}

function configFor(app: AppConfig) {
    return buildVendureConfig(app, {
        role: 'server',
        providers: resolveProviderUrls(app, 'http://127.0.0.1:9'),
    });
}

interface Scratch {
    dialect: 'sqlite' | 'postgres';
    app: AppConfig;
    drop(): Promise<void>;
}

async function scratchDatabases(base: AppConfig): Promise<Scratch[]> {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'migrations-'));
    const sqlite: Scratch = {
        dialect: 'sqlite',
        app: {
            ...base,
            profile: 'embedded',
            redisUrl: undefined,
            database: { type: 'better-sqlite3', path: path.join(dir, 'scratch.sqlite') },
        },
        drop: async () => fs.rmSync(dir, { recursive: true, force: true }),
    };
    if (base.database.type !== 'postgres') {
        console.warn('DATABASE_URL is not set: PostgreSQL migrations are not generated or checked.');
        return [sqlite];
    }
    const scratch = await createScratchDatabase(base.database.url, `migration_scratch_${process.pid}`);
    const postgres: Scratch = {
        dialect: 'postgres',
        app: {
            ...base,
            profile: 'services',
            redisUrl: undefined,
            database: { ...base.database, url: scratch.url },
        },
        drop: scratch.drop,
    };
    return [sqlite, postgres];
}

main().catch(e => {
    console.error(e instanceof Error ? e.message : e);
    process.exit(1);
});
