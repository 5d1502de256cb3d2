import { Client } from 'pg';

import { BackupStatus } from './backup-status';
import { Pgbackrest } from './pgbackrest';

/**
 * The PostgreSQL part of the backup status: the newest good backup from the repository (`pgbackrest info`) and the
 * archiver's view from the live database (`pg_stat_archiver`: last archived and last failed WAL segment).
 */
export async function postgresBackupStatus(
    pgbackrest: Pgbackrest,
    databaseUrl: string,
    now = new Date(),
): Promise<NonNullable<BackupStatus['postgres']>> {
    const info = await pgbackrest.info();
    const last = info.backups.filter(b => !b.error).at(-1);
    const client = new Client({ connectionString: databaseUrl });
    await client.connect();
    let archiver: {
        last_archived_wal: string | null;
        last_archived_time: Date | null;
        last_failed_wal: string | null;
        last_failed_time: Date | null;
    };
    try {
        [archiver] = (
            await client.query(
                'SELECT last_archived_wal, last_archived_time, last_failed_wal, last_failed_time FROM pg_stat_archiver',
            )
        ).rows;
    } finally {
        await client.end();
    }
    return {
        checkedAt: now.toISOString(),
        lastGoodBackup: last
            ? { label: last.label, type: last.type, finishedAt: last.finishedAt.toISOString() }
            : null,
        lastArchivedWal:
            archiver.last_archived_wal && archiver.last_archived_time
                ? {
                      segment: archiver.last_archived_wal,
                      archivedAt: archiver.last_archived_time.toISOString(),
                  }
                : null,
        lastFailedWal:
            archiver.last_failed_wal && archiver.last_failed_time
                ? { segment: archiver.last_failed_wal, failedAt: archiver.last_failed_time.toISOString() }
                : null,
    };
}
