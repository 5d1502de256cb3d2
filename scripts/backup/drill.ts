/**
 * `npm run backup:drill`: the PostgreSQL restore drill, on this machine with nothing but Debian's PostgreSQL server
 * binaries and pgBackRest (scripts/backup/ensure-tools.sh installs them).
 *
 * 1. A scratch cluster (temp dir, its own port) with the production archiving settings
 *    (docker/postgres/postgresql-backup.conf) and pgBackRest (docker/postgres/pgbackrest.conf) on a local,
 *    encrypted repository; the shop is migrated and seeded on it; a full backup.
 * 2. Orders through the Shop API (cash on delivery, Zibal settled, a customer who logged in by SMS code, support chat
 *    with a staff reply, a Zibal payment still at the bank); a differential backup; the state at that moment
 *    through the Admin API and SQL checksums; the point in time T.
 * 3. More orders after T (the pending Zibal payment is settled), then an operator's mistake (payments declined,
 *    chat deleted by SQL); `pgbackrest check` archives the current WAL, as the recovery plan's first step does.
 * 4. Restore requests the repository cannot serve are refused, and the live database is unchanged.
 * 5. Orders keep coming for longer than archive_timeout; then the host is lost (immediate stop, data dir deleted).
 * 6. Point-in-time restore to T into a second cluster; the shop starts on it; the Admin API and the SQL checksums
 *    must equal the state at T, and nothing after T may be there. RTO = start of the restore to the shop answering.
 * 7. Restore of everything archived into a third cluster (the host-loss recovery): RPO = last commit before the
 *    loss minus the last restored commit.
 * Prints RPO/RTO, records the result in the backup status file, exits non-zero on any difference.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { updateBackupStatus } from '../../src/backup/backup-status';
import {
    CommandError,
    makeDir,
    postgresBinDir,
    PostgresCluster,
    run as runCommand,
    serverUser,
} from '../../src/backup/postgres-cluster';
import { Pgbackrest, recoveryFailure, RestoreRefused, RestoreRequest } from '../../src/backup/pgbackrest';
import { PROJECT_ROOT } from '../../src/paths';
import { createTestShop, freePort, TestShop } from '../../src/testing/test-shop';

import {
    adminSnapshot,
    differences,
    DrillShopper,
    existingOrderCodes,
    PlacedOrder,
    shopAnswers,
} from './drill-shop';

const CONF_DIR = path.join(PROJECT_ROOT, 'docker', 'postgres');
const RPO_LIMIT_S = 60;

/** Tables holding orders, payments, customers, Zibal attempts and chat: their SQL checksums must match. */
const CHECKED_TABLES = [
    'order',
    'order_line',
    'order_channels_channel',
    'order_promotions_promotion',
    'shipping_line',
    'surcharge',
    'payment',
    'refund',
    'history_entry',
    'stock_movement',
    'customer',
    'customer_channels_channel',
    'address',
    'user',
    'authentication_method',
    'zibal_payment_attempt',
    'support_conversation',
    'support_message',
];

const log = (msg: string) => console.log(`[drill ${new Date().toISOString().slice(11, 19)}] ${msg}`);
const secs = (ms: number) => Math.round(ms / 100) / 10;

function archiveTimeoutSeconds(): number {
    const conf = fs.readFileSync(path.join(CONF_DIR, 'postgresql-backup.conf'), 'utf8');
    const m = /^archive_timeout\s*=\s*(\d+)s/m.exec(conf);
    if (!m) {
        throw new Error('docker/postgres/postgresql-backup.conf has no archive_timeout in seconds');
    }
    return Number(m[1]);
}

async function checksums(cluster: PostgresCluster): Promise<Record<string, string>> {
    const out: Record<string, string> = {};
    for (const table of CHECKED_TABLES) {
        const [row] = await cluster.query<{ n: number; md5: string }>(
            `SELECT count(*)::int AS n, md5(coalesce(string_agg(t::text, E'\\n' ORDER BY t::text), '')) AS md5 FROM "${table}" t`,
            [],
            'shop',
        );
        out[table] = `${row.n} rows ${row.md5}`;
    }
    return out;
}

