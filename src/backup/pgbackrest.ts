import fs from 'node:fs';
import path from 'node:path';

import { OsUser, run } from './postgres-cluster';

/** The stanza (pgBackRest's name for one database cluster's backups) of the shop. */
export const STANZA = 'shop';

/** One backup in the repository, from `pgbackrest info --output=json`. */
export interface BackupSet {
    label: string;
    type: 'full' | 'diff' | 'incr';
    startedAt: Date;
    finishedAt: Date;
    error: boolean;
    /** Oldest and newest WAL segment the backup needs. */
    walStart: string;
    walStop: string;
    sizeBytes: number;
    repoSizeBytes: number;
}

export interface StanzaInfo {
    status: { code: number; message: string };
    backups: BackupSet[];
    /** Oldest and newest archived WAL segment, when any is archived. */
    archive?: { min: string; max: string };
}

interface RawInfo {
    name: string;
    status: { code: number; message: string };
    archive: Array<{ min: string | null; max: string | null }>;
    /** Per repository; its status names the error behind a stanza status of 99 ("other"). */
    repo?: Array<{ status?: { code: number; message: string } }>;
    backup: Array<{
        label: string;
        type: BackupSet['type'];
        error?: boolean;
        timestamp: { start: number; stop: number };
        archive: { start: string; stop: string };
        info: { size: number; repository: { delta: number; size: number } };
    }>;
}

/** pgBackRest's stanza status for an error it does not classify, such as info files that do not decrypt. */
const STATUS_OTHER = 99;

const UNREADABLE =
    'its backup information is unreadable: wrong repository key (PGBACKREST_REPO1_CIPHER_PASS) or a damaged repository';

/**
 * Reads `pgbackrest info --output=json`. Throws when the repository cannot be read: a wrong key decrypts the info
 * files to garbage, which either breaks the JSON or comes back as status 99 ("other") with no backups.
 */
export function parseInfo(json: string): StanzaInfo {
    let stanza: RawInfo | undefined;
    try {
        [stanza] = JSON.parse(json) as RawInfo[];
    } catch {
        throw new Error(UNREADABLE);
    }
    if (!stanza) {
        return { status: { code: 1, message: 'missing stanza' }, backups: [] };
    }
    if (stanza.status.code === STATUS_OTHER && stanza.backup.length === 0) {
        const reason = stanza.repo?.find(r => r.status && r.status.code !== 0)?.status?.message;
        throw new Error(reason ? `${UNREADABLE} (pgBackRest: ${reason.split('\n')[0]})` : UNREADABLE);
    }
    const archive = stanza.archive.find(a => a.min && a.max);
    return {
        status: stanza.status,
        backups: stanza.backup.map(b => ({
            label: b.label,
            type: b.type,
            startedAt: new Date(b.timestamp.start * 1000),
            finishedAt: new Date(b.timestamp.stop * 1000),
            error: b.error ?? false,
            walStart: b.archive.start,
            walStop: b.archive.stop,
            sizeBytes: b.info.size,
            repoSizeBytes: b.info.repository.size,
        })),
        archive: archive ? { min: archive.min!, max: archive.max! } : undefined,
    };
}

export type RecoveryTarget = { type: 'latest' } | { type: 'time'; time: Date };

export interface RestoreRequest {
    /** A new, empty data directory: the live one is never restored over. */
    pgPath: string;
    target: RecoveryTarget;
    /** A backup label (`pgbackrest info`); default: the newest backup that ends before the target. */
    set?: string;
    /** `off` for a throw-away check cluster, so it never pushes WAL into the production repository. */
    archiveMode: 'off' | 'preserve';
}

/** A restore that was not started, and why; nothing was written. */
export class RestoreRefused extends Error {
    constructor(message: string) {
        super(message);
        this.name = 'RestoreRefused';
    }
}

/**
 * Why a restore request cannot be served by the repository, or undefined when it can. Checked before pgBackRest
 * writes anything; a target time after the last archived WAL is found by PostgreSQL itself during recovery (the
 * repository does not record WAL times) and reported by {@link recoveryFailure}.
 */
