import { AsyncLocalStorage } from 'node:async_hooks';
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';

import { context, createContextKey } from '@opentelemetry/api';
import type { NextFunction, Request, Response } from 'express';

import { tracingStarted } from '../tracing/tracing-state';

interface LogContext {
    requestId: string;
}

/**
 * Where the request id travels. With tracing on, in OpenTelemetry's context: its context manager already follows
 * every asynchronous step, and on Node 20 and 22 each AsyncLocalStorage in use adds work to every promise created
 * (a second one cost about 3 % CPU per checkout, docs/benchmarks.md). Otherwise in an AsyncLocalStorage of its own
 * (OpenTelemetry's API without the SDK carries nothing across `await`).
 */
const storage = new AsyncLocalStorage<LogContext>();
const REQUEST_ID = createContextKey('iran-shop.request-id');

const REQUEST_ID_HEADER = 'x-request-id';
const VALID_REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/** The id of the HTTP request being served, if any: every log line written while serving it carries it. */
export function currentRequestId(): string | undefined {
    if (tracingStarted()) {
        return context.active().getValue(REQUEST_ID) as string | undefined;
    }
    return storage.getStore()?.requestId;
}

/** Runs `fn` with a request id, e.g. in a job or a scheduled task, so its log lines can be followed. */
export function runWithRequestId<T>(requestId: string, fn: () => T): T {
    if (tracingStarted()) {
        return context.with(context.active().setValue(REQUEST_ID, requestId), fn);
    }
    return storage.run({ requestId }, fn);
}

/**
 * Express middleware: takes a well-formed `X-Request-Id` from the caller (a load balancer, say) or makes one,
 * echoes it in the response and makes it available to the logger for the rest of the request.
 */
export function requestIdMiddleware(req: Request, res: Response, next: NextFunction): void {
    runWithRequestId(assignRequestId(req, res), next);
}

/** The request's id (the caller's when well-formed, else a new one), echoed in the response's header. */
export function assignRequestId(req: IncomingMessage, res: ServerResponse): string {
    const incoming = req.headers[REQUEST_ID_HEADER];
    const requestId =
        typeof incoming === 'string' && VALID_REQUEST_ID.test(incoming) ? incoming : randomUUID();
    res.setHeader(REQUEST_ID_HEADER, requestId);
    return requestId;
}
