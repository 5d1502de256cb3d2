import { execFileSync } from 'node:child_process';
import path from 'node:path';

import { describe, expect, it } from 'vitest';

const ROOT = path.join(__dirname, '../..');

/**
 * What the preload leaves in a fresh Node process, then loading `http` and `@vendure/core` as the server does:
 * whether the SDK started, whether any SDK module was loaded, whether Vendure's instrumentation switch is on and
 * whether `http` was patched.
 */
function probe(env: Record<string, string>): Record<string, unknown> {
    const script = `
        require('./src/tracing/preload');
        const http = require('node:http');
        require('@vendure/core');
        const { tracingStarted } = require('./src/tracing/tracing-state');
        process.stdout.write(JSON.stringify({
            started: tracingStarted(),
            sdkLoaded: Object.keys(require.cache).some(m => m.includes('@opentelemetry/sdk-')),
            vendureInstrumentation: process.env.VENDURE_ENABLE_INSTRUMENTATION ?? null,
            httpPatched: typeof http.request.__wrapped === 'boolean' || '__original' in http.request,
        }));
        process.exit(0);
    `;
    const out = execFileSync(process.execPath, ['-r', './scripts/ts-register.cjs', '-e', script], {
        cwd: ROOT,
        env: { PATH: process.env.PATH, ...env },
        encoding: 'utf8',
        timeout: 60_000,
    });
    return JSON.parse(out) as Record<string, unknown>;
}

// Each probe starts Node and loads Vendure: seconds on a busy machine.
describe('tracing preload', { timeout: 60_000 }, () => {
    it('starts nothing without OTEL_EXPORTER_OTLP_ENDPOINT: no SDK module loaded, nothing patched', () => {
        expect(probe({})).toEqual({
            started: false,
            sdkLoaded: false,
            vendureInstrumentation: null,
            httpPatched: false,
        });
    });

    it('starts nothing when OTEL_SDK_DISABLED=true, even with an endpoint', () => {
        expect(
            probe({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:9', OTEL_SDK_DISABLED: 'true' }),
        ).toMatchObject({ started: false, sdkLoaded: false });
    });

    it("starts the SDK before Vendure loads when the endpoint is set; Vendure's services stay plain", () => {
        expect(probe({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:9' })).toEqual({
            started: true,
            sdkLoaded: true,
            vendureInstrumentation: null,
            httpPatched: true,
        });
    });

    it("instruments Vendure's services with TRACE_VENDURE_SERVICES=true", () => {
        expect(
            probe({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:9', TRACE_VENDURE_SERVICES: 'true' }),
        ).toEqual({ started: true, sdkLoaded: true, vendureInstrumentation: 'true', httpPatched: true });
    });
});
