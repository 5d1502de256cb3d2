import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { describe, expect, it } from 'vitest';

import { backupMetrics, readBackupStatus, updateBackupStatus } from './backup-status';
import { parseInfo, pgTime, recoveryFailure, restoreArgs, restoreProblem, StanzaInfo } from './pgbackrest';

/** What `pgbackrest info --output=json` printed in the drill (trimmed). */
const INFO = JSON.stringify([
    {
        name: 'shop',
        status: { code: 0, message: 'ok' },
        archive: [{ min: '000000010000000000000001', max: '000000010000000000000006' }],
        backup: [
            {
                label: '20261202-055930F',
                type: 'full',
                error: false,
                timestamp: { start: 1796191170, stop: 1796191174 },
                archive: { start: '000000010000000000000002', stop: '000000010000000000000003' },
                info: { size: 37296517, repository: { delta: 4096944, size: 4096944 } },
            },
            {
                label: '20261202-055930F_20261202-055944D',
                type: 'diff',
                error: false,
                timestamp: { start: 1796191184, stop: 1796191187 },
                archive: { start: '000000010000000000000005', stop: '000000010000000000000005' },
                info: { size: 37300000, repository: { delta: 100000, size: 4100000 } },
            },
        ],
    },
]);

describe('pgBackRest restore requests', () => {
    const info: StanzaInfo = parseInfo(INFO);
    const now = new Date('2026-12-02T06:10:00Z');
    const req = (target: Parameters<typeof restoreProblem>[1]['target'], set?: string) => ({
        pgPath: '/restore/new',
        target,
        set,
        archiveMode: 'off' as const,
    });

    it('reads the backups and the archived WAL range', () => {
        expect(info.backups.map(b => [b.label, b.type, b.finishedAt.toISOString()])).toEqual([
            ['20261202-055930F', 'full', '2026-12-02T05:59:34.000Z'],
            ['20261202-055930F_20261202-055944D', 'diff', '2026-12-02T05:59:47.000Z'],
        ]);
        expect(info.archive).toEqual({ min: '000000010000000000000001', max: '000000010000000000000006' });
    });

    it('accepts a time between the end of the oldest backup and now, and the latest', () => {
        expect(restoreProblem(info, req({ type: 'time', time: new Date('2026-12-02T06:00:00Z') }), now)).toBe(
            undefined,
        );
        expect(restoreProblem(info, req({ type: 'latest' }), now)).toBe(undefined);
    });

    it('refuses a time before the oldest backup ended, naming the earliest restorable time', () => {
        expect(
            restoreProblem(info, req({ type: 'time', time: new Date('2026-12-02T05:59:00Z') }), now),
        ).toMatch(
            /before the end of the oldest backup 20261202-055930F .* earliest restorable time is 2026-12-02T05:59:34.000Z/,
        );
    });

    it('refuses a time before the chosen backup set ended', () => {
        expect(
            restoreProblem(
                info,
                req(
                    { type: 'time', time: new Date('2026-12-02T05:59:40Z') },
                    '20261202-055930F_20261202-055944D',
                ),
                now,
            ),
        ).toMatch(/before the end of backup 20261202-055930F_20261202-055944D/);
    });

    it('refuses a time in the future and an invalid time', () => {
        expect(
            restoreProblem(info, req({ type: 'time', time: new Date('2026-12-02T07:00:00Z') }), now),
        ).toMatch(/in the future/);
        expect(restoreProblem(info, req({ type: 'time', time: new Date('yesterday') }), now)).toMatch(
            /not a valid time/,
        );
    });

    it('refuses a backup set that is not there, listing the ones that are', () => {
        expect(restoreProblem(info, req({ type: 'latest' }, '20250101-000000F'), now)).toMatch(
            /'20250101-000000F' is not in the repository; available: 20261202-055930F \(full/,
        );
    });

    it('refuses an empty repository', () => {
        expect(
            restoreProblem(
                { status: { code: 2, message: 'no valid backups' }, backups: [] },
                req({ type: 'latest' }),
                now,
            ),
        ).toMatch(/no usable backup/);
    });

    it('calls a repository unreadable when its info does not decrypt (broken JSON, or status 99 without backups)', () => {
        expect(() => parseInfo('[{"name":"shop","status":{"code":0,"message":"\u0007\u00ff')).toThrow(
            /unreadable: wrong repository key/,
        );
        const other = JSON.stringify([
            {
                name: 'shop',
                status: { code: 99, message: 'other' },
                repo: [
                    {
                        key: 1,
                        cipher: 'aes-256-cbc',
                        status: { code: 99, message: '[CryptoError] unable to flush' },
                    },
                ],
                archive: [],
                backup: [],
            },
        ]);
        expect(() => parseInfo(other)).toThrow(
            /unreadable: wrong repository key .*\(pgBackRest: \[CryptoError\] unable to flush\)/,
        );
    });

    it('builds the documented pgbackrest restore command', () => {
        expect(
            restoreArgs(
                req({ type: 'time', time: new Date('2026-12-02T05:41:09.214Z') }, '20261202-055930F'),
            ),
        ).toEqual([
            '--pg1-path=/restore/new',
            '--archive-mode=off',
            '--set=20261202-055930F',
            '--type=time',
            '--target=2026-12-02 05:41:09.214+00',
            '--target-action=promote',
            'restore',
        ]);
        expect(pgTime(new Date('2026-12-02T05:41:09Z'))).toBe('2026-12-02 05:41:09.000+00');
    });

    it("reads PostgreSQL's reason when recovery cannot reach the target", () => {
        expect(
            recoveryFailure('LOG: x\nFATAL:  recovery ended before configured recovery target was reached\n'),
        ).toMatch(/after the last archived WAL/);
        expect(recoveryFailure('LOG: all fine')).toBe(undefined);
    });
});

describe('backup status file and metrics', () => {
    it('keeps each writer to its own section and renders Prometheus gauges', () => {
        const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'backup-status-')), 'status.json');
        expect(readBackupStatus(file)).toEqual({ version: 1 });
        expect(backupMetrics(readBackupStatus(file))).toBe('');
        updateBackupStatus(file, 'postgres', {
            checkedAt: '2026-12-02T06:00:00Z',
            lastGoodBackup: { label: 'L', type: 'diff', finishedAt: '2026-12-02T05:59:47Z' },
            lastArchivedWal: { segment: '000000010000000000000006', archivedAt: '2026-12-02T05:59:58Z' },
            lastFailedWal: null,
        });
        updateBackupStatus(file, 'drill', {
            finishedAt: '2026-12-02T06:01:39Z',
            ok: false,
            rpoSeconds: 17.6,
            rtoSeconds: null,
            durationSeconds: 168,
            problems: ['x'],
        });
        const status = readBackupStatus(file);
        expect(status.postgres?.lastGoodBackup?.label).toBe('L');
        const metrics = backupMetrics(status);
        expect(metrics).toContain(
            'shop_backup_last_success_timestamp_seconds{profile="postgres"} 1796191187\n',
        );
        expect(metrics).not.toContain('profile="sqlite"');
        expect(metrics).toContain('shop_backup_wal_last_archived_timestamp_seconds 1796191198\n');
        expect(metrics).toContain('shop_backup_drill_success 0\n');
        expect(metrics).toContain('shop_backup_drill_rpo_seconds 17.6\n');
        expect(metrics).not.toContain('shop_backup_drill_rto_seconds');
        expect(metrics).not.toContain('shop_backup_wal_last_failed_timestamp_seconds');
        fs.writeFileSync(file, 'not json');
        expect(readBackupStatus(file)).toEqual({ version: 1 });
    });
});
