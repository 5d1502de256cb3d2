import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { createScratchDatabase, deleteRedisKeys } from '../../src/db/scratch-database';
import { PROJECT_ROOT } from '../../src/paths';

import { waitForHealthy } from './bench-utils';

/**
 * `npm run bench:startup`: start time (process spawn until /health answers 200) and idle memory (RSS after
 * 10 s idle) of the server, on the embedded profile and on the services profile (PostgreSQL + Redis),
 * for a first start (migrations + demo seed) and a second start on the same data.
 * Services profile: set BENCH_DATABASE_URL (default postgresql://postgres@127.0.0.1:5432/postgres) and BENCH_REDIS_URL.
 */
const IDLE_MS = 10_000;
const PORT = 3477;

interface Sample {
    label: string;
    startMs: number;
    rssMb: number;
}

async function measure(label: string, env: NodeJS.ProcessEnv): Promise<Sample> {
    const started = performance.now();
    const child = spawn(process.execPath, [path.join(PROJECT_ROOT, 'dist/src/server.js')], {
        env: {
            ...process.env,
            ...env,
            PORT: String(PORT),
            SIMULATOR_PORT: String(PORT + 1),
            LOG_LEVEL: 'warn',
            LOG_FORMAT: 'json',
        },
        stdio: ['ignore', 'ignore', 'inherit'],
    });
    try {
        await waitForHealthy(`http://127.0.0.1:${PORT}`, child);
        const startMs = performance.now() - started;
        await new Promise(r => setTimeout(r, IDLE_MS));
        const status = fs.readFileSync(`/proc/${child.pid}/status`, 'utf8');
        const rssKb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? NaN);
        return { label, startMs, rssMb: rssKb / 1024 };
    } finally {
        child.kill('SIGTERM');
        await new Promise(r => child.once('exit', r));
    }
}

async function main(): Promise<void> {
    const samples: Sample[] = [];
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-startup-'));
    const embedded = {
        SQLITE_PATH: path.join(dir, 'shop.sqlite'),
        ASSETS_DIR: path.join(dir, 'assets'),
        DATABASE_URL: '',
        REDIS_URL: '',
    };
    samples.push(await measure('embedded, first start (migrate + seed)', embedded));
    samples.push(await measure('embedded, second start', embedded));
    fs.rmSync(dir, { recursive: true, force: true });

    const baseUrl = process.env.BENCH_DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres';
    const redisUrl = process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379';
    const dbName = `bench_startup_${process.pid}`;
    const scratch = await createScratchDatabase(baseUrl, dbName);
    const services = {
        DATABASE_URL: scratch.url,
        REDIS_URL: redisUrl,
        REDIS_PREFIX: dbName,
        SEED_ON_START: 'true',
    };
    try {
        samples.push(await measure('services, first start (migrate + seed)', services));
        samples.push(await measure('services, second start', services));
    } finally {
        await scratch.drop();
        await deleteRedisKeys(redisUrl, dbName);
    }
    console.log(
        `bench:startup (node ${process.version}, ${os.cpus().length} cores; RSS after ${IDLE_MS / 1000} s idle)`,
    );
    console.log('| run | start to healthy (s) | idle RSS (MB) |');
    console.log('|---|---|---|');
    for (const s of samples) {
        console.log(`| ${s.label} | ${(s.startMs / 1000).toFixed(1)} | ${s.rssMb.toFixed(0)} |`);
    }
}

main().catch(e => {
    console.error(e);
    process.exit(1);
});
