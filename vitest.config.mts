import swc from 'unplugin-swc';
import { defineConfig } from 'vitest/config';

// SWC compiles the TypeScript so decorator metadata is emitted (Vendure and TypeORM entities need it).
const swcPlugin = swc.vite({ jsc: { transform: { useDefineForClassFields: false } } });

export default defineConfig({
    plugins: [swcPlugin],
    test: {
        projects: [
            {
                plugins: [swcPlugin],
                test: {
                    name: 'unit',
                    sequence: { groupOrder: 0 },
                    include: ['src/**/*.spec.ts', 'plugins/**/*.spec.ts'],
                    environment: 'node',
                },
            },
            {
                plugins: [swcPlugin],
                test: {
                    name: 'e2e',
                    sequence: { groupOrder: 1 },
                    include: ['test/**/*.e2e-spec.ts', 'plugins/**/e2e/**/*.e2e-spec.ts'],
                    environment: 'node',
                    testTimeout: 60_000,
                    hookTimeout: 120_000,
                    pool: 'forks',
                    // Two cores: more parallel Vendure servers only make each one slower.
                    maxWorkers: 2,
                    fileParallelism: true,
                },
            },
            {
                plugins: [swcPlugin],
                test: {
                    name: 'browser',
                    sequence: { groupOrder: 2 },
                    include: ['test/**/*.browser-spec.ts', 'plugins/**/e2e/**/*.browser-spec.ts'],
                    environment: 'node',
                    testTimeout: 60_000,
                    hookTimeout: 120_000,
                    pool: 'forks',
                    // A Vendure server and a Chromium per file: one file at a time on two cores.
                    maxWorkers: 1,
                    fileParallelism: false,
                },
            },
        ],
    },
});