interface Drill {
    work: string;
    pgbackrest: Pgbackrest;
    clusters: PostgresCluster[];
    shops: TestShop[];
    problems: string[];
}

function check(drill: Drill, ok: boolean, what: string): void {
    if (ok) {
        log(`ok: ${what}`);
    } else {
        log(`DIFFERENCE: ${what}`);
        drill.problems.push(what);
    }
}

async function newCluster(drill: Drill, name: string, env: NodeJS.ProcessEnv): Promise<PostgresCluster> {
    const cluster = new PostgresCluster({
        dataDir: path.join(drill.work, name),
        port: await freePort(),
        runDir: drill.work,
        binDir: postgresBinDir(),
        user: serverUser(),
        env,
    });
    drill.clusters.push(cluster);
    return cluster;
}

async function startShop(drill: Drill, cluster: PostgresCluster, seed: boolean): Promise<TestShop> {
    const shop = await createTestShop({
        databaseUrl: `postgresql://postgres@127.0.0.1:${cluster.options.port}/shop`,
        seed,
        // A server without a worker: jobs stay queued, nothing writes in the background between the checks.
        runJobsInProcess: false,
        env: { REDIS_URL: '', LOG_LEVEL: process.env.LOG_LEVEL ?? 'error' },
    });
    drill.shops.push(shop);
    return shop;
}

async function stopShop(drill: Drill, shop: TestShop): Promise<void> {
    drill.shops = drill.shops.filter(s => s !== shop);
    await shop.close();
}

/**
 * Restores into a new cluster and starts it; returns it promoted. A recovery that cannot reach its target is
 * reported with PostgreSQL's reason.
 */
async function restoreCluster(
    drill: Drill,
    name: string,
    target: RestoreRequest['target'],
): Promise<{ cluster: PostgresCluster; command: string[] }> {
    const cluster = await newCluster(drill, name, drill.pgbackrest.env);
    const command = await drill.pgbackrest.restore({
        pgPath: cluster.options.dataDir,
        target,
        archiveMode: 'off',
    });
    cluster.appendSettings(cluster.localSettings());
    try {
        await cluster.start();
        await cluster.waitUntilPromoted();
    } catch (e) {
        throw new Error(recoveryFailure(cluster.logTail(40)) ?? (e as Error).message);
    }
    return { cluster, command };
}

/** `npm run backup:pg-restore` as an operator runs it (the compiled script, in its own process). */
async function restoreWithCli(
    drill: Drill,
    name: string,
    args: string[],
): Promise<{ cluster: PostgresCluster; output: string }> {
    const cluster = await newCluster(drill, name, drill.pgbackrest.env);
    const output = await runNode(
        'pg-restore.js',
        ['--pg-path', cluster.options.dataDir, '--port', String(cluster.options.port), ...args],
        drill.pgbackrest.env,
    );
    return { cluster, output: output.trim().replace(/\n/g, '; ') };
}

function runNode(script: string, args: string[], env: NodeJS.ProcessEnv): Promise<string> {
    return runCommand(process.execPath, [path.join(__dirname, script), ...args], { env });
}

