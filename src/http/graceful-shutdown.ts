import http from 'node:http';
import type { Socket } from 'node:net';

import { INestApplication } from '@nestjs/common';
import { Logger } from '@vendure/core';

import { flushTracing } from '../tracing/tracing-state';

const loggerCtx = 'Shutdown';
const SIGNALS = ['SIGTERM', 'SIGINT'] as const;
const FLUSH_TIMEOUT_MS = 2_000;
/** After SIGTERM the server keeps accepting until no connection arrived for this long (at most ACCEPT_MAX_MS). */
const ACCEPT_QUIET_MS = 500;
const ACCEPT_MAX_MS = 5_000;
/** Closing the app (job queue, sockets, database) after the drain; past this the process exits 1. */
const CLOSE_TIMEOUT_MS = 10_000;

export type SignalListeners = Map<NodeJS.Signals, Array<(...args: never[]) => unknown>>;

const drainHooks = new WeakMap<http.Server, Set<() => Promise<void>>>();

/**
 * Work to do as soon as `server` starts draining after SIGTERM, e.g. telling WebSocket clients to reconnect to
 * another instance (their connections do not hold the drain up). Awaited together with the open requests, within
 * the same drain deadline, before the application closes. Returns a function that removes the hook.
 */
export function onDrain(server: http.Server, hook: () => Promise<void>): () => void {
    const hooks = drainHooks.get(server) ?? new Set();
    drainHooks.set(server, hooks);
    hooks.add(hook);
    return () => hooks.delete(hook);
}

function runDrainHooks(server: http.Server): Promise<void> {
    const hooks = [...(drainHooks.get(server) ?? [])];
    return Promise.all(
        hooks.map(hook =>
            hook().catch((e: unknown) =>
                Logger.warn(`A drain hook failed: ${e instanceof Error ? e.message : String(e)}`, loggerCtx),
            ),
        ),
    ).then(() => undefined);
}

/** The signal handlers installed now; take it before Vendure's bootstrap(), pass it to {@link drainOnSignal}. */
export function signalListeners(): SignalListeners {
    return new Map(SIGNALS.map(signal => [signal, process.listeners(signal)]));
}

export interface GracefulShutdown {
    /** Removes the signal handlers (when the server is closed another way, e.g. by a test). */
    dispose(): void;
}

/**
 * Replaces Nest's shutdown hooks for the HTTP server with a draining shutdown. Nest's own handler first runs the
 * modules' destroy hooks (the event bus and the job queue stop) while the server still accepts requests, so a
 * request accepted then could lose its side effects or fail. On SIGTERM/SIGINT this one:
 * 1. stops accepting connections (idle keep-alive connections are closed, open requests continue),
 * 2. runs the {@link onDrain} hooks (the support chat tells its sockets to reconnect elsewhere) and waits until they
 *    are done and every accepted request has been answered, at most `drainMs` (WebSockets do not hold it up),
 * 3. closes the Nest application (job queue, sockets, database) and exits 0; 1 if closing failed.
 * A second signal during the drain is ignored, as Nest does; the orchestrator's grace period is the last word.
 */
