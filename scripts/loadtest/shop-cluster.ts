import { ChildProcess, fork } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

import pidusage from 'pidusage';

import { createScratchDatabase, deleteRedisKeys, ScratchDatabase } from '../../src/db/scratch-database';
import { freePort, waitFor } from '../../src/testing/test-shop';
import { waitForHealthy } from '../bench/bench-utils';
import type { ProbeCommand, ProbeReply } from './probe-protocol';

const DIST = path.resolve(__dirname, '../..');
const entry = (p: string) => path.join(DIST, p);

export interface ClusterOptions {
    servers: number;
    /** PostgreSQL server URL (any database of it); the run creates and drops its own database. */
    pgUrl: string;
    redisUrl: string;
    /** Extra environment for the server processes (`--server-env KEY=VALUE`), e.g. SHOP_RESPONSE_CACHE=on. */
    serverEnv: Record<string, string>;
    /** Where logs and profiles go. */
    dir: string;
    log: (line: string) => void;
}

export interface ShopServer {
    index: number;
    url: string;
    metricsUrl: string;
    child: ChildProcess;
}

/** The services profile for one load-test run: simulators, one worker and N servers on a database of its own. */
export class ShopCluster {
    servers: ShopServer[] = [];
    worker?: ChildProcess;
    simulators?: ChildProcess;
    simulatorUrl = '';
    readonly name = `loadtest_${process.pid}`;
    private db?: ScratchDatabase;
    private probeSeq = 0;
    private readonly children: ChildProcess[] = [];
    private readonly secret = crypto.randomBytes(24).toString('base64url');

    constructor(private readonly options: ClusterOptions) {}

    /** The environment every shop process shares; each adds its own ports. */
    private baseEnv(): NodeJS.ProcessEnv {
        const { PATH, HOME, LANG, TMPDIR } = process.env;
        return {
            PATH,
            HOME,
            LANG,
            TMPDIR,
            APP_ENV: 'test',
            HOST: '127.0.0.1',
            NODE_ENV: 'production',
            LOG_LEVEL: 'warn',
            LOG_FORMAT: 'json',
            DATABASE_URL: this.db!.url,
            REDIS_URL: this.options.redisUrl,
            REDIS_PREFIX: this.name,
            SEED_ON_START: 'false',
            ASSETS_DIR: path.join(this.options.dir, 'assets'),
            ZIBAL_API_URL: `${this.simulatorUrl}/zibal`,
            SMSIR_API_URL: `${this.simulatorUrl}/smsir`,
            POSTEX_API_URL: `${this.simulatorUrl}/postex/api/v1`,
            VENDURE_DISABLE_TELEMETRY: 'true',
            // NODE_ENV=production as deployed; Vendure then refuses its default superadmin password.
            SUPERADMIN_PASSWORD: this.secret,
            COOKIE_SECRET: this.secret,
        };
    }

    private spawn(
        name: string,
        script: string,
        env: NodeJS.ProcessEnv,
        execArgv: string[] = [],
    ): ChildProcess {
        const out = fs.openSync(path.join(this.options.dir, `${name}.log`), 'a');
        const child = fork(entry(script), [], { env, execArgv, stdio: ['ignore', out, out, 'ipc'] });
        fs.closeSync(out);
        // A send to a process that has exited is answered through the send callback (see probe()).
        child.on('error', () => undefined);
        this.children.push(child);
        return child;
    }

