import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';

import express, { NextFunction, Request, RequestHandler, Response } from 'express';

/** Directives every HTML page of this server gets (Admin UI, demo storefront pages, mailbox). */
const BASE_CSP: Record<string, string> = {
    'default-src': "'self'",
    'script-src': "'self'",
    // Angular components and the chat widget set styles at run time; the hand-written pages use style attributes.
    'style-src': "'self' 'unsafe-inline'",
    'img-src': "'self' data: blob:",
    'font-src': "'self' data:",
    // 'self' covers the same-origin WebSocket of the support chat.
    'connect-src': "'self'",
    'object-src': "'none'",
    'base-uri': "'self'",
    'form-action': "'self'",
    // The mailbox shows emails in a same-origin iframe; nothing else may frame these pages (clickjacking).
    'frame-ancestors': "'self'",
};

export interface SecurityHeadersOptions {
    /** Route of the Admin UI, whose translation compiler (ngx-translate MessageFormat) builds functions at run time. */
    adminUiRoute?: string;
    /** Route of the development mailbox (EmailPlugin dev mode), whose page has one inline script. */
    mailboxRoute?: string;
    /** Routes whose HTML pages load scripts from elsewhere and get no CSP (the GraphQL playgrounds, development). */
    noCspRoutes?: string[];
}

/**
 * Security headers on every response: `X-Content-Type-Options: nosniff`, `Referrer-Policy`, `X-Frame-Options`,
 * no `X-Powered-By` (Express names itself; what the shop runs on is nobody's business but its operator's),
 * and on HTML responses a Content-Security-Policy (decided when the headers are written, since static files,
 * Nest controllers and plugins' own routers all answer here).
 */
export function securityHeaders(options: SecurityHeadersOptions = {}): RequestHandler {
    const mailboxCsp = options.mailboxRoute ? mailboxPolicy() : undefined;
    const base = serialize(BASE_CSP);
    const noCsp = (options.noCspRoutes ?? []).map(r => `/${r.replace(/^\//, '')}`);
    const mailbox = options.mailboxRoute ? `/${options.mailboxRoute.replace(/^\//, '')}` : undefined;
    const adminUi = options.adminUiRoute ? `/${options.adminUiRoute.replace(/^\//, '')}` : undefined;
    const adminUiCsp = serialize({ ...BASE_CSP, 'script-src': "'self' 'unsafe-eval'" });
    return (req: Request, res: Response, next: NextFunction) => {
        res.removeHeader('X-Powered-By');
        setBaseSecurityHeaders(res);
        const pathName = req.path;
        const underRoute = (route: string) => pathName === route || pathName.startsWith(`${route}/`);
        if (noCsp.some(underRoute)) {
            return next();
        }
        const policy =
            mailbox && underRoute(mailbox) ? mailboxCsp : adminUi && underRoute(adminUi) ? adminUiCsp : base;
        const writeHead = res.writeHead;
        // Every way of answering (send, sendFile, static, end) goes through writeHead, once.
        res.writeHead = function (this: http.ServerResponse, ...args: unknown[]) {
            const type = String(this.getHeader('content-type') ?? headerFromArgs(args) ?? '');
            if (type.startsWith('text/html') && policy && !this.hasHeader('content-security-policy')) {
                this.setHeader('Content-Security-Policy', policy);
            }
            return (writeHead as (...a: unknown[]) => http.ServerResponse).apply(this, args);
        } as typeof res.writeHead;
        next();
    };
}

/** The headers every answer gets, HTML or not. */
export function setBaseSecurityHeaders(res: http.ServerResponse): void {
    res.setHeader('X-Content-Type-Options', 'nosniff');
    res.setHeader('Referrer-Policy', 'strict-origin-when-cross-origin');
    res.setHeader('X-Frame-Options', 'SAMEORIGIN');
}

/** The content-type given to `writeHead(status, headers)` directly. */
function headerFromArgs(args: unknown[]): string | undefined {
    const headers = args.find(a => typeof a === 'object' && a !== null && !Array.isArray(a)) as
        Record<string, unknown> | undefined;
    if (!headers) {
        return undefined;
    }
    const key = Object.keys(headers).find(k => k.toLowerCase() === 'content-type');
    return key ? String(headers[key]) : undefined;
}

/** The mailbox page's inline script is allowed by its hash; emails may show remote images. */
function mailboxPolicy(): string {
    const html = fs.readFileSync(
        path.join(path.dirname(require.resolve('@vendure/email-plugin/package.json')), 'dev-mailbox.html'),
        'utf8',
    );
    const hashes = [...html.matchAll(/<script>([\s\S]*?)<\/script>/g)].map(
        m => `'sha256-${crypto.createHash('sha256').update(m[1]).digest('base64')}'`,
    );
    return serialize({
        ...BASE_CSP,
        'script-src': `'self' ${hashes.join(' ')}`,
        'img-src': "'self' data: blob: https:",
    });
}

function serialize(policy: Record<string, string>): string {
    return Object.entries(policy)
        .map(([k, v]) => `${k} ${v}`)
        .join('; ');
}

export interface BodyLimitOptions {
    shopApiPath: string;
    adminApiPath: string;
    shopApiMaxBytes: number;
    adminApiMaxBytes: number;
}

/**
 * Parses JSON and urlencoded bodies with a size limit per API, in place of Nest's global parsers (100 KiB
 * everywhere); other routes keep that default. A larger body gets HTTP 413 with a GraphQL-shaped JSON error
 * (`extensions.code: PAYLOAD_TOO_LARGE`) instead of Express's HTML error page. Multipart uploads are limited
 * by `assetOptions.uploadMaxFileSize`.
 */
export function bodyLimits(options: BodyLimitOptions): RequestHandler {
    const DEFAULT = 100 * 1024;
    const parsers = new Map<number, RequestHandler[]>();
    const parsersFor = (limit: number) => {
        let p = parsers.get(limit);
        if (!p) {
            p = [express.json({ limit }), express.urlencoded({ limit, extended: true })];
            parsers.set(limit, p);
        }
        return p;
    };
    const shop = `/${options.shopApiPath}`;
    const admin = `/${options.adminApiPath}`;
    return (req: Request, res: Response, next: NextFunction) => {
        const p = req.path;
        const limit =
            p === shop || p.startsWith(`${shop}/`)
                ? options.shopApiMaxBytes
                : p === admin || p.startsWith(`${admin}/`)
                  ? options.adminApiMaxBytes
                  : DEFAULT;
        const [json, urlencoded] = parsersFor(limit);
        const onError = (err: unknown) => {
            if (err && (err as { type?: string }).type === 'entity.too.large') {
                res.status(413).json({
                    errors: [
                        {
                            message: `Request body larger than ${limit} bytes`,
                            extensions: { code: 'PAYLOAD_TOO_LARGE', limitBytes: limit },
                        },
                    ],
                });
                return;
            }
            next(err);
        };
        json(req, res, err =>
            err ? onError(err) : urlencoded(req, res, err2 => (err2 ? onError(err2) : next())),
        );
    };
}