export function drainOnSignal(
    nest: INestApplication,
    server: http.Server,
    drainMs: number,
    before: SignalListeners,
): GracefulShutdown {
    let inFlight = 0;
    let drained: (() => void) | undefined;
    let started = false;
    const onRequest = (req: http.IncomingMessage, res: http.ServerResponse) => {
        if (started) {
            // Answered, then the connection ends: the client opens its next one elsewhere.
            res.setHeader('Connection', 'close');
        }
        silent.delete(req.socket);
        // Socket.IO's long-polling requests stay open by design (up to its ping interval); they are not work.
        if (req.url?.includes('EIO=')) {
            return;
        }
        inFlight++;
        res.once('close', () => {
            inFlight--;
            if (inFlight === 0) {
                drained?.();
            }
        });
    };
    server.on('request', onRequest);
    let lastConnectionAt = 0;
    /** Accepted connections that have not sent a request yet: closing the server would reset them as idle. */
    const silent = new Set<Socket>();
    const onConnection = (socket: Socket) => {
        lastConnectionAt = Date.now();
        silent.add(socket);
        socket.once('close', () => silent.delete(socket));
    };
    server.on('connection', onConnection);
    // A WebSocket upgrade is a request too (it emits no 'request').
    const onUpgrade = (req: http.IncomingMessage) => silent.delete(req.socket);
    server.on('upgrade', onUpgrade);

    removeHandlersAddedSince(before);

    const onSignal = (signal: NodeJS.Signals) => {
        if (started) {
            return;
        }
        started = true;
        const since = Date.now();
        Logger.info(`${signal}: draining (${inFlight} request(s) open)`, loggerCtx);
        const hooksDone = runDrainHooks(server);
        // Nest closes the server again in nest.close() and waits for its 'close' event, which a closed server
        // emits only once: that later call waits for the same event instead of hanging.
        const serverClosed = new Promise<void>(resolve => server.once('close', () => resolve()));
        const closeServer = server.close.bind(server);
        server.close = ((callback?: (err?: Error) => void) => {
            void serverClosed.then(() => callback?.());
            return server;
        }) as typeof server.close;
        // Connections the kernel has completed but Node has not yet accepted, or accepted but not yet read, would
        // be reset by closing now (Node closes connections without a request in progress as idle): keep
        // accepting until no connection came for ACCEPT_QUIET_MS and every accepted one has sent its request (in
        // Kubernetes the preStop hook has already stopped new traffic, so this ends at once); then stop
        // listening. Node closes the idle keep-alive connections; the open requests continue.
        const listening = until(
            () => Date.now() - lastConnectionAt >= ACCEPT_QUIET_MS && silent.size === 0,
            Math.min(drainMs, ACCEPT_MAX_MS),
        );
        void listening.then(() => closeServer());
        let timer: NodeJS.Timeout | undefined;
        const deadline = new Promise<void>(resolve => {
            timer = setTimeout(() => {
                Logger.warn(
                    `${inFlight} request(s) still open after ${drainMs} ms; closing anyway`,
                    loggerCtx,
                );
                resolve();
            }, drainMs);
        });
        void listening
            .then(() => {
                const allAnswered = new Promise<void>(resolve => {
                    drained = resolve;
                    if (inFlight === 0) {
                        resolve();
                    }
                });
                return Promise.race([Promise.all([allAnswered, hooksDone]), deadline]);
            })
            .then(() => {
                clearTimeout(timer);
                Logger.info(`Requests drained in ${Date.now() - since} ms; closing`, loggerCtx);
                closeAndExit(() => withDeadline(nest.close(), CLOSE_TIMEOUT_MS), signal, since);
            })
            .catch((e: unknown) => exitFailed(e));
    };
    for (const signal of SIGNALS) {
        process.on(signal, onSignal);
    }
    return {
        dispose() {
            server.off('request', onRequest);
            server.off('connection', onConnection);
            server.off('upgrade', onUpgrade);
            for (const signal of SIGNALS) {
                process.removeListener(signal, onSignal);
            }
        },
    };
}

/** The end of both shutdowns: close, flush the last spans (traces on), then exit 0, or 1 if closing failed. */
function closeAndExit(close: () => Promise<void>, signal: NodeJS.Signals, since: number): void {
    close()
        .then(async () => {
            Logger.info(`Closed ${Date.now() - since} ms after ${signal}`, loggerCtx);
            await flushBeforeExit();
            process.exit(0);
        })
        .catch(exitFailed);
}

function exitFailed(e: unknown): never {
    Logger.error(`Shutdown failed: ${e instanceof Error ? e.message : String(e)}`, loggerCtx);
    process.exit(1);
}

/** The spans of the last seconds (traces on), so the shutdown's own trace is not lost; at most 2 s. */
function flushBeforeExit(): Promise<void> {
    return withDeadline(flushTracing(), FLUSH_TIMEOUT_MS).catch(() => undefined);
}

function withDeadline(work: Promise<void>, ms: number): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    return Promise.race([
        work,
        new Promise<never>((_, reject) => {
            timer = setTimeout(() => reject(new Error(`closing took longer than ${ms} ms`)), ms);
            timer.unref();
        }),
    ]).finally(() => clearTimeout(timer));
}

/** Resolves once `done()` holds (checked every 100 ms), or after `maxMs`. */
async function until(done: () => boolean, maxMs: number): Promise<void> {
    const start = Date.now();
    while (!done() && Date.now() - start < maxMs) {
        await new Promise(resolve => setTimeout(resolve, 100));
    }
}

/**
 * For processes without HTTP traffic (the worker): on SIGTERM/SIGINT runs `close` (Vendure's worker lets running
 * jobs finish) and exits 0, or 1 if closing failed. Replaces Nest's handlers added since `before`, which re-raise
 * the signal at the end: as a container's PID 1 the process ignores that re-raised signal and kept running until
 * the orchestrator killed it.
 */
export function closeOnSignal(close: () => Promise<void>, before: SignalListeners): void {
    removeHandlersAddedSince(before);
    let started = false;
    const onSignal = (signal: NodeJS.Signals) => {
        if (started) {
            return;
        }
        started = true;
        closeAndExit(close, signal, Date.now());
    };
    for (const signal of SIGNALS) {
        process.on(signal, onSignal);
    }
}

/** Removes the signal handlers added since `before` (Nest's, from enableShutdownHooks in Vendure's bootstrap). */
function removeHandlersAddedSince(before: SignalListeners): void {
    for (const signal of SIGNALS) {
        for (const listener of process.listeners(signal)) {
            if (!before.get(signal)?.includes(listener)) {
                process.removeListener(signal, listener);
            }
        }
    }
}
