import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

import { Client } from 'pg';

/**
 * A PostgreSQL cluster (one data directory, one postmaster) run with Debian's server binaries, for the backup
 * drill and for checking a restored data directory. PostgreSQL refuses to run as root, so when this process is
 * root every server-side command (initdb, pg_ctl, pgbackrest) runs as the `postgres` user (`OsUser`).
 */

export interface OsUser {
    uid: number;
    gid: number;
    name: string;
}

export class CommandError extends Error {
    constructor(
        readonly command: string,
        readonly code: number | string | null,
        readonly stderr: string,
        readonly stdout: string,
    ) {
        super(
            `${command} failed (exit ${code}): ${(stderr || stdout).trim().split('\n').slice(-8).join('\n')}`,
        );
        this.name = 'CommandError';
    }
}

/** Runs a program (no shell) and resolves with its stdout; rejects with a {@link CommandError}. */
export function run(
    file: string,
    args: string[],
    options: { env?: NodeJS.ProcessEnv; user?: OsUser; cwd?: string } = {},
): Promise<string> {
    return new Promise((resolve, reject) => {
        execFile(
            file,
            args,
            {
                env: options.env ?? process.env,
                cwd: options.cwd ?? '/',
                uid: options.user?.uid,
                gid: options.user?.gid,
                maxBuffer: 64 * 1024 * 1024,
            },
            (error, stdout, stderr) => {
                if (error) {
                    const code = (error as NodeJS.ErrnoException & { code?: number | string }).code ?? null;
                    reject(new CommandError([path.basename(file), ...args].join(' '), code, stderr, stdout));
                } else {
                    resolve(stdout);
                }
            },
        );
    });
}

/** The user server-side commands run as: `postgres` when this process is root, else this process's own user. */
export function serverUser(): OsUser | undefined {
    if (process.getuid?.() !== 0) {
        return undefined;
    }
    const line = fs
        .readFileSync('/etc/passwd', 'utf8')
        .split('\n')
        .find(l => l.startsWith('postgres:'));
    if (!line) {
        throw new Error(
            'Running as root, but there is no `postgres` user to run PostgreSQL as (apt-get install postgresql)',
        );
    }
    const [name, , uid, gid] = line.split(':');
    return { name, uid: Number(uid), gid: Number(gid) };
}

/** Makes `dir` (and its parents) and hands it to `user`, so PostgreSQL and pgBackRest can write there. */
export function makeDir(dir: string, user: OsUser | undefined, mode = 0o700): void {
    fs.mkdirSync(dir, { recursive: true, mode });
    fs.chmodSync(dir, mode);
    if (user) {
        fs.chownSync(dir, user.uid, user.gid);
    }
}

/** The server binaries: `PG_BIN_DIR`, else the newest /usr/lib/postgresql/<version>/bin (Debian's layout). */
export function postgresBinDir(env: NodeJS.ProcessEnv = process.env): string {
    if (env.PG_BIN_DIR) {
        return env.PG_BIN_DIR;
    }
    const root = '/usr/lib/postgresql';
    const versions = fs.existsSync(root)
        ? fs
              .readdirSync(root)
              .filter(v => /^\d+$/.test(v) && fs.existsSync(path.join(root, v, 'bin', 'initdb')))
              .sort((a, b) => Number(b) - Number(a))
        : [];
    if (!versions.length) {
        throw new Error(
            'PG_BIN_DIR: no PostgreSQL server binaries under /usr/lib/postgresql/<version>/bin (apt-get install postgresql)',
        );
    }
    return path.join(root, versions[0], 'bin');
}

export interface ClusterOptions {
    dataDir: string;
    port: number;
    /** Folder of the Unix socket and the server log. */
    runDir: string;
    binDir: string;
    user?: OsUser;
    /** Environment of the postmaster: archive_command and restore_command inherit it (pgBackRest settings). */
    env: NodeJS.ProcessEnv;
}

export class PostgresCluster {
    constructor(readonly options: ClusterOptions) {}