export function restoreProblem(
    info: StanzaInfo,
    request: RestoreRequest,
    now = new Date(),
): string | undefined {
    if (info.status.code !== 0 && info.backups.length === 0) {
        return `the repository has no usable backup of stanza '${STANZA}': ${info.status.message}`;
    }
    const good = info.backups.filter(b => !b.error);
    if (!good.length) {
        return `the repository has no backup of stanza '${STANZA}' yet (pgbackrest --stanza=${STANZA} --type=full backup)`;
    }
    const available = good
        .map(b => `${b.label} (${b.type}, finished ${b.finishedAt.toISOString()})`)
        .join(', ');
    let set: BackupSet | undefined;
    if (request.set) {
        set = good.find(b => b.label === request.set);
        if (!set) {
            return `backup set '${request.set}' is not in the repository; available: ${available}`;
        }
    }
    if (request.target.type === 'time') {
        const t = request.target.time;
        if (Number.isNaN(t.getTime())) {
            return 'the point in time is not a valid time (use ISO 8601 with a zone, e.g. 2026-12-02T05:41:09Z)';
        }
        const earliest = set ?? good[0];
        if (t.getTime() < earliest.finishedAt.getTime()) {
            return (
                `point in time ${t.toISOString()} is before the end of ${set ? 'backup' : 'the oldest backup'} ` +
                `${earliest.label} (${earliest.finishedAt.toISOString()}): the earliest restorable time is ` +
                `${earliest.finishedAt.toISOString()}`
            );
        }
        if (t.getTime() > now.getTime()) {
            return `point in time ${t.toISOString()} is in the future (now is ${now.toISOString()})`;
        }
    }
    return undefined;
}

/** The reason in a server log when recovery could not reach the requested point, else undefined. */
export function recoveryFailure(log: string): string | undefined {
    if (/recovery ended before configured recovery target was reached/.test(log)) {
        return 'the point in time is after the last archived WAL: the repository does not reach it (choose an earlier time, or archive the current WAL first: pgbackrest check)';
    }
    const fatal = /FATAL:\s+(.*)/.exec(log);
    return fatal ? fatal[1] : undefined;
}

export interface PgbackrestOptions {
    /** The pgbackrest.conf (docker/postgres/pgbackrest.conf in every environment). */
    configFile: string;
    /** PGBACKREST_* settings: the repository, its key, pg1-path/port/socket of the live cluster, lock and log paths. */
    env: Record<string, string>;
    user?: OsUser;
}

/** Runs pgBackRest with the shop's configuration; every command it runs is the documented one. */
export class Pgbackrest {
    constructor(readonly options: PgbackrestOptions) {}

    get env(): NodeJS.ProcessEnv {
        return { ...process.env, PGBACKREST_CONFIG: this.options.configFile, ...this.options.env };
    }

    run(args: string[]): Promise<string> {
        return run('pgbackrest', [`--stanza=${STANZA}`, ...args], { env: this.env, user: this.options.user });
    }

    async info(): Promise<StanzaInfo> {
        return parseInfo(await this.run(['--output=json', 'info']));
    }

    async backup(type: 'full' | 'diff' | 'incr'): Promise<BackupSet> {
        await this.run([`--type=${type}`, 'backup']);
        const info = await this.info();
        return info.backups[info.backups.length - 1];
    }

    /**
     * Restores into `request.pgPath` after checking the request against the repository; throws
     * {@link RestoreRefused} without writing anything when the request cannot be served.
     */
    async restore(request: RestoreRequest): Promise<string[]> {
        const livePath = this.env.PGBACKREST_PG1_PATH ?? configuredPgPath(this.options.configFile);
        if (livePath && path.resolve(livePath) === path.resolve(request.pgPath)) {
            throw new RestoreRefused(
                `${request.pgPath} is the live database's data directory: restore into a new, empty directory`,
            );
        }
        if (fs.existsSync(request.pgPath) && fs.readdirSync(request.pgPath).length > 0) {
            throw new RestoreRefused(
                `target ${request.pgPath} is not empty: restore into a new, empty directory (nothing was changed)`,
            );
        }
        const info = await this.info().catch(e => {
            throw new RestoreRefused(`cannot read the repository: ${(e as Error).message}`);
        });
        const problem = restoreProblem(info, request);
        if (problem) {
            throw new RestoreRefused(problem);
        }
        const args = restoreArgs(request);
        await this.run(args);
        return ['pgbackrest', `--stanza=${STANZA}`, ...args];
    }
}

/** The live cluster's data directory as the config file names it (`pg1-path=`). */
function configuredPgPath(configFile: string): string | undefined {
    try {
        return /^\s*pg1-path\s*=\s*(\S+)/m.exec(fs.readFileSync(configFile, 'utf8'))?.[1];
    } catch {
        return undefined;
    }
}

/** A time as pgBackRest and PostgreSQL read it: `2026-12-02 05:41:09.214+00`. */
export function pgTime(time: Date): string {
    return time.toISOString().replace('T', ' ').replace('Z', '+00');
}

/** The `pgbackrest restore` arguments for a request (also printed for operators running it by hand). */
export function restoreArgs(request: RestoreRequest): string[] {
    const args = [`--pg1-path=${request.pgPath}`, `--archive-mode=${request.archiveMode}`];
    if (request.set) {
        args.push(`--set=${request.set}`);
    }
    if (request.target.type === 'time') {
        args.push('--type=time', `--target=${pgTime(request.target.time)}`, '--target-action=promote');
    } else {
        args.push('--type=default');
    }
    args.push('restore');
    return args;
}