async function run(drill: Drill): Promise<{ rpo?: number; rto?: number }> {
    const user = serverUser();
    const archiveTimeout = archiveTimeoutSeconds();
    for (const dir of ['repo', 'log', 'lock']) {
        makeDir(path.join(drill.work, dir), user);
    }
    const primaryDir = path.join(drill.work, 'primary');
    const primaryPort = await freePort();
    drill.pgbackrest = new Pgbackrest({
        configFile: path.join(CONF_DIR, 'pgbackrest.conf'),
        env: {
            // The production file with a local repository instead of S3; the key is made for this drill.
            PGBACKREST_REPO1_TYPE: 'posix',
            PGBACKREST_REPO1_PATH: path.join(drill.work, 'repo'),
            PGBACKREST_REPO1_CIPHER_PASS: crypto.randomBytes(32).toString('base64url'),
            PGBACKREST_PG1_PATH: primaryDir,
            PGBACKREST_PG1_PORT: String(primaryPort),
            PGBACKREST_PG1_SOCKET_PATH: drill.work,
            PGBACKREST_LOCK_PATH: path.join(drill.work, 'lock'),
            PGBACKREST_LOG_PATH: path.join(drill.work, 'log'),
            PGBACKREST_LOG_LEVEL_CONSOLE: 'warn',
        },
        user,
    });
    const pgbackrest = drill.pgbackrest;

    // 1. The primary, archiving with the production settings; the shop migrated and seeded; a full backup.
    const primary = new PostgresCluster({
        dataDir: primaryDir,
        port: primaryPort,
        runDir: drill.work,
        binDir: postgresBinDir(),
        user,
        env: pgbackrest.env,
    });
    drill.clusters.push(primary);
    await primary.init({ ...primary.localSettings(), track_commit_timestamp: 'on' }, [
        path.join(CONF_DIR, 'postgresql-backup.conf'),
    ]);
    await primary.start();
    await primary.query('CREATE DATABASE shop');
    await pgbackrest.run(['stanza-create']);
    await pgbackrest.run(['check']);
    log(
        `primary cluster on port ${primaryPort} (${postgresBinDir()}), archiving to an encrypted local repository`,
    );
    let t0 = Date.now();
    let shop = await startShop(drill, primary, true);
    log(`shop migrated and seeded on it in ${secs(Date.now() - t0)} s`);
    t0 = Date.now();
    const full = await pgbackrest.backup('full');
    log(
        `full backup ${full.label}: ${secs(Date.now() - t0)} s, ${full.sizeBytes} bytes, ${full.repoSizeBytes} in the repository`,
    );

    // 2. Orders of every kind, a differential backup, the state at T.
    const shopper = new DrillShopper(shop);
    const beforeT: PlacedOrder[] = [];
    beforeT.push(await shopper.codOrder('cod'));
    const zibalPaid = await shopper.startZibal('zibal');
    beforeT.push(await zibalPaid.settle());
    const otp = await shopper.otpCustomerOrder('09121112233', 'سلام، سفارشم کی می‌رسد؟');
    beforeT.push(otp);
    await shopper.staffReply(otp.conversationId, 'فردا تحویل پست می‌شود.');
    const zibalAtBank = await shopper.startZibal('zibal-pending');
    beforeT.push(await shopper.codOrder('cod'));
    t0 = Date.now();
    const diff = await pgbackrest.backup('diff');
    log(`${beforeT.length} orders placed; differential backup ${diff.label}: ${secs(Date.now() - t0)} s`);
    beforeT.push(await shopper.codOrder('cod-after-diff'));

    let expectedSql: Record<string, string> = {};
    let expectedApi: Record<string, unknown> = {};
    let T = new Date(0);
    for (let attempt = 0; ; attempt++) {
        expectedSql = await checksums(primary);
        expectedApi = await adminSnapshot(shop.admin);
        const [row] = await primary.query<{ t: Date }>('SELECT clock_timestamp() AS t');
        T = row.t;
        await new Promise(r => setTimeout(r, 20));
        if (JSON.stringify(await checksums(primary)) === JSON.stringify(expectedSql)) {
            break;
        }
        if (attempt === 5) {
            throw new Error('the shop kept writing while idle: no quiet point in time to compare');
        }
    }
    log(
        `T = ${T.toISOString()}: ${(expectedApi.orders as unknown[]).length} orders, checksums of ${CHECKED_TABLES.length} tables noted`,
    );

    // 3. After T: more orders, the pending Zibal payment settled, chat; then the operator's mistake.
    const afterT: PlacedOrder[] = [await shopper.codOrder('after-t')];
    // This order existed at T, waiting at the bank; its payment after T must not be restored.
    await zibalAtBank.settle();
    afterT.push(await shopper.otpCustomerOrder('09123334455', 'پیام بعد از T'));
    await primary.query(
        `UPDATE payment SET state = 'Declined'; DELETE FROM support_message; UPDATE support_conversation SET "lastSeq" = 0`,
        [],
        'shop',
    );
    log(
        `${afterT.length} orders after T, then the mistake: every payment declined and the chat deleted by SQL`,
    );
    await pgbackrest.run(['check']);
    const metrics = await runNode('backup-status.js', [], {
        ...pgbackrest.env,
        DATABASE_URL: `postgresql://postgres@127.0.0.1:${primaryPort}/shop`,
        BACKUP_STATUS_FILE: statusFile(),
    });
    check(
        drill,
        /shop_backup_last_success_timestamp_seconds\{profile="postgres"\} \d+/.test(metrics) &&
            /shop_backup_wal_last_archived_timestamp_seconds \d+/.test(metrics),
        'npm run backup:status records the last backup and the last archived WAL',
    );

    // 4. Requests the repository cannot serve are refused; the live database is untouched.
    const liveBefore = await checksums(primary);
    const refusals: Array<[string, RestoreRequest, RegExp]> = [
        [
            'a backup set that does not exist',
            {
                pgPath: path.join(drill.work, 'x1'),
                target: { type: 'latest' },
                set: '20200101-000000F',
                archiveMode: 'off',
            },
            /not in the repository/,
        ],
        [
            'the live data directory as target',
            { pgPath: primaryDir, target: { type: 'latest' }, archiveMode: 'off' },
            /live database/,
        ],
        [
            'a target that is not empty',
            { pgPath: path.join(drill.work, 'repo'), target: { type: 'latest' }, archiveMode: 'off' },
            /not empty/,
        ],
        [
            'a time before the oldest backup',
            {
                pgPath: path.join(drill.work, 'x2'),
                target: { type: 'time', time: new Date(full.startedAt.getTime() - 3_600_000) },
                archiveMode: 'off',
            },
            /before the end of/,
        ],
        [
            'a time in the future',
            {
                pgPath: path.join(drill.work, 'x3'),
                target: { type: 'time', time: new Date(Date.now() + 3_600_000) },
                archiveMode: 'off',
            },
            /in the future/,
        ],
    ];
    for (const [what, request, message] of refusals) {
        const error = await pgbackrest.restore(request).then(
            () => undefined,
            (e: Error) => e,
        );
        check(
            drill,
            error instanceof RestoreRefused && message.test(error.message),
            `refuses ${what}: ${error?.message}`,
        );
    }
    // A repository opened with the wrong key is not a backup to restore from.
    const wrongKey = new Pgbackrest({
        ...pgbackrest.options,
        env: { ...pgbackrest.options.env, PGBACKREST_REPO1_CIPHER_PASS: 'not-the-repository-key' },
    });
    const wrongKeyError = await wrongKey
        .restore({ pgPath: path.join(drill.work, 'x4'), target: { type: 'latest' }, archiveMode: 'off' })
        .then(
            () => undefined,
            (e: Error) => e,
        );
    check(
        drill,
        wrongKeyError instanceof RestoreRefused &&
            /cannot read the repository: .*wrong repository key/.test(wrongKeyError.message),
        `refuses a repository it cannot decrypt (wrong key): ${wrongKeyError?.message.split('\n')[0]}`,
    );
    // The command refuses the same way: exit code 2 and the reason.
    const cliRefusal = await runNode(
        'pg-restore.js',
        ['--pg-path', path.join(drill.work, 'repo'), '--latest'],
        pgbackrest.env,
    ).then(
        () => undefined,
        (e: CommandError) => e,
    );
    check(
        drill,
        cliRefusal?.code === 2 && /pg-restore refused: target .* is not empty/.test(cliRefusal.stderr),
        `npm run backup:pg-restore refuses a non-empty target with exit code 2: ${cliRefusal?.stderr.trim()}`,
    );
    // A time after the last archived WAL passes the checks; PostgreSQL stops the recovery, reported clearly.
    const [{ now }] = await primary.query<{ now: Date }>('SELECT clock_timestamp() AS now');
    await new Promise(r => setTimeout(r, 1000));
    const beyond = await restoreCluster(drill, 'beyond', { type: 'time', time: now }).then(
        () => undefined,
        (e: Error) => e,
    );
    check(
        drill,
        !!beyond && /after the last archived WAL/.test(beyond.message),
        `refuses a time after the last archived WAL: ${beyond?.message}`,
    );
    check(
        drill,
        JSON.stringify(await checksums(primary)) === JSON.stringify(liveBefore),
        'the live database is unchanged by the refused restores',
    );

    // 5. Orders keep coming for longer than archive_timeout, then the host is lost.
    const trafficUntil = Date.now() + (archiveTimeout + 5) * 1000;
    const lateOrders: PlacedOrder[] = [];
    while (Date.now() < trafficUntil) {
        lateOrders.push(await shopper.codOrder('late'));
    }
    const [{ ts: lastCommit }] = await primary.query<{ ts: Date }>(
        'SELECT timestamp AS ts FROM pg_last_committed_xact()',
    );
    await stopShop(drill, shop);
    await primary.stop('immediate');
    fs.rmSync(primaryDir, { recursive: true, force: true });
    log(
        `${lateOrders.length} orders in ${archiveTimeout + 5} s; last commit ${lastCommit.toISOString()}; host lost (immediate stop, data directory deleted)`,
    );

    // 6. Point-in-time restore to T.
    t0 = Date.now();
    const pitr = await restoreWithCli(drill, 'restored-pitr', ['--time', T.toISOString()]);
    const pitrRecovered = Date.now();
    const [{ ts: pitrLast }] = await pitr.cluster.query<{ ts: Date }>(
        'SELECT pg_last_xact_replay_timestamp() AS ts',
    );
    const restoredSql = await checksums(pitr.cluster);
    shop = await startShop(drill, pitr.cluster, false);
    check(drill, await shopAnswers(shop), 'the shop restored to T answers the Shop API');
    const rto = (Date.now() - t0) / 1000;
    log(`restored to T with npm run backup:pg-restore: ${pitr.output}`);
    log(
        `recovery ${secs(pitrRecovered - t0)} s, shop answering after ${rto.toFixed(1)} s; last restored commit ${pitrLast.toISOString()} (T ${T.toISOString()})`,
    );
    check(drill, pitrLast.getTime() <= T.getTime(), 'no commit after T was replayed');
    const sqlDiff = differences(expectedSql, restoredSql);
    check(
        drill,
        sqlDiff.length === 0,
        `SQL checksums of ${CHECKED_TABLES.length} tables equal the state at T ${sqlDiff.join('; ')}`,
    );
    const apiDiff = differences(expectedApi, await adminSnapshot(shop.admin));
    check(
        drill,
        apiDiff.length === 0,
        `Admin API: orders, payments, Zibal attempts, customers and chat equal the state at T ${apiDiff.join('; ')}`,
    );
    const leaked = await existingOrderCodes(
        shop.admin,
        [...afterT, ...lateOrders].map(o => o.code),
    );
    check(drill, leaked.length === 0, `no order placed after T is there ${leaked.join(', ')}`);
    const atBank = ((await adminSnapshot(shop.admin)).attempts as Record<string, Array<{ state: string }>>)[
        zibalAtBank.code
    ];
    check(
        drill,
        atBank?.length === 1 && atBank[0].state === 'pending',
        `the Zibal payment still at the bank at T is pending again (it settled after T): ${JSON.stringify(atBank)}`,
    );
    const present = await existingOrderCodes(
        shop.admin,
        beforeT.map(o => o.code),
    );
    check(
        drill,
        present.length === beforeT.length,
        `all ${beforeT.length} orders placed before T are there (COD, Zibal, OTP customer)`,
    );
    await stopShop(drill, shop);
    await pitr.cluster.stop();

    // 7. The host-loss recovery: everything archived.
    t0 = Date.now();
    const latest = await restoreCluster(drill, 'restored-latest', { type: 'latest' });
    const [{ ts: latestLast }] = await latest.cluster.query<{ ts: Date }>(
        'SELECT pg_last_xact_replay_timestamp() AS ts',
    );
    shop = await startShop(drill, latest.cluster, false);
    check(drill, await shopAnswers(shop), 'the shop restored after the host loss answers the Shop API');
    const rtoLatest = (Date.now() - t0) / 1000;
    const rpo = (lastCommit.getTime() - latestLast.getTime()) / 1000;
    const afterTThere = await existingOrderCodes(
        shop.admin,
        afterT.map(o => o.code),
    );
    check(
        drill,
        afterTThere.length === afterT.length,
        'the host-loss restore has the orders placed after T (archived by pgbackrest check)',
    );
    const lateThere = await existingOrderCodes(
        shop.admin,
        lateOrders.map(o => o.code),
    );
    log(
        `host-loss restore: ${lateThere.length} of ${lateOrders.length} late orders recovered; last restored commit ${latestLast.toISOString()}`,
    );
    check(
        drill,
        rpo <= RPO_LIMIT_S,
        `RPO ${rpo.toFixed(1)} s <= ${RPO_LIMIT_S} s (archive_timeout ${archiveTimeout} s)`,
    );
    await stopShop(drill, shop);
    await latest.cluster.stop();
    log(`RTO host loss (restore of everything archived, to the shop answering): ${rtoLatest.toFixed(1)} s`);
    return { rpo, rto };
}

