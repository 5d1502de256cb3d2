import swc from 'unplugin-swc';
import { defineConfig } from 'vitest/config';

// SWC compiles the TypeScript so decorator metadata is emitted (Vendure and TypeORM entities need it).
const swcPlugin = swc.vite({ jsc: { transform: { useDefineForClassFields: false } } });

/** Test files that each start a real Vendure server: separate processes, long timeouts. */
function serverProject(name: string, groupOrder: number, include: string[], maxWorkers: number) {
    return {
        plugins: [swcPlugin],
        test: {
            name,
            sequence: { groupOrder },
            include,
            environment: 'node' as const,
            testTimeout: 60_000,
            hookTimeout: 120_000,
            pool: 'forks' as const,
            // Two cores: more parallel Vendure servers only make each one slower.
            maxWorkers,
            fileParallelism: maxWorkers > 1,
        },
    };
}

export default defineConfig({
    plugins: [swcPlugin],
    test: {
        projects: [
            {
                plugins: [swcPlugin],
                test: {
                    name: 'unit',
                    sequence: { groupOrder: 0 },
                    // test/deploy: the image, compose, Kubernetes and workflow files (scripts/ci/deploy-tools.sh).
                    include: ['src/**/*.spec.ts', 'plugins/**/*.spec.ts', 'test/**/*.spec.ts'],
                    environment: 'node',
                    // Through Vite like the tests, so it shares their copy of graphql (graphql ships CJS and ESM).
                    server: { deps: { inline: ['@graphql-inspector/core'] } },
                },
            },
            serverProject(
                'e2e',
                1,
                ['test/**/*.e2e-spec.ts', 'plugins/**/e2e/**/*.e2e-spec.ts'],
                // E2E_MAX_WORKERS=1: one file at a time (.ci/run's PostgreSQL + Redis pass, see there).
                Number(process.env.E2E_MAX_WORKERS ?? 2),
            ),
            // Fault scenarios (npm run test:faults; issue 17): separate server, worker and simulator processes killed
            // and restarted; one file at a time, the compiled dist/ built once by the global setup.
            {
                plugins: [swcPlugin],
                test: {
                    name: 'faults',
                    sequence: { groupOrder: 3 },
                    include: ['test/faults/**/*.fault-spec.ts'],
                    environment: 'node' as const,
                    globalSetup: ['test/faults/support/global-setup.ts'],
                    testTimeout: 180_000,
                    hookTimeout: 240_000,
                    pool: 'forks' as const,
                    maxWorkers: 1,
                    fileParallelism: false,
                },
            },
            // A Vendure server and a Chromium per file: one file at a time.
            serverProject(
                'browser',
                2,
                ['test/**/*.browser-spec.ts', 'plugins/**/e2e/**/*.browser-spec.ts'],
                1,
            ),
        ],
    },
});
