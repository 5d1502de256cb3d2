import fs from 'node:fs';
import path from 'node:path';

import Database from 'better-sqlite3';

import { sqliteMigrations } from '../../migrations/sqlite';
import { AppConfig } from '../config/app-config';

import { updateBackupStatus } from './backup-status';

/**
 * Backup and restore of the embedded profile: the SQLite file through SQLite's online backup API (a consistent
 * snapshot taken while the shop keeps writing, never a file copy) and the uploaded assets beside it.
 * A backup `shop-<time>.sqlite` has its assets in the folder `shop-<time>.sqlite.assets`.
 */

/** A restore or backup that was refused before anything was written; the message says why. */
export class BackupRefused extends Error {
    constructor(message: string) {
        super(message);
        this.name = 'BackupRefused';
    }
}

export interface SqliteBackupResult {
    file: string;
    assetsDir: string;
    bytes: number;
    startedAt: Date;
    finishedAt: Date;
    orders: number;
}

function sqlitePath(app: AppConfig): string {
    if (app.database.type !== 'better-sqlite3') {
        throw new BackupRefused(
            'DATABASE_URL is set: the services profile (PostgreSQL) is backed up by pgBackRest, see docs/disaster-recovery.md',
        );
    }
    return app.database.path;
}

const stamp = (d: Date) =>
    d
        .toISOString()
        .replace(/[-:]/g, '')
        .replace(/\.\d+Z$/, 'Z');

/**
 * Copies the live database with the online backup API, checks the copy (`PRAGMA integrity_check`), then copies the
 * assets (after the database, so every asset the copy refers to was already written) and records the backup in
 * the status file.
 */
export async function backupSqlite(app: AppConfig, outFile?: string): Promise<SqliteBackupResult> {
    const source = sqlitePath(app);
    if (!fs.existsSync(source)) {
        throw new BackupRefused(`no database at ${source} (SQLITE_PATH): nothing to back up`);
    }
    const startedAt = new Date();
    const file = path.resolve(outFile ?? path.join(app.backup.dir, `shop-${stamp(startedAt)}.sqlite`));
    if (fs.existsSync(file)) {
        throw new BackupRefused(`${file} already exists: choose another file name`);
    }
    fs.mkdirSync(path.dirname(file), { recursive: true });
    const partial = `${file}.partial`;
    fs.rmSync(partial, { force: true });
    const db = new Database(source, { readonly: true, fileMustExist: true, timeout: 10_000 });
    try {
        // After the first step the rest is copied in one step: a snapshot of the WAL-mode database that the
        // shop's writes cannot restart (copying 100 pages per turn restarts on every concurrent commit).
        await db.backup(partial, { progress: () => 0x7fffffff });
    } finally {
        db.close();
    }
    const orders = checkBackupFile(partial).orders;
    fs.renameSync(partial, file);
    const assetsDir = `${file}.assets`;
    if (fs.existsSync(app.assetsDir)) {
        fs.cpSync(app.assetsDir, assetsDir, { recursive: true });
    } else {
        fs.mkdirSync(assetsDir);
    }
    const finishedAt = new Date();
    const bytes = fs.statSync(file).size;
    updateBackupStatus(app.backup.statusFile, 'sqlite', {
        lastGoodBackup: { file, finishedAt: finishedAt.toISOString(), bytes },
    });
    return { file, assetsDir, bytes, startedAt, finishedAt, orders };
}

/**
 * Checks that `file` is a whole, consistent shop database this version can run: a SQLite file, integrity_check ok,
 * the shop's tables, and no migration unknown to this code (a backup of a newer version). Returns its order count.
 */