    async start(): Promise<void> {
        const { log, dir } = this.options;
        fs.mkdirSync(path.join(dir, 'assets'), { recursive: true });
        this.db = await createScratchDatabase(this.options.pgUrl, this.name);
        await deleteRedisKeys(this.options.redisUrl, `${this.name}:`);

        const simPort = await freePort();
        this.simulatorUrl = `http://127.0.0.1:${simPort}`;
        this.simulators = this.spawn('simulators', 'src/simulators/main.js', {
            ...this.baseEnv(),
            SIMULATOR_PORT: String(simPort),
        });
        await waitFor(
            () =>
                fetch(`${this.simulatorUrl}/smsir/__inbox`).then(
                    r => r.ok,
                    () => false,
                ),
            30_000,
            'the simulators',
        );

        log(`database ${this.name}: migrating and seeding the demo shop`);
        const seed = this.spawn('seed', 'scripts/seed.js', this.baseEnv());
        const code = await new Promise<number | null>(resolve => seed.once('exit', resolve));
        if (code !== 0) {
            throw new Error(`the seed exited with ${code}; see ${path.join(dir, 'seed.log')}`);
        }

        const workerPort = await freePort();
        this.worker = this.spawn('worker', 'src/worker.js', {
            ...this.baseEnv(),
            WORKER_HEALTH_PORT: String(workerPort),
        });
        const starts: Array<Promise<void>> = [
            waitForHealthy(`http://127.0.0.1:${workerPort}`, this.worker, 180_000),
        ];
        for (let i = 0; i < this.options.servers; i++) {
            const port = await freePort();
            const metrics = await freePort();
            const child = this.spawn(
                `server-${i}`,
                'src/server.js',
                {
                    ...this.baseEnv(),
                    PORT: String(port),
                    PUBLIC_URL: `http://127.0.0.1:${port}`,
                    METRICS_PORT: String(metrics),
                    WORKER_METRICS_PORT: String(await freePort()),
                    ADMIN_UI_DIR: path.join(dir, `admin-ui-${i}`),
                    ...this.options.serverEnv,
                },
                ['-r', entry('scripts/loadtest/probe.js')],
            );
            const server = {
                index: i,
                url: `http://127.0.0.1:${port}`,
                metricsUrl: `http://127.0.0.1:${metrics}/metrics`,
                child,
            };
            this.servers.push(server);
            starts.push(waitForHealthy(server.url, child, 180_000));
        }
        await Promise.all(starts);
        log(`${this.servers.length} server(s), 1 worker and the simulators are up`);
    }

    /** Sends a command to one server's probe and waits for the answer. */
    probe<K extends ProbeReply['kind']>(
        server: ShopServer,
        cmd: ProbeCommand extends infer C ? (C extends { id: number } ? Omit<C, 'id'> : never) : never,
        kind: K,
    ): Promise<Extract<ProbeReply, { kind: K }>> {
        const id = ++this.probeSeq;
        return new Promise((resolve, reject) => {
            const timer = setTimeout(() => {
                server.child.off('message', onMessage);
                reject(new Error(`server ${server.index} did not answer ${cmd.cmd}`));
            }, 60_000);
            const onMessage = (m: ProbeReply & { id: number }) => {
                if (m.id !== id) {
                    return;
                }
                clearTimeout(timer);
                server.child.off('message', onMessage);
                if (m.kind === 'error') {
                    reject(new Error(m.message));
                } else if (m.kind !== kind) {
                    reject(new Error(`server ${server.index} answered ${m.kind} to ${cmd.cmd}`));
                } else {
                    resolve(m as unknown as Extract<ProbeReply, { kind: K }>);
                }
            };
            server.child.on('message', onMessage);
            server.child.send({ ...cmd, id }, err => {
                if (err) {
                    clearTimeout(timer);
                    server.child.off('message', onMessage);
                    reject(new Error(`server ${server.index} is gone: ${err.message}`));
                }
            });
        });
    }

    /** PIDs whose CPU and memory the report shows, by role. */
    pids(): Array<{ role: string; pid: number }> {
        return [
            ...this.servers.map(s => ({ role: `server-${s.index}`, pid: s.child.pid! })),
            { role: 'worker', pid: this.worker!.pid! },
            { role: 'simulators', pid: this.simulators!.pid! },
        ];
    }

    /** Stops every process it started (SIGTERM, then SIGKILL after 20 s), drops the database and the Redis keys. */
    async stop(): Promise<void> {
        await Promise.all(
            this.children.map(
                child =>
                    new Promise<void>(resolve => {
                        if (child.exitCode !== null || child.signalCode !== null) {
                            return resolve();
                        }
                        const kill = setTimeout(() => child.kill('SIGKILL'), 20_000);
                        child.once('exit', () => {
                            clearTimeout(kill);
                            resolve();
                        });
                        child.kill('SIGTERM');
                    }),
            ),
        );
        pidusage.clear();
        await this.db?.drop().catch(e => this.options.log(`could not drop ${this.name}: ${String(e)}`));
        await deleteRedisKeys(this.options.redisUrl, `${this.name}:`).catch(() => undefined);
    }
}
