import { ScheduledTask, TransactionalConnection } from '@vendure/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { createTestShop, TestShop, testProfile, waitFor } from '../src/testing/test-shop';

/**
 * A process stopping while a scheduled task runs (a worker's SIGTERM at the minute the Zibal reconciliation runs)
 * lets the run finish with its database, and stops cleanly. With Vendure's own strategy the run met the closed
 * connection ("Driver not Connected") and its rejection was unhandled: Node's exit code 1 mid-shutdown, and an e2e
 * run that failed at random when a test shop closed at the minute.
 */
describe(`stopping while a scheduled task runs (${testProfile()})`, () => {
    let t: TestShop;
    const runs = { started: 0, finished: 0, failed: [] as string[] };
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown) => unhandled.push(reason);

    const slowTask = new ScheduledTask({
        id: 'test-slow-task',
        description: 'Uses the database before and after a pause',
        // Every second (croner's six-field form), so one is running soon after the shop starts.
        schedule: '* * * * * *',
        async execute({ injector }) {
            runs.started++;
            const connection = injector.get(TransactionalConnection).rawConnection;
            try {
                await connection.query('SELECT 1');
                await new Promise(resolve => setTimeout(resolve, 1500));
                await connection.query('SELECT 1');
                runs.finished++;
            } catch (e) {
                runs.failed.push(e instanceof Error ? e.message : String(e));
                throw e;
            }
            return { ok: true };
        },
    });

    beforeAll(async () => {
        process.on('unhandledRejection', onUnhandled);
        t = await createTestShop({
            seed: false,
            adjustConfig: config => {
                config.schedulerOptions = {
                    ...config.schedulerOptions,
                    tasks: [...(config.schedulerOptions?.tasks ?? []), slowTask],
                };
                return config;
            },
        });
    });

    afterAll(async () => {
        await t?.close();
        process.off('unhandledRejection', onUnhandled);
    });

    it('waits for the running task, starts no new one, and leaves no unhandled rejection', async () => {
        await waitFor(async () => runs.started > runs.finished, 30_000, 'the slow task to be running');
        await t.server.close();
        const afterClose = { ...runs };
        // Anything that would still go wrong after the close (a run meeting the closed connection) shows up here.
        await new Promise(resolve => setTimeout(resolve, 2500));

        expect(afterClose.finished).toBe(afterClose.started);
        expect(runs).toEqual(afterClose);
        expect(runs.failed).toEqual([]);
        expect(unhandled.map(String)).toEqual([]);
    });
});
