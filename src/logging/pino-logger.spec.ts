import { AsyncLocalStorage } from 'node:async_hooks';
import { PassThrough } from 'node:stream';

import { Context, context, ContextManager, ROOT_CONTEXT, trace } from '@opentelemetry/api';

import { describe, expect, it } from 'vitest';

import { PinoVendureLogger } from './pino-logger';
import { redactSessionKeys } from './redact';

describe('PinoVendureLogger', () => {
    it('never writes a session token from a session-cache key (Vendure logs cache keys at debug level)', () => {
        const out = new PassThrough();
        const lines: string[] = [];
        out.on('data', (chunk: Buffer) => lines.push(...chunk.toString().split('\n').filter(Boolean)));
        const logger = new PinoVendureLogger({ level: 'debug', format: 'json', destination: out });
        const token = '27fb7dd642ff923a5f457bff43017f8a86a4c35ec302cc2d';
        logger.debug(`CacheService hit for key [vendure-session-cache:${token}]`, 'Vendure');
        logger.verbose(`Set key [vendure-session-cache:${token}]`, 'Vendure');
        expect(lines).toHaveLength(2);
        expect(lines.join('\n')).not.toContain(token);
        expect(JSON.parse(lines[0]).msg).toBe('CacheService hit for key [vendure-session-cache:[redacted]]');
        expect(redactSessionKeys('no key here')).toBe('no key here');
    });
});

/** The smallest context manager that carries the active span across awaits (the OTel SDK registers its own). */
class TestContextManager implements ContextManager {
    private readonly storage = new AsyncLocalStorage<Context>();
    active(): Context {
        return this.storage.getStore() ?? ROOT_CONTEXT;
    }
    with<A extends unknown[], F extends (...args: A) => ReturnType<F>>(
        ctx: Context,
        fn: F,
        thisArg?: ThisParameterType<F>,
        ...args: A
    ): ReturnType<F> {
        return this.storage.run(ctx, () => fn.call(thisArg, ...args));
    }
    bind<T>(_ctx: Context, target: T): T {
        return target;
    }
    enable(): this {
        return this;
    }
    disable(): this {
        return this;
    }
}

describe('PinoVendureLogger and traces', () => {
    it('adds trace_id and span_id while a span is active, and nothing otherwise', async () => {
        context.setGlobalContextManager(new TestContextManager());
        try {
            const out = new PassThrough();
            const lines: Array<Record<string, unknown>> = [];
            out.on('data', (chunk: Buffer) =>
                chunk
                    .toString()
                    .split('\n')
                    .filter(Boolean)
                    .forEach(l => lines.push(JSON.parse(l))),
            );
            const logger = new PinoVendureLogger({ level: 'info', format: 'json', destination: out });
            const span = trace.wrapSpanContext({
                traceId: '0af7651916cd43dd8448eb211c80319c',
                spanId: 'b7ad6b7169203331',
                traceFlags: 1,
            });
            await context.with(trace.setSpan(ROOT_CONTEXT, span), async () => {
                await Promise.resolve();
                logger.info('inside a span', 'Test');
            });
            logger.info('outside', 'Test');
            expect(lines[0]).toMatchObject({
                msg: 'inside a span',
                trace_id: '0af7651916cd43dd8448eb211c80319c',
                span_id: 'b7ad6b7169203331',
            });
            expect(lines[1].trace_id).toBeUndefined();
        } finally {
            context.disable();
        }
    });
});
