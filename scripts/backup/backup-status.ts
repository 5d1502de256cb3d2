/**
 * `npm run backup:status`: reads the pgBackRest repository (`pgbackrest info`) and the live database's archiver
 * (`pg_stat_archiver`, DATABASE_URL) and writes the PostgreSQL section of the backup status file
 * (BACKUP_STATUS_FILE), which the metrics endpoint reads. Run it after each scheduled backup and every few minutes
 * (docker/postgres/pgbackrest.cron). Prints the metrics it implies. Exit code 1 when it cannot read either.
 */
import { backupMetrics, updateBackupStatus } from '../../src/backup/backup-status';
import { serverUser } from '../../src/backup/postgres-cluster';
import { Pgbackrest } from '../../src/backup/pgbackrest';
import { postgresBackupStatus } from '../../src/backup/postgres-status';
import { loadAppConfig } from '../../src/config/app-config';

async function main(): Promise<void> {
    const app = loadAppConfig();
    if (app.database.type !== 'postgres') {
        throw new Error('DATABASE_URL: the PostgreSQL backup status needs the live database');
    }
    const pgbackrest = new Pgbackrest({
        configFile: process.env.PGBACKREST_CONFIG ?? '/etc/pgbackrest/pgbackrest.conf',
        env: {},
        user: serverUser(),
    });
    const status = updateBackupStatus(
        app.backup.statusFile,
        'postgres',
        await postgresBackupStatus(pgbackrest, app.database.url),
    );
    process.stdout.write(backupMetrics(status));
}

main().catch(e => {
    console.error(`backup:status failed: ${(e as Error).message}`);
    process.exit(1);
});
