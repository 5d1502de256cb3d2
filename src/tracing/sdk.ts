import type { IncomingMessage } from 'node:http';
import path from 'node:path';

import { Attributes, diag, DiagConsoleLogger, DiagLogLevel } from '@opentelemetry/api';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { NodeSDK } from '@opentelemetry/sdk-node';
import { BatchSpanProcessor, ReadableSpan, Span, SpanProcessor } from '@opentelemetry/sdk-trace-base';
import type * as VendurePreload from '@vendure/telemetry-plugin/dist/instrumentation';

import { TracingSettings } from '../config/app-config';
import { redactSessionKeys } from '../logging/redact';

import { markTracingStarted } from './tracing-state';

/**
 * The instrumentations of Vendure's default set this project keeps: the HTTP server span of each request (named by
 * its GraphQL operation, src/tracing/tracing.plugin.ts), PostgreSQL and Redis. Left out: MySQL2 (not used), the
 * Node runtime metrics (Prometheus has them, src/metrics), and Express, Nest and GraphQL, whose spans repeat the
 * HTTP span's timing and which wrap every middleware layer, handler and execution phase of every request, sampled
 * or not: they were most of tracing's cost (docs/benchmarks.md).
 */
const KEPT_INSTRUMENTATIONS = new Set([
    '@opentelemetry/instrumentation-http',
    '@opentelemetry/instrumentation-pg',
    '@opentelemetry/instrumentation-ioredis',
]);

/** Probes and scrapes are not worth a trace each. */
const UNTRACED_PATHS = new Set(['/health', '/health/live', '/metrics']);

/**
 * Starts the OpenTelemetry Node SDK with `@vendure/telemetry-plugin`'s configuration (which also switches on
 * Vendure's own `@Instrument()` spans), exporting spans by OTLP/HTTP (JSON) to `OTEL_EXPORTER_OTLP_ENDPOINT`.
 * The standard `OTEL_*` variables apply (`OTEL_SERVICE_NAME`, `OTEL_TRACES_SAMPLER`, `OTEL_BSP_*`, headers).
 */
export function startTracingSdk(settings: TracingSettings): void {
    if (Object.keys(require.cache).some(m => m.includes(`${path.sep}@vendure${path.sep}core${path.sep}`))) {
        // Vendure's classes are instrumented only if the preload ran before they were loaded.
        process.emitWarning(
            'Tracing started after @vendure/core was loaded: Vendure, GraphQL and database spans are missing. Load src/tracing/preload first.',
        );
    }
    if (process.env.OTEL_LOG_LEVEL) {
        diag.setLogger(new DiagConsoleLogger(), DiagLogLevel.WARN);
    }
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const vendure = require('@vendure/telemetry-plugin/preload') as typeof VendurePreload;
    const role =
        path.basename(process.argv[1] ?? '', path.extname(process.argv[1] ?? '')) === 'worker'
            ? 'worker'
            : 'server';
    const config = vendure.getSdkConfiguration({
        config: {
            serviceName: process.env.OTEL_SERVICE_NAME ?? `iran-shop-${role}`,
            spanProcessors: [
                new RedactingSpanProcessor(),
                new BatchSpanProcessor(new OTLPTraceExporter({ url: `${settings.endpoint}/v1/traces` })),
            ],
            // Logs stay JSON lines on stdout (src/logging) with trace_id/span_id; no OTLP log export.
            logRecordProcessors: [],
        },
    });
    if (!settings.vendureServices) {
        // getSdkConfiguration switched Vendure's @Instrument() proxies on; off, its classes stay plain.
        delete process.env.VENDURE_ENABLE_INSTRUMENTATION;
    }
    // getSdkConfiguration built (and enabled) Vendure's default set: keep some, switch the others off.
    const instrumentations = (config.instrumentations ?? []).flat();
    for (const instrumentation of instrumentations) {
        if (!KEPT_INSTRUMENTATIONS.has(instrumentation.instrumentationName)) {
            instrumentation.disable();
        }
    }
    const kept = instrumentations.filter(i => KEPT_INSTRUMENTATIONS.has(i.instrumentationName));
    for (const instrumentation of kept) {
        type Config = Parameters<typeof instrumentation.setConfig>[0];
        if (instrumentation.instrumentationName === '@opentelemetry/instrumentation-http') {
            instrumentation.setConfig({
                ...instrumentation.getConfig(),
                ignoreIncomingRequestHook: (req: IncomingMessage) =>
                    UNTRACED_PATHS.has((req.url ?? '').split('?')[0]),
            } as Config);
        }
        if (instrumentation.instrumentationName === '@opentelemetry/instrumentation-ioredis') {
            // The default statement carries the arguments: BullMQ's job payloads (a serialized RequestContext holds
            // the cookie secret), cache values, session-cache keys. The command name only.
            instrumentation.setConfig({
                ...instrumentation.getConfig(),
                dbStatementSerializer: (command: string) => command,
            } as Config);
        }
    }
    const sdk = new NodeSDK({ ...config, instrumentations: kept });
    sdk.start();
    markTracingStarted(() => sdk.shutdown());
}

/**
 * What leaves the process carries no secret: Vendure's cache spans and Redis statements name session-cache keys,
 * which are session tokens; the job queue's `job.data` attribute holds whole job payloads (e-mail addresses,
 * links with tokens). Runs before the exporting processor.
 */
export class RedactingSpanProcessor implements SpanProcessor {
    onStart(_span: Span): void {
        // Attributes are final only when the span ends.
    }

    onEnd(span: ReadableSpan): void {
        redactAttributes(span.attributes);
        for (const event of span.events) {
            if (event.attributes) {
                redactAttributes(event.attributes);
            }
        }
    }

    forceFlush(): Promise<void> {
        return Promise.resolve();
    }

    shutdown(): Promise<void> {
        return Promise.resolve();
    }
}

const DROPPED_ATTRIBUTES = ['job.data'];

function redactAttributes(attributes: Attributes): void {
    const writable = attributes as Record<string, unknown>;
    for (const key of DROPPED_ATTRIBUTES) {
        delete writable[key];
    }
    for (const [key, value] of Object.entries(writable)) {
        if (typeof value === 'string') {
            writable[key] = redactSessionKeys(value);
        }
    }
}
