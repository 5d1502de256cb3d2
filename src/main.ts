// First: tracing (when OTEL_EXPORTER_OTLP_ENDPOINT is set) must be set up before http, express, pg, ... load.
import './tracing/preload';
import { fork } from 'node:child_process';
import path from 'node:path';

import { Logger } from '@vendure/core';

import { startServer } from './bootstrap';
import { loadAppConfig } from './config/app-config';
import { exitOnStartupError, onExit, resolveProviders } from './runtime';

/**
 * `npm start`: everything a developer needs, with one command.
 * - Embedded profile: one process runs the server, the job queue, the scheduled tasks and the simulators.
 * - Services profile: this process runs the server (and simulators, outside production) and forks the worker.
 * Production deployments run `dist/src/server.js` and `dist/src/worker.js` as separate processes instead.
 */
async function main(): Promise<void> {
    const app = loadAppConfig();
    const { providers } = await resolveProviders(app);
    const server = await startServer(app, { providers });
    let worker: ReturnType<typeof fork> | undefined;
    if (app.profile === 'services') {
        // The worker gets the simulator URLs resolved here, like any other provider URL.
        worker = fork(path.join(__dirname, 'worker.js'), [], {
            env: {
                ...process.env,
                ZIBAL_API_URL: providers.zibal,
                SMSIR_API_URL: providers.smsir,
                POSTEX_API_URL: providers.postex,
                SEED_ON_START: 'false',
            },
            stdio: 'inherit',
        });
        worker.on('exit', code => Logger.warn(`Worker exited with code ${code}`, 'Main'));
    }
    const base = `http://localhost:${server.port}`;
    const lines = [
        `Shop profile: ${app.profile}${app.profile === 'embedded' ? ` (SQLite ${app.database.type === 'better-sqlite3' ? app.database.path : ''})` : ''}`,
        `Shop API:  ${base}/shop-api`,
        `Admin API: ${base}/admin-api`,
        `Admin UI:  ${base}/admin  (user ${app.superadmin.username})`,
        `Health:    ${base}/health`,
    ];
    Logger.info(`\n${lines.map(l => `  ${l}`).join('\n')}`, 'Main');
    onExit(() => worker?.kill('SIGTERM'));
}

main().catch(exitOnStartupError);