export function checkBackupFile(file: string): { orders: number } {
    if (!fs.existsSync(file) || !fs.statSync(file).isFile()) {
        throw new BackupRefused(`backup file ${file} does not exist`);
    }
    const header = Buffer.alloc(16);
    const fd = fs.openSync(file, 'r');
    try {
        fs.readSync(fd, header, 0, 16, 0);
    } finally {
        fs.closeSync(fd);
    }
    if (header.toString('latin1') !== 'SQLite format 3\0') {
        throw new BackupRefused(`${file} is not a SQLite database`);
    }
    let db: Database.Database;
    try {
        db = new Database(file, { readonly: true, fileMustExist: true });
    } catch (e) {
        throw new BackupRefused(`${file} cannot be opened: ${(e as Error).message}`);
    }
    try {
        const integrity = db.pragma('integrity_check') as Array<{ integrity_check: string }>;
        if (integrity.length !== 1 || integrity[0].integrity_check !== 'ok') {
            throw new BackupRefused(
                `${file} is damaged: ${integrity
                    .slice(0, 3)
                    .map(r => r.integrity_check)
                    .join('; ')}`,
            );
        }
        const tables = new Set(
            (
                db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all() as Array<{
                    name: string;
                }>
            ).map(t => t.name),
        );
        if (!tables.has('migrations') || !tables.has('order')) {
            throw new BackupRefused(`${file} is not a backup of this shop (no migrations or order table)`);
        }
        const known = new Set(sqliteMigrations.map(m => m.name));
        const unknown = (db.prepare('SELECT name FROM migrations').all() as Array<{ name: string }>)
            .map(m => m.name)
            .filter(n => !known.has(n));
        if (unknown.length) {
            throw new BackupRefused(
                `${file} was made by a newer version of the shop (migrations ${unknown.join(', ')}): restore it with that version`,
            );
        }
        const { n } = db.prepare('SELECT count(*) AS n FROM "order"').get() as { n: number };
        return { orders: n };
    } catch (e) {
        if (e instanceof BackupRefused) {
            throw e;
        }
        throw new BackupRefused(`${file} is not a usable shop database: ${(e as Error).message}`);
    } finally {
        db.close();
    }
}

/** Whether the database file at `file` holds any table: a restore never writes over one that does. */
function holdsData(file: string): boolean {
    if (!fs.existsSync(file)) {
        return false;
    }
    if (fs.statSync(file).size === 0) {
        return false;
    }
    try {
        const db = new Database(file, { readonly: true, fileMustExist: true });
        try {
            const { n } = db
                .prepare("SELECT count(*) AS n FROM sqlite_master WHERE type = 'table'")
                .get() as {
                n: number;
            };
            return n > 0;
        } finally {
            db.close();
        }
    } catch {
        // Not a readable SQLite file, but something is there: not ours to overwrite.
        return true;
    }
}

export interface SqliteRestoreResult {
    file: string;
    target: string;
    orders: number;
    assetsCopied: boolean;
}

/**
 * Puts a backup back as the shop's database (`SQLITE_PATH`) with the online backup API, and its assets into
 * `ASSETS_DIR` (existing files are kept). Refuses, before writing anything, a missing or unusable backup and a
 * target database that is not empty: stop the shop and move the old file aside first.
 */
export async function restoreSqlite(
    app: AppConfig,
    backupFile: string | undefined,
): Promise<SqliteRestoreResult> {
    const target = sqlitePath(app);
    if (!backupFile) {
        throw new BackupRefused('no backup file given: npm run restore -- <backup.sqlite>');
    }
    const file = path.resolve(backupFile);
    const { orders } = checkBackupFile(file);
    if (path.resolve(file) === path.resolve(target)) {
        throw new BackupRefused(`${file} is the live database (SQLITE_PATH), not a backup`);
    }
    if (holdsData(target)) {
        throw new BackupRefused(
            `target database ${target} is not empty: stop the shop and move it aside first (mv ${target} ${target}.old); nothing was changed`,
        );
    }
    for (const sidecar of [`${target}-wal`, `${target}-shm`, `${target}-journal`]) {
        if (fs.existsSync(sidecar)) {
            throw new BackupRefused(
                `${sidecar} exists: it belongs to an old database and would corrupt the restored one; stop the shop and move it aside; nothing was changed`,
            );
        }
    }
    fs.mkdirSync(path.dirname(target), { recursive: true });
    const partial = `${target}.restoring`;
    fs.rmSync(partial, { force: true });
    const db = new Database(file, { readonly: true, fileMustExist: true });
    try {
        await db.backup(partial, { progress: () => 0x7fffffff });
    } finally {
        db.close();
    }
    checkBackupFile(partial);
    fs.rmSync(target, { force: true });
    fs.renameSync(partial, target);
    const assets = `${file}.assets`;
    const assetsCopied = fs.existsSync(assets);
    if (assetsCopied) {
        fs.cpSync(assets, app.assetsDir, { recursive: true, force: false });
    }
    return { file, target, orders, assetsCopied };
}
