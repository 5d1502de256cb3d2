import { ChildProcess, execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { createScratchDatabase, deleteRedisKeys, ScratchDatabase } from '../../../src/db/scratch-database';
import { freePort, waitFor } from '../../../src/testing/test-shop';

import { FAULTS_DATABASE_URL, FAULTS_DB_POOL_SIZE, FAULTS_REDIS_URL } from './app-shop';

const ROOT = path.resolve(__dirname, '../../..');
let built = false;

/** Compiles the project (tsc only, as the image does) once per test file, so the processes run the current code. */
export function buildOnce(): void {
    if (!built && process.env.FAULTS_SKIP_BUILD !== '1') {
        execFileSync('npx', ['tsc', '-p', 'tsconfig.json'], { cwd: ROOT, stdio: 'inherit' });
    }
    built = true;
}

export interface AppProcess {
    child: ChildProcess;
    pid: number;
    port: number;
    baseUrl: string;
    /** Resolves with the exit code (or signal) and when it exited. */
    exited: Promise<{ code: number | null; signal: NodeJS.Signals | null; at: number }>;
    log(): string;
    /** SIGKILL if still running. */
    kill(): void;
}

/** A deployment of the services profile: its database and Redis prefix, shared by the processes started on it. */
export interface AppDeployment {
    databaseUrl: string;
    redisPrefix: string;
    /** Starts `node dist/src/<entry>.js` on this deployment and waits until its Shop API answers. */
    startServer(env?: Record<string, string>): Promise<AppProcess>;
    close(): Promise<void>;
}

export async function createDeployment(name: string): Promise<AppDeployment> {
    buildOnce();
    const id = `faults_${name}_${process.pid}`;
    const database: ScratchDatabase = await createScratchDatabase(FAULTS_DATABASE_URL, id);
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), `${id}-`));
    const processes: AppProcess[] = [];
    return {
        databaseUrl: database.url,
        redisPrefix: id,
        async startServer(env = {}) {
            const port = await freePort();
            const dir = fs.mkdtempSync(path.join(tmp, 'server-'));
            const child = spawn(process.execPath, ['dist/src/server.js'], {
                cwd: ROOT,
                env: {
                    PATH: process.env.PATH,
                    APP_ENV: 'test',
                    PORT: String(port),
                    HOST: '127.0.0.1',
                    PUBLIC_URL: `http://127.0.0.1:${port}`,
                    DATABASE_URL: database.url,
                    REDIS_URL: FAULTS_REDIS_URL,
                    REDIS_PREFIX: id,
                    DB_POOL_SIZE: FAULTS_DB_POOL_SIZE,
                    SIMULATOR_PORT: String(await freePort()),
                    ASSETS_DIR: path.join(dir, 'assets'),
                    LOG_FORMAT: 'json',
                    LOG_LEVEL: 'info',
                    RATE_LIMIT_LOGIN: 'off',
                    RATE_LIMIT_NEW_ORDER: 'off',
                    VENDURE_DISABLE_TELEMETRY: 'true',
                    ...env,
                },
                stdio: ['ignore', 'pipe', 'pipe'],
            });
            let output = '';
            child.stdout!.on('data', (d: Buffer) => (output += d.toString()));
            child.stderr!.on('data', (d: Buffer) => (output += d.toString()));
            const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; at: number }>(
                resolve => child.once('exit', (code, signal) => resolve({ code, signal, at: Date.now() })),
            );
            const baseUrl = `http://127.0.0.1:${port}`;
            const proc: AppProcess = {
                child,
                pid: child.pid!,
                port,
                baseUrl,
                exited,
                log: () => output,
                kill: () => {
                    if (child.exitCode === null && child.signalCode === null) {
                        child.kill('SIGKILL');
                    }
                },
            };
            processes.push(proc);
            let gone = false;
            void exited.then(() => (gone = true));
            await waitFor(
                async () => {
                    if (gone) {
                        throw new Error(`server exited while starting:\n${output.slice(-3000)}`);
                    }
                    const res = await fetch(`${baseUrl}/shop-api`, {
                        method: 'POST',
                        headers: { 'content-type': 'application/json' },
                        body: JSON.stringify({ query: '{ products(options: { take: 1 }) { totalItems } }' }),
                    }).catch(() => undefined);
                    const body = res?.ok
                        ? ((await res.json()) as { data?: { products?: { totalItems: number } } })
                        : undefined;
                    return (body?.data?.products?.totalItems ?? 0) > 0;
                },
                180_000,
                'the server to answer with the seeded catalogue',
            );
            return proc;
        },
        async close() {
            for (const p of processes) {
                p.kill();
                await p.exited;
            }
            await database.drop();
            await deleteRedisKeys(FAULTS_REDIS_URL, id);
            fs.rmSync(tmp, { recursive: true, force: true });
        },
    };
}
