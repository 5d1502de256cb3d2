import { ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

import Redis from 'ioredis';

import { waitFor } from '../../../src/testing/test-shop';

/** The queue Redis settings of docs/disaster-recovery.md: AOF, fsync every second, no eviction. */
const QUEUE_REDIS_ARGS = [
    '--appendonly',
    'yes',
    '--appendfsync',
    'everysec',
    '--maxmemory-policy',
    'noeviction',
];

/**
 * A redis-server of the test's own (the machine's Redis keeps nothing on disk), on a free port of
 * FAULTS_REDIS_PORTS (default 7300-7399) and its own folder, which a scenario kills with SIGKILL and starts again
 * on the same files.
 */
export class OwnRedis {
    readonly dir = fs.mkdtempSync(path.join(os.tmpdir(), 'faults-redis-'));
    port = 0;
    private child: ChildProcess | undefined;

    get url(): string {
        return `redis://127.0.0.1:${this.port}`;
    }

    async start(): Promise<void> {
        this.port ||= await freePortInRange();
        this.child = spawn(
            'redis-server',
            [
                '--port',
                String(this.port),
                '--bind',
                '127.0.0.1',
                '--dir',
                this.dir,
                '--save',
                '',
                ...QUEUE_REDIS_ARGS,
            ],
            { stdio: 'ignore' },
        );
        const client = new Redis({
            port: this.port,
            host: '127.0.0.1',
            lazyConnect: true,
            retryStrategy: () => 100,
        });
        client.on('error', () => undefined);
        try {
            await waitFor(
                async () => (await client.ping().catch(() => '')) === 'PONG',
                20_000,
                'redis-server',
            );
        } finally {
            client.disconnect();
        }
    }

    /** SIGKILL, as a crash: whatever the AOF holds is what comes back. */
    async crash(): Promise<void> {
        const child = this.child;
        if (!child || child.exitCode !== null) {
            return;
        }
        await new Promise<void>(resolve => {
            child.once('exit', () => resolve());
            child.kill('SIGKILL');
        });
    }

    async close(): Promise<void> {
        await this.crash();
        fs.rmSync(this.dir, { recursive: true, force: true });
    }
}

async function freePortInRange(): Promise<number> {
    const [from, to] = (process.env.FAULTS_REDIS_PORTS ?? '7300-7399').split('-').map(Number);
    for (let port = from; port <= to; port++) {
        const free = await new Promise<boolean>(resolve => {
            const server = net.createServer();
            server.once('error', () => resolve(false));
            server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
        });
        if (free) {
            return port;
        }
    }
    throw new Error(`no free port in ${from}-${to} (FAULTS_REDIS_PORTS)`);
}
