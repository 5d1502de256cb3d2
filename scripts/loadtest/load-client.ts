import http from 'node:http';

import { VendureConfig } from '@vendure/core';
import { SimpleGraphQLClient } from '@vendure/testing';
import * as hdr from 'hdr-histogram-js';

/** Latencies (µs) and outcomes of one scenario step; flows add their whole-iteration time too. */
export class Recorder {
    readonly requests = hdr.build({ highestTrackableValue: 600_000_000, numberOfSignificantValueDigits: 3 });
    readonly flows = hdr.build({ highestTrackableValue: 600_000_000, numberOfSignificantValueDigits: 3 });
    requestCount = 0;
    requestErrors = 0;
    flowCount = 0;
    flowErrors = 0;
    readonly errorKinds = new Map<string, number>();

    request(ms: number, ok: boolean): void {
        this.requestCount++;
        this.requests.recordValue(Math.max(1, Math.round(ms * 1000)));
        if (!ok) {
            this.requestErrors++;
        }
    }

    flow(ms: number, error?: unknown): void {
        this.flowCount++;
        this.flows.recordValue(Math.max(1, Math.round(ms * 1000)));
        if (error !== undefined) {
            this.flowErrors++;
            this.error(error instanceof Error ? error.message : String(error));
        }
    }

    /** Counts a failure under its text with the numbers taken out, so one kind of failure is one report line. */
    error(message: string, times = 1): void {
        const kind = message.replace(/\d+/g, 'N').slice(0, 160);
        this.errorKinds.set(kind, (this.errorKinds.get(kind) ?? 0) + times);
    }

    destroy(): void {
        this.requests.destroy();
        this.flows.destroy();
    }
}

const CONFIG = {
    authOptions: { authTokenHeaderKey: 'vendure-auth-token' },
    apiOptions: { channelTokenKey: 'vendure-token' },
} as unknown as Required<VendureConfig>;

let nextAddress = 1;

/**
 * A loopback source address of its own for each simulated shopper (127.1.0.1, 127.1.1.1, …: one per /24), so the
 * shop's per-address and per-network limits see many shoppers, as in production, instead of one client that
 * trips them. Linux routes all of 127.0.0.0/8 to the loopback interface: the traffic never leaves the machine.
 */
export function shopperAddress(): string {
    const n = nextAddress++;
    return `127.${1 + (Math.floor(n / 256) % 254)}.${n % 256}.1`;
}

/**
 * The e2e tests' Shop API client (token handling, ErrorResult-free `query`), talking over a keep-alive agent from
 * its own source address and timing every request into a {@link Recorder}. The checkout helpers of the tests
 * (src/testing/checkout-helpers.ts) run on it unchanged.
 */
export class LoadClient extends SimpleGraphQLClient {
    readonly agent: http.Agent;

    constructor(
        readonly baseUrl: string,
        private readonly recorder: Recorder,
        readonly localAddress = shopperAddress(),
    ) {
        super(CONFIG, `${baseUrl}/shop-api`);
        this.agent = new http.Agent({ keepAlive: true, maxSockets: 1, localAddress });
    }

    override async fetch(url: string, options: RequestInit = {}): Promise<Response> {
        const token = this.getAuthToken();
        const headers: Record<string, string> = {
            'content-type': 'application/json',
            ...(token ? { authorization: `Bearer ${token}` } : {}),
            ...(options.headers as Record<string, string> | undefined),
        };
        const res = await this.request(url, (options.method ?? 'GET').toUpperCase(), headers, options.body);
        const authToken = res.headers.get('vendure-auth-token');
        if (authToken != null) {
            this.setAuthToken(authToken);
        }
        return res;
    }

    /** One HTTP request (redirects not followed), timed; GraphQL answers with `errors` count as failed. */
    request(url: string, method: string, headers: Record<string, string>, body?: unknown): Promise<Response> {
        const t0 = performance.now();
        return new Promise<Response>((resolve, reject) => {
            const req = http.request(url, { method, headers, agent: this.agent, timeout: 60_000 }, res => {
                const chunks: Buffer[] = [];
                res.on('data', (c: Buffer) => chunks.push(c));
                res.on('end', () => {
                    const buf = Buffer.concat(chunks);
                    const failed =
                        (res.statusCode ?? 500) >= 400 ||
                        (url.endsWith('/shop-api') && buf.includes('"errors":['));
                    if (url.startsWith(this.baseUrl)) {
                        this.recorder.request(performance.now() - t0, !failed);
                    }
                    const h = new Headers();
                    for (const [k, v] of Object.entries(res.headers)) {
                        if (typeof v === 'string') {
                            h.set(k, v);
                        }
                    }
                    const status = res.statusCode ?? 500;
                    resolve(
                        new Response(status === 204 || status === 304 ? null : buf, { status, headers: h }),
                    );
                });
                res.on('error', reject);
            });
            req.on('timeout', () => req.destroy(new Error(`timeout after 60 s: ${method} ${url}`)));
            req.on('error', e => {
                this.recorder.request(performance.now() - t0, false);
                reject(e);
            });
            req.end(typeof body === 'string' ? body : undefined);
        });
    }

    close(): void {
        this.agent.destroy();
    }
}
