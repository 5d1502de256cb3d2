import { ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { JobQueueService } from '@vendure/core';
import gql from 'graphql-tag';
import Redis from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { sentEmails } from '../src/testing/mailbox';
import { createTestShop, freePort, TestShop, testProfile, waitFor } from '../src/testing/test-shop';

/**
 * The queue Redis persists its data (AOF, fsync every second, no eviction: docs/disaster-recovery.md), so a job the
 * shop accepted before Redis went down is still there when it comes back and runs once. The test owns its Redis:
 * its own port and folder, killed with SIGKILL as a crash would, then started again on the same files.
 */

/** The queue Redis settings of docs/disaster-recovery.md. */
const QUEUE_REDIS_ARGS = [
    '--appendonly',
    'yes',
    '--appendfsync',
    'everysec',
    '--maxmemory-policy',
    'noeviction',
];

interface EmailJob {
    id: string;
    /** BullMQ's own bookkeeping in the job's hash: when it finished, how many times it was taken. */
    finishedOn?: string;
    attemptsMade: number;
    waiting: boolean;
}

/** The send-email jobs as BullMQ keeps them in Redis (one Vendure queue; the job's name is the queue name). */
async function emailJobs(redisUrl: string, prefix: string): Promise<EmailJob[]> {
    const redis = new Redis(redisUrl);
    try {
        const base = `${prefix}:vendure-job-queue`;
        const waiting = new Set(await redis.lrange(`${base}:wait`, 0, -1));
        const jobs: EmailJob[] = [];
        for (const key of await redis.keys(`${base}:*`)) {
            const id = key.slice(base.length + 1);
            if (!/^\d+$/.test(id) || (await redis.hget(key, 'name')) !== 'send-email') {
                continue;
            }
            const [finishedOn, attemptsMade] = await redis.hmget(key, 'finishedOn', 'attemptsMade');
            jobs.push({
                id,
                finishedOn: finishedOn ?? undefined,
                attemptsMade: Number(attemptsMade ?? 0),
                waiting: waiting.has(id),
            });
        }
        return jobs;
    } finally {
        redis.disconnect();
    }
}

describe(`jobs survive a queue Redis restart (${testProfile()})`, () => {
    let dir: string;
    let port: number;
    let redis: ChildProcess | undefined;
    let t: TestShop;

    async function startRedis(): Promise<void> {
        redis = spawn(
            'redis-server',
            ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--save', '', ...QUEUE_REDIS_ARGS],
            { stdio: 'ignore' },
        );
        const client = new Redis({ port, host: '127.0.0.1', lazyConnect: true, retryStrategy: () => 100 });
        client.on('error', () => undefined);
        try {
            await waitFor(
                async () => (await client.ping().catch(() => '')) === 'PONG',
                10_000,
                'redis-server',
            );
        } finally {
            client.disconnect();
        }
    }

    function crashRedis(): Promise<void> {
        const child = redis!;
        return new Promise(resolve => {
            child.once('exit', () => resolve());
            child.kill('SIGKILL');
        });
    }

    beforeAll(async () => {
        dir = fs.mkdtempSync(path.join(os.tmpdir(), 'queue-redis-'));
        port = await freePort();
        await startRedis();
        // A server that accepts jobs but does not process them yet (as when no worker is running).
        t = await createTestShop({
            env: { REDIS_URL: `redis://127.0.0.1:${port}` },
            runJobsInProcess: false,
        });
    });

    afterAll(async () => {
        await t?.close();
        redis?.kill('SIGKILL');
        fs.rmSync(dir, { recursive: true, force: true });
    });

    it('a job accepted before Redis crashed runs exactly once after it restarts', async () => {
        const email = 'redis-restart@example.ir';
        const { registerCustomerAccount } = await t.shop.query(
            gql`
                mutation ($input: RegisterCustomerInput!) {
                    registerCustomerAccount(input: $input) {
                        __typename
                    }
                }
            `,
            {
                input: {
                    emailAddress: email,
                    firstName: 'Reza',
                    lastName: 'Tehrani',
                    password: 'password-123',
                },
            },
        );
        expect(registerCustomerAccount.__typename).toBe('Success');
        // The verification email is a send-email job, accepted and waiting in Redis.
        const redisUrl = `redis://127.0.0.1:${port}`;
        const [pending] = await waitFor(
            async () => {
                const jobs = await emailJobs(redisUrl, t.app.redisPrefix);
                return jobs.length ? jobs : undefined;
            },
            10_000,
            'the send-email job',
        );
        expect(pending).toMatchObject({ waiting: true, attemptsMade: 0, finishedOn: undefined });

        await crashRedis();
        await startRedis();
        await t.server.app.get(JobQueueService).start();

        const mine = () => sentEmails(t.app).filter(m => m.recipient === email);
        await waitFor(async () => mine().length > 0, 30_000, 'the verification email');
        await waitFor(
            async () => (await emailJobs(redisUrl, t.app.redisPrefix)).every(j => j.finishedOn),
            10_000,
            'the job to be completed',
        );
        // Give a duplicate the time to show up: none may.
        await new Promise(r => setTimeout(r, 2000));
        expect(mine()).toHaveLength(1);
        const jobs = await emailJobs(redisUrl, t.app.redisPrefix);
        expect(jobs.map(j => ({ id: j.id, waiting: j.waiting }))).toEqual([
            { id: pending.id, waiting: false },
        ]);
    });
});
