import type { IncomingMessage, RequestListener, Server, ServerResponse } from 'node:http';
import querystring from 'node:querystring';

import { header, RequestView } from './request-view';

/** What the early lane needs to know of the app. */
export interface EarlyLaneSettings {
    /** The Shop API's path, e.g. `/shop-api`. */
    path: string;
    /** Cookies that carry a Vendure session (cookie-session's cookie and its signature). */
    sessionCookies: ReadonlySet<string>;
    /** Headers that carry credentials (lower case): Authorization, the API key header. */
    credentialHeaders: readonly string[];
    /** Largest POST body the lane reads; a larger one goes to Express unread (its body limits apply). */
    maxBodyBytes: number;
}

/**
 * Set on a request whose JSON body the early lane read but could not parse; the plugin's Express middleware passes
 * it on as Express's JSON body parser would have (HTTP 400).
 */
export const EARLY_BODY_ERROR = Symbol('shopResponseCache.earlyBodyError');
export type EarlyRequest = IncomingMessage & { [EARLY_BODY_ERROR]?: Error; body?: unknown };

/** Answers the request from the cache and resolves true, or resolves false having written nothing. */
export type EarlyAnswer = (req: IncomingMessage, res: ServerResponse, view: RequestView) => Promise<boolean>;

/**
 * Puts the cache in front of the HTTP server's request listeners (Express, and the chat's Socket.IO when it
 * shares the server): a Shop API request that carries no credentials at all (no session cookie, no Authorization,
 * no API key) is looked up before Express runs, and a hit is answered from here. Express's middleware chain costs
 * more than the lookup itself (a hit here is about twice as fast; docs/benchmarks.md). Every other request, and
 * every miss, goes on to the listeners unchanged, except that a POST body read here goes along as `req.body`:
 * Express's body parsers skip a request whose body has been read.
 */
export function installEarlyLane(server: Server, settings: EarlyLaneSettings, answer: EarlyAnswer): void {
    const listeners = server.listeners('request') as RequestListener[];
    server.removeAllListeners('request');
    const onward = (req: IncomingMessage, res: ServerResponse) => {
        for (const listener of listeners) {
            listener.call(server, req, res);
        }
    };
    server.on('request', (req: EarlyRequest, res: ServerResponse) => {
        const query = earlyCandidate(req, settings);
        if (!query) {
            return onward(req, res);
        }
        const tryAnswer = (body: unknown) =>
            answer(req, res, { method: req.method!, headers: req.headers, query, body, apiKey: false }).then(
                answered => !answered && onward(req, res),
                () => !res.headersSent && onward(req, res),
            );
        if (req.method === 'GET') {
            return void tryAnswer(undefined);
        }
        readBody(req).then(
            text => {
                const body = parseJsonBody(text);
                if (body instanceof Error) {
                    req[EARLY_BODY_ERROR] = body;
                    return onward(req, res);
                }
                req.body = body;
                return void tryAnswer(body);
            },
            () => onward(req, res),
        );
    });
}

/**
 * The parsed query string when the early lane may look the request up: the Shop API's path exactly, GET or a
 * plain JSON POST of a declared small length, and no credentials. Undefined otherwise (Express handles it).
 */
export function earlyCandidate(
    req: IncomingMessage,
    settings: EarlyLaneSettings,
): Record<string, unknown> | undefined {
    const url = req.url ?? '';
    const q = url.indexOf('?');
    if ((q === -1 ? url : url.slice(0, q)) !== settings.path) {
        return undefined;
    }
    const headers = req.headers;
    if (settings.credentialHeaders.some(name => headers[name] !== undefined)) {
        return undefined;
    }
    if (headers.cookie && hasSessionCookie(headers.cookie, settings.sessionCookies)) {
        return undefined;
    }
    if (req.method === 'POST') {
        const type = header(headers, 'content-type') ?? '';
        const length = Number(headers['content-length']);
        if (
            !/^application\/json\s*(;\s*charset=utf-8\s*)?$/i.test(type) ||
            (headers['content-encoding'] ?? 'identity') !== 'identity' ||
            headers['transfer-encoding'] !== undefined ||
            !Number.isInteger(length) ||
            length > settings.maxBodyBytes
        ) {
            return undefined;
        }
    } else if (req.method !== 'GET') {
        return undefined;
    }
    return q === -1 ? {} : { ...querystring.parse(url.slice(q + 1)) };
}

function hasSessionCookie(cookie: string, names: ReadonlySet<string>): boolean {
    return cookie.split(';').some(pair => names.has(pair.slice(0, pair.indexOf('=')).trim()));
}

function readBody(req: IncomingMessage): Promise<string> {
    return new Promise((resolve, reject) => {
        const chunks: Buffer[] = [];
        req.on('data', (chunk: Buffer) => chunks.push(chunk));
        req.once('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
        req.once('error', reject);
    });
}

/** JSON.parse with the strict rule of Express's JSON parser (an object or array); its kind of error otherwise. */
function parseJsonBody(text: string): unknown {
    if (text.length === 0) {
        return {};
    }
    const first = /^[ \t\n\r]*(.)/.exec(text)?.[1];
    try {
        if (first !== '{' && first !== '[') {
            throw new SyntaxError(
                `Unexpected token ${JSON.stringify(first ?? '')}: a JSON body must be an object`,
            );
        }
        return JSON.parse(text) as unknown;
    } catch (e) {
        return Object.assign(e as Error, {
            status: 400,
            statusCode: 400,
            expose: true,
            type: 'entity.parse.failed',
        });
    }
}