function statusFile(): string {
    return path.resolve(process.env.BACKUP_STATUS_FILE ?? path.join('data', 'backup-status.json'));
}

async function main(): Promise<void> {
    const started = Date.now();
    process.env.VENDURE_DISABLE_TELEMETRY ??= 'true';
    const work = fs.mkdtempSync(path.join(os.tmpdir(), 'backup-drill-'));
    const user = serverUser();
    makeDir(work, user, 0o711);
    const drill: Drill = {
        work,
        pgbackrest: undefined as unknown as Pgbackrest,
        clusters: [],
        shops: [],
        problems: [],
    };
    let result: { rpo?: number; rto?: number } = {};
    try {
        result = await run(drill);
    } catch (e) {
        drill.problems.push(`the drill failed: ${(e as Error).stack ?? e}`);
        for (const c of drill.clusters) {
            console.error(`--- ${c.logFile}\n${c.logTail(20)}`);
        }
    } finally {
        for (const shop of drill.shops) {
            await shop.close().catch(() => undefined);
        }
        for (const c of drill.clusters) {
            await c.stop('immediate').catch(() => undefined);
        }
        if (!process.env.DRILL_KEEP) {
            fs.rmSync(work, { recursive: true, force: true });
        }
    }
    const duration = (Date.now() - started) / 1000;
    updateBackupStatus(statusFile(), 'drill', {
        finishedAt: new Date().toISOString(),
        ok: drill.problems.length === 0,
        rpoSeconds: result.rpo ?? null,
        rtoSeconds: result.rto ?? null,
        durationSeconds: Math.round(duration),
        problems: drill.problems,
    });
    console.log('');
    console.log(`RPO (host lost): ${result.rpo?.toFixed(1) ?? '?'} s  (limit ${RPO_LIMIT_S} s)`);
    console.log(`RTO (point-in-time restore to the shop answering): ${result.rto?.toFixed(1) ?? '?'} s`);
    console.log(`drill duration: ${duration.toFixed(0)} s; status: ${statusFile()}`);
    if (drill.problems.length) {
        console.error(`BACKUP DRILL FAILED:\n${drill.problems.map(p => `  - ${p}`).join('\n')}`);
        process.exit(1);
    }
    console.log('backup drill passed');
    process.exit(0);
}

void main();
