/**
 * `npm run backup:pg-restore -- --pg-path <new empty dir> (--time <ISO time> | --latest) [--set <label>]
 *   [--port <n>] [--archive-mode off|preserve]`
 *
 * Restores the shop's PostgreSQL from the pgBackRest repository into a NEW data directory (never over the live
 * one): to a point in time (before a bad DELETE or migration) or to the end of the archived WAL (host or volume
 * lost). Checks the request against the repository first and refuses, without writing anything, a backup set that
 * is not there, a target directory that is not empty or is the live one, and a time outside the backups. With
 * --port it starts the restored cluster there (127.0.0.1), waits for the recovery to finish and reports the last
 * restored commit; a time after the last archived WAL is reported then (PostgreSQL finds it).
 * pgBackRest settings come from its config file and PGBACKREST_* variables, as for every pgbackrest command.
 * Exit codes: 0 done, 2 refused (nothing was changed), 1 failed.
 */
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';

import { makeDir, postgresBinDir, PostgresCluster, serverUser } from '../../src/backup/postgres-cluster';
import { Pgbackrest, recoveryFailure, RestoreRefused, RestoreRequest } from '../../src/backup/pgbackrest';

async function main(): Promise<void> {
    const { values } = parseArgs({
        options: {
            'pg-path': { type: 'string' },
            time: { type: 'string' },
            latest: { type: 'boolean' },
            set: { type: 'string' },
            port: { type: 'string' },
            'archive-mode': { type: 'string', default: 'off' },
        },
    });
    if (!values['pg-path']) {
        throw new RestoreRefused('--pg-path <new, empty data directory> is required');
    }
    if (!!values.time === !!values.latest) {
        throw new RestoreRefused('give either --time <ISO 8601 time with zone> or --latest');
    }
    if (values['archive-mode'] !== 'off' && values['archive-mode'] !== 'preserve') {
        throw new RestoreRefused('--archive-mode must be off (a check) or preserve (the new primary)');
    }
    const time = values.time ? new Date(values.time) : undefined;
    if (values.time && !/(Z|[+-]\d\d(:?\d\d)?)$/.test(values.time.trim())) {
        throw new RestoreRefused(
            `--time ${values.time} has no time zone: add Z (UTC) or an offset such as +03:30`,
        );
    }
    const user = serverUser();
    const pgbackrest = new Pgbackrest({
        configFile: process.env.PGBACKREST_CONFIG ?? '/etc/pgbackrest/pgbackrest.conf',
        env: {},
        user,
    });
    const request: RestoreRequest = {
        pgPath: path.resolve(values['pg-path']),
        target: time ? { type: 'time', time } : { type: 'latest' },
        set: values.set,
        archiveMode: values['archive-mode'],
    };
    if (!fs.existsSync(request.pgPath) || fs.readdirSync(request.pgPath).length === 0) {
        // pgBackRest runs as the postgres user and writes there.
        makeDir(request.pgPath, user);
    }
    const started = Date.now();
    const command = await pgbackrest.restore(request);
    console.log(`restored with: ${command.join(' ')} (${((Date.now() - started) / 1000).toFixed(1)} s)`);
    if (!values.port) {
        console.log(`start it with: pg_ctl -D ${request.pgPath} start (as the postgres user)`);
        return;
    }
    const cluster = new PostgresCluster({
        dataDir: request.pgPath,
        port: Number(values.port),
        runDir: path.dirname(request.pgPath),
        binDir: postgresBinDir(),
        user,
        env: pgbackrest.env,
    });
    cluster.appendSettings(cluster.localSettings());
    try {
        await cluster.start();
        await cluster.waitUntilPromoted();
    } catch (e) {
        const reason = recoveryFailure(cluster.logTail(40));
        await cluster.stop('immediate').catch(() => undefined);
        throw reason ? new RestoreRefused(`recovery stopped: ${reason}`) : e;
    }
    const [{ ts }] = await cluster.query<{ ts: Date | null }>('SELECT pg_last_xact_replay_timestamp() AS ts');
    console.log(
        `recovered and promoted on 127.0.0.1:${values.port} in ${((Date.now() - started) / 1000).toFixed(1)} s; ` +
            `last restored commit ${ts?.toISOString() ?? '(none replayed)'}`,
    );
}

main().catch(e => {
    console.error(
        `pg-restore ${e instanceof RestoreRefused ? 'refused' : 'failed'}: ${(e as Error).message}`,
    );
    process.exit(e instanceof RestoreRefused ? 2 : 1);
});