    get url(): string {
        return `postgresql://postgres@127.0.0.1:${this.options.port}/postgres`;
    }

    get logFile(): string {
        return path.join(this.options.runDir, `postgres-${this.options.port}.log`);
    }

    /** initdb with trust authentication for local connections only (a scratch cluster). */
    async init(settings: Record<string, string | number>, includes: string[] = []): Promise<void> {
        await run(
            path.join(this.options.binDir, 'initdb'),
            [
                '-D',
                this.options.dataDir,
                '-U',
                'postgres',
                '--auth=trust',
                '-E',
                'UTF8',
                '--locale=C',
                '--no-sync',
            ],
            { user: this.options.user, env: this.options.env },
        );
        this.appendSettings(settings, includes);
    }

    /** Appends to postgresql.conf (the last value of a setting wins). */
    appendSettings(settings: Record<string, string | number>, includes: string[] = []): void {
        const lines = [
            '',
            '# added by the backup tooling (src/backup/postgres-cluster.ts)',
            ...includes.map(f => `include '${f}'`),
            ...Object.entries(settings).map(
                ([k, v]) => `${k} = ${typeof v === 'number' ? v : `'${v.replace(/'/g, "''")}'`}`,
            ),
        ];
        fs.appendFileSync(path.join(this.options.dataDir, 'postgresql.conf'), `${lines.join('\n')}\n`);
    }

    /** Settings every cluster made by this tooling gets: its own port, loopback only, socket in runDir. */
    localSettings(): Record<string, string | number> {
        return {
            port: this.options.port,
            listen_addresses: '127.0.0.1',
            unix_socket_directories: this.options.runDir,
            max_connections: 60,
            shared_buffers: '64MB',
            fsync: 'on',
        };
    }

    /** Starts the postmaster and waits until it accepts connections (read-only ones while recovering). */
    async start(): Promise<void> {
        await run(
            path.join(this.options.binDir, 'pg_ctl'),
            ['-D', this.options.dataDir, '-l', this.logFile, '-w', '-t', '120', 'start'],
            { user: this.options.user, env: this.options.env },
        ).catch(e => {
            throw new Error(`${(e as Error).message}\n${this.logTail()}`);
        });
    }

    /** `fast`: a clean shutdown; `immediate`: like a crash (no checkpoint, the last WAL segment is not archived). */
    async stop(mode: 'fast' | 'immediate' = 'fast'): Promise<void> {
        if (!fs.existsSync(path.join(this.options.dataDir, 'postmaster.pid'))) {
            return;
        }
        await run(
            path.join(this.options.binDir, 'pg_ctl'),
            ['-D', this.options.dataDir, '-m', mode, '-w', 'stop'],
            {
                user: this.options.user,
                env: this.options.env,
            },
        );
    }

    async query<T = Record<string, unknown>>(
        sql: string,
        params: unknown[] = [],
        database = 'postgres',
    ): Promise<T[]> {
        const client = new Client({ host: '127.0.0.1', port: this.options.port, user: 'postgres', database });
        await client.connect();
        try {
            return (await client.query(sql, params)).rows as T[];
        } finally {
            await client.end();
        }
    }

    /** Waits until recovery has finished and the cluster is promoted (accepts writes). */
    async waitUntilPromoted(timeoutMs = 300_000): Promise<void> {
        const deadline = Date.now() + timeoutMs;
        for (;;) {
            const [row] = await this.query<{ r: boolean }>('SELECT pg_is_in_recovery() AS r');
            if (!row.r) {
                return;
            }
            if (Date.now() > deadline) {
                throw new Error(`recovery did not finish within ${timeoutMs / 1000} s\n${this.logTail()}`);
            }
            await new Promise(r => setTimeout(r, 100));
        }
    }

    logTail(lines = 15): string {
        try {
            return fs.readFileSync(this.logFile, 'utf8').trim().split('\n').slice(-lines).join('\n');
        } catch {
            return '(no server log)';
        }
    }
}
