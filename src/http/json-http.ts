import http from 'node:http';
import https from 'node:https';

export interface JsonRequestOptions {
    method?: 'GET' | 'POST';
    headers?: Record<string, string>;
    body?: unknown;
    /** Time allowed to open the TCP (and TLS) connection. */
    connectTimeoutMs: number;
    /** Time allowed, once connected, for the whole response to arrive. */
    readTimeoutMs: number;
    /**
     * Time allowed for the whole exchange, connecting included, when someone waits for it (a shopper's request
     * must answer within its own deadline whichever phase hangs). Default: only the two limits above.
     */
    totalTimeoutMs?: number;
}

/** Why a request produced no usable JSON answer. */
export type TransportFailure =
    | { kind: 'connect-timeout' }
    | { kind: 'read-timeout' }
    /** `connected`: the error came after the connection was open, so the request may have reached the server. */
    | { kind: 'network'; message: string; connected: boolean }
    | { kind: 'malformed'; status: number; bodyPreview: string };

export type JsonResponse =
    { ok: true; status: number; body: unknown } | { ok: false; failure: TransportFailure; status?: number };

/**
 * Sends a JSON request with separate connect and read timeouts (fetch only has one overall deadline).
 * Never throws: transport problems come back as a {@link TransportFailure}; any HTTP status with a JSON body
 * is `ok: true` so the provider client can map its own error envelopes.
 */
export function requestJson(url: string, options: JsonRequestOptions): Promise<JsonResponse> {
    const target = new URL(url);
    const transport = target.protocol === 'https:' ? https : http;
    const payload = options.body === undefined ? undefined : Buffer.from(JSON.stringify(options.body));
    return new Promise(resolve => {
        let settled = false;
        const finish = (result: JsonResponse) => {
            if (!settled) {
                settled = true;
                clearTimeout(connectTimer);
                clearTimeout(readTimer);
                clearTimeout(totalTimer);
                resolve(result);
            }
        };
        let readTimer: NodeJS.Timeout | undefined;
        let totalTimer: NodeJS.Timeout | undefined;
        let connected = false;
        const req = transport.request(target, {
            method: options.method ?? (payload ? 'POST' : 'GET'),
            headers: {
                accept: 'application/json',
                ...(payload
                    ? { 'content-type': 'application/json', 'content-length': String(payload.length) }
                    : {}),
                ...options.headers,
            },
        });
        const connectTimer = setTimeout(() => {
            finish({ ok: false, failure: { kind: 'connect-timeout' } });
            req.destroy();
        }, options.connectTimeoutMs);
        if (options.totalTimeoutMs !== undefined) {
            totalTimer = setTimeout(() => {
                finish({ ok: false, failure: { kind: connected ? 'read-timeout' : 'connect-timeout' } });
                req.destroy();
            }, options.totalTimeoutMs);
        }
        req.on('socket', socket => {
            const onConnected = () => {
                connected = true;
                clearTimeout(connectTimer);
                readTimer = setTimeout(() => {
                    finish({ ok: false, failure: { kind: 'read-timeout' } });
                    req.destroy();
                }, options.readTimeoutMs);
            };
            if (socket.connecting) {
                socket.once(target.protocol === 'https:' ? 'secureConnect' : 'connect', onConnected);
            } else {
                onConnected();
            }
        });
        req.on('error', e =>
            finish({ ok: false, failure: { kind: 'network', message: e.message, connected } }),
        );
        req.on('response', res => {
            const chunks: Buffer[] = [];
            res.on('data', (c: Buffer) => chunks.push(c));
            res.on('error', e =>
                finish({ ok: false, failure: { kind: 'network', message: e.message, connected: true } }),
            );
            res.on('end', () => {
                const text = Buffer.concat(chunks).toString('utf8');
                const status = res.statusCode ?? 0;
                try {
                    finish({ ok: true, status, body: JSON.parse(text) });
                } catch {
                    finish({
                        ok: false,
                        status,
                        failure: { kind: 'malformed', status, bodyPreview: text.slice(0, 200) },
                    });
                }
            });
        });
        req.end(payload);
    });
}

/**
 * Whether a failed request may still have reached the server and been carried out there: it timed out or broke
 * after the connection was open, or the server answered something unreadable. A refused or unresolvable
 * connection, or one that never opened in time, certainly sent nothing.
 */
export function mayHaveReachedServer(failure: TransportFailure): boolean {
    return (
        failure.kind === 'read-timeout' ||
        failure.kind === 'malformed' ||
        (failure.kind === 'network' && failure.connected)
    );
}

export function describeFailure(failure: TransportFailure): string {
    switch (failure.kind) {
        case 'connect-timeout':
            return 'connection timed out';
        case 'read-timeout':
            return 'response timed out';
        case 'network':
            return `network error: ${failure.message}`;
        case 'malformed':
            return `malformed response (HTTP ${failure.status})`;
    }
}
