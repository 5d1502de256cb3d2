import fs from 'node:fs';
import path from 'node:path';

/**
 * The backup monitoring signal: one JSON file (`BACKUP_STATUS_FILE`, default `data/backup-status.json`) written by
 * the backup commands, `npm run backup:status` and the restore drill, and read by the metrics endpoint
 * ({@link backupMetrics}) so an alert can fire when a backup is older than its schedule allows.
 * Format (version 1), every time an ISO 8601 string:
 * ```json
 * {
 *   "version": 1,
 *   "postgres": {
 *     "checkedAt": "…",
 *     "lastGoodBackup": { "label": "20261202-054100F", "type": "full", "finishedAt": "…" } | null,
 *     "lastArchivedWal": { "segment": "000000010000000000000004", "archivedAt": "…" } | null,
 *     "lastFailedWal": { "segment": "…", "failedAt": "…" } | null
 *   },
 *   "sqlite": { "lastGoodBackup": { "file": "data/backups/shop-….sqlite", "finishedAt": "…", "bytes": 123 } },
 *   "drill": { "finishedAt": "…", "ok": true, "rpoSeconds": 4.2, "rtoSeconds": 21.5, "durationSeconds": 150,
 *              "problems": [] }
 * }
 * ```
 * A section is absent until its first writer ran. Writers replace their own section only.
 */
export interface BackupStatus {
    version: 1;
    postgres?: {
        checkedAt: string;
        lastGoodBackup: { label: string; type: string; finishedAt: string } | null;
        lastArchivedWal: { segment: string; archivedAt: string } | null;
        lastFailedWal: { segment: string; failedAt: string } | null;
    };
    sqlite?: { lastGoodBackup: { file: string; finishedAt: string; bytes: number } };
    drill?: {
        finishedAt: string;
        ok: boolean;
        rpoSeconds: number | null;
        rtoSeconds: number | null;
        durationSeconds: number;
        problems: string[];
    };
}

export function readBackupStatus(file: string): BackupStatus {
    try {
        const parsed = JSON.parse(fs.readFileSync(file, 'utf8')) as BackupStatus;
        return parsed.version === 1 ? parsed : { version: 1 };
    } catch {
        return { version: 1 };
    }
}

/** Replaces one section of the status file; written to a temporary file and renamed, so a reader never sees half. */
export function updateBackupStatus<K extends Exclude<keyof BackupStatus, 'version'>>(
    file: string,
    section: K,
    value: NonNullable<BackupStatus[K]>,
): BackupStatus {
    const status = { ...readBackupStatus(file), [section]: value };
    fs.mkdirSync(path.dirname(file), { recursive: true });
    const tmp = `${file}.${process.pid}.tmp`;
    fs.writeFileSync(tmp, `${JSON.stringify(status, null, 2)}\n`);
    fs.renameSync(tmp, file);
    return status;
}

const seconds = (iso: string | undefined | null) =>
    iso ? Math.round(new Date(iso).getTime() / 1000) : undefined;

/**
 * The status as Prometheus text-format gauges. Times are Unix timestamps (the Prometheus convention: the alert
 * computes the age, e.g. `time() - shop_backup_last_success_timestamp_seconds{profile="postgres"} > 26 * 3600`).
 * A metric whose value is unknown is left out, so `absent()` alerts can catch a backup that never ran.
 */
export function backupMetrics(status: BackupStatus): string {
    const out: string[] = [];
    const gauge = (name: string, help: string, samples: Array<[string, number | undefined]>) => {
        const present = samples.filter((s): s is [string, number] => s[1] !== undefined);
        if (!present.length) {
            return;
        }
        out.push(`# HELP ${name} ${help}`, `# TYPE ${name} gauge`);
        for (const [labels, value] of present) {
            out.push(`${name}${labels} ${value}`);
        }
    };
    gauge('shop_backup_last_success_timestamp_seconds', 'End of the newest good backup.', [
        ['{profile="postgres"}', seconds(status.postgres?.lastGoodBackup?.finishedAt)],
        ['{profile="sqlite"}', seconds(status.sqlite?.lastGoodBackup.finishedAt)],
    ]);
    gauge('shop_backup_wal_last_archived_timestamp_seconds', 'When the newest WAL segment was archived.', [
        ['', seconds(status.postgres?.lastArchivedWal?.archivedAt)],
    ]);
    gauge('shop_backup_wal_last_failed_timestamp_seconds', 'When WAL archiving last failed.', [
        ['', seconds(status.postgres?.lastFailedWal?.failedAt)],
    ]);
    gauge(
        'shop_backup_status_checked_timestamp_seconds',
        'When the PostgreSQL backup status was last read.',
        [['', seconds(status.postgres?.checkedAt)]],
    );
    gauge('shop_backup_drill_last_run_timestamp_seconds', 'End of the last restore drill.', [
        ['', seconds(status.drill?.finishedAt)],
    ]);
    gauge('shop_backup_drill_success', '1 when the last restore drill found no difference.', [
        ['', status.drill ? (status.drill.ok ? 1 : 0) : undefined],
    ]);
    gauge('shop_backup_drill_rpo_seconds', 'Committed work the last drill lost to a host loss.', [
        ['', status.drill?.rpoSeconds ?? undefined],
    ]);
    gauge(
        'shop_backup_drill_rto_seconds',
        'From the start of the restore to the shop answering, last drill.',
        [['', status.drill?.rtoSeconds ?? undefined]],
    );
    return out.length ? `${out.join('\n')}\n` : '';
}
