import { isSpanContextValid, trace } from '@opentelemetry/api';
import { LogLevel, VendureLogger } from '@vendure/core';
import pino, { Logger as Pino } from 'pino';

import { redactSessionKeys } from './redact';
import { currentRequestId } from './request-context';

const LEVELS: Record<string, LogLevel> = {
    error: LogLevel.Error,
    warn: LogLevel.Warn,
    info: LogLevel.Info,
    verbose: LogLevel.Verbose,
    debug: LogLevel.Debug,
};

export interface PinoVendureLoggerOptions {
    level: 'error' | 'warn' | 'info' | 'verbose' | 'debug';
    /** `json`: one JSON object per line (production); `pretty`: coloured, readable lines (development). */
    format: 'json' | 'pretty';
    /** Added to every line, e.g. `{ process: 'worker' }`. */
    base?: Record<string, string>;
    /** Where to write; stdout by default. */
    destination?: NodeJS.WritableStream;
}

let sharedPrettyStream: NodeJS.WritableStream | undefined;

/** One pretty-printing stream per process, however many loggers are built. */
function prettyStdout(): NodeJS.WritableStream {
    // pino-pretty is loaded lazily so that production images can omit it.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    sharedPrettyStream ??= require('pino-pretty')({
        colorize: true,
        translateTime: 'SYS:HH:MM:ss.l',
        ignore: 'pid,hostname,process',
        messageFormat: '[{context}] {msg}',
        hideObject: true,
        destination: process.stdout,
        sync: true,
    }) as NodeJS.WritableStream;
    return sharedPrettyStream;
}

/**
 * A {@link VendureLogger} that writes JSON lines through pino: `level`, `time`, `context`, `requestId`, `msg`, and
 * `trace_id`/`span_id` while an OpenTelemetry span is active.
 * Vendure's "verbose" maps to pino's "debug" and "debug" to "trace".
 */
export class PinoVendureLogger implements VendureLogger {
    private readonly pino: Pino;
    private defaultContext = 'Vendure';
    private readonly level: LogLevel;

    constructor(options: PinoVendureLoggerOptions) {
        this.level = LEVELS[options.level];
        const pinoLevel =
            options.level === 'verbose' ? 'debug' : options.level === 'debug' ? 'trace' : options.level;
        const destination =
            options.destination ??
            (options.format === 'pretty' ? prettyStdout() : pino.destination({ sync: true }));
        this.pino = pino(
            {
                level: pinoLevel,
                base: options.base ?? {},
                timestamp: pino.stdTimeFunctions.isoTime,
                formatters: { level: label => ({ level: label }) },
                mixin: () => {
                    const requestId = currentRequestId();
                    return { ...(requestId ? { requestId } : {}), ...traceFields() };
                },
            },
            destination,
        );
    }

    setDefaultContext(defaultContext: string): void {
        this.defaultContext = defaultContext;
    }

    error(message: string, context?: string, trace?: string): void {
        if (this.level >= LogLevel.Error) {
            this.pino.error(
                { context: context ?? this.defaultContext, ...(trace ? { trace } : {}) },
                message,
            );
        }
    }

    warn(message: string, context?: string): void {
        if (this.level >= LogLevel.Warn) {
            this.pino.warn({ context: context ?? this.defaultContext }, message);
        }
    }

    info(message: string, context?: string): void {
        if (this.level >= LogLevel.Info) {
            this.pino.info({ context: context ?? this.defaultContext }, message);
        }
    }

    verbose(message: string, context?: string): void {
        if (this.level >= LogLevel.Verbose) {
            this.pino.debug({ context: context ?? this.defaultContext }, redactSessionKeys(message));
        }
    }

    debug(message: string, context?: string): void {
        if (this.level >= LogLevel.Debug) {
            this.pino.trace({ context: context ?? this.defaultContext }, redactSessionKeys(message));
        }
    }
}

/**
 * `trace_id` and `span_id` of the active OpenTelemetry span, so a log line joins its trace (Loki -> Tempo/Jaeger).
 * Without a tracer (traces off) there is never an active span and nothing is added.
 */
function traceFields(): { trace_id?: string; span_id?: string } {
    const span = trace.getActiveSpan();
    if (!span) {
        return {};
    }
    const ctx = span.spanContext();
    return isSpanContextValid(ctx) ? { trace_id: ctx.traceId, span_id: ctx.spanId } : {};
}
