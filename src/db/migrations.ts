import fs from 'node:fs';
import path from 'node:path';

import { preBootstrapConfig, resetConfig, VendureConfig } from '@vendure/core';
import { DataSource, DataSourceOptions } from 'typeorm';

/** An arbitrary, fixed key: only one process at a time applies migrations to a PostgreSQL database. */
const MIGRATION_LOCK_KEY = 737_003;

async function openDataSource(config: VendureConfig): Promise<DataSource> {
    // Start from Vendure's defaults: the global config may still hold another app's runtime config (a second
    // server in the same process, as in the multi-instance tests), whose plugin additions would be merged twice.
    resetConfig();
    const runtime = await preBootstrapConfig(config);
    const dataSource = new DataSource({
        ...runtime.dbConnectionOptions,
        synchronize: false,
        migrationsRun: false,
        logging: false,
        subscribers: [],
    } as DataSourceOptions);
    await dataSource.initialize();
    return dataSource;
}

async function withDataSource<T>(config: VendureConfig, work: (ds: DataSource) => Promise<T>): Promise<T> {
    const dataSource = await openDataSource(config);
    try {
        return await work(dataSource);
    } finally {
        await dataSource.destroy();
        // preBootstrapConfig() fills Vendure's global config; bootstrap() must start from a clean one.
        resetConfig();
    }
}

/**
 * Applies the committed migrations that have not run yet and returns their names.
 * On PostgreSQL an advisory lock makes concurrent starts (server + worker, several pods) wait for each other.
 */
export async function applyMigrations(config: VendureConfig): Promise<string[]> {
    return withDataSource(config, async dataSource => {
        const lock = dataSource.createQueryRunner();
        await lock.connect();
        const isPostgres = dataSource.options.type === 'postgres';
        try {
            if (isPostgres) {
                await lock.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK_KEY]);
            } else {
                // SQLite checks foreign keys per statement; table rebuilds in migrations need them off.
                await dataSource.query('PRAGMA foreign_keys=OFF');
            }
            const ran = await dataSource.runMigrations({ transaction: 'each' });
            return ran.map(m => m.name);
        } finally {
            if (isPostgres) {
                await lock.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK_KEY]);
            } else {
                await dataSource.query('PRAGMA foreign_keys=ON');
            }
            await lock.release();
        }
    });
}

/** The SQL that would bring the database in line with the entities: empty when the migrations are complete. */
export async function pendingSchemaChanges(config: VendureConfig): Promise<string[]> {
    return withDataSource(config, async dataSource => {
        const log = await dataSource.driver.createSchemaBuilder().log();
        return log.upQueries.map(q => q.query);
    });
}

/**
 * Writes a migration with the SQL that brings the database (with all migrations applied) in line with the entities,
 * then rewrites the folder's index.ts so the new migration is registered. Returns the file, or undefined.
 */
export async function generateMigration(
    config: VendureConfig,
    name: string,
    directory: string,
): Promise<string | undefined> {
    return withDataSource(config, async dataSource => {
        const log = await dataSource.driver.createSchemaBuilder().log();
        if (log.upQueries.length === 0) {
            return undefined;
        }
        const timestamp = Date.now();
        const className = `${name.replace(/(^|[-_\s]+)(\w)/g, (_, __, c: string) => c.toUpperCase())}${timestamp}`;
        const toCall = (q: { query: string; parameters?: unknown[] }) =>
            `        await queryRunner.query(${JSON.stringify(q.query)}${q.parameters?.length ? `, ${JSON.stringify(q.parameters)}` : ''});`;
        const content = `import { MigrationInterface, QueryRunner } from 'typeorm';

export class ${className} implements MigrationInterface {
    name = '${className}';

    public async up(queryRunner: QueryRunner): Promise<void> {
${log.upQueries.map(toCall).join('\n')}
    }

    public async down(queryRunner: QueryRunner): Promise<void> {
${[...log.downQueries].reverse().map(toCall).join('\n')}
    }
}
`;
        const file = path.join(directory, `${timestamp}-${name}.ts`);
        fs.writeFileSync(file, content);
        writeMigrationIndex(directory);
        return file;
    });
}

/** migrations/<dialect>/index.ts lists every migration class, so they load the same from sources and from dist/. */
export function writeMigrationIndex(directory: string): void {
    const files = fs
        .readdirSync(directory)
        .filter(f => /^\d+-.+\.ts$/.test(f))
        .sort();
    const entries = files.map(f => {
        const source = fs.readFileSync(path.join(directory, f), 'utf8');
        const className = /export class (\w+)/.exec(source)?.[1];
        if (!className) {
            throw new Error(`No exported class in ${f}`);
        }
        return { module: `./${f.replace(/\.ts$/, '')}`, className };
    });
    const exportName = `${path.basename(directory)}Migrations`;
    const content = `// Generated by \`npm run migration:generate\`: the migrations of this dialect, oldest first.
${entries.map(e => `import { ${e.className} } from '${e.module}';`).join('\n')}

export const ${exportName} = [${entries.map(e => e.className).join(', ')}];
`;
    fs.writeFileSync(path.join(directory, 'index.ts'), content);
}
