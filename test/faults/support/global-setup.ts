import { execFileSync } from 'node:child_process';
import path from 'node:path';

/**
 * The fault scenarios run the compiled processes (dist/src/server.js, worker.js, simulators/main.js), as
 * production does: compile the TypeScript once before the first scenario (the Admin UI build is not needed; a
 * server without it serves Vendure's prebuilt one). FAULTS_SKIP_BUILD=1 uses the dist/ already there.
 */
export default function setup(): void {
    if (process.env.FAULTS_SKIP_BUILD) {
        return;
    }
    const root = path.resolve(__dirname, '../../..');
    execFileSync(
        process.execPath,
        [path.join(root, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.json'],
        {
            cwd: root,
            stdio: 'inherit',
        },
    );
}
