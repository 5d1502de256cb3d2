import { SimpleGraphQLClient } from '@vendure/testing';
import type { DocumentNode } from 'graphql';
import type { VendureConfig } from '@vendure/core';

import { CLIENT_CONFIG } from './fault-shop';

/**
 * The test's load balancer: each request goes to the next server in turn. A server that refuses the connection
 * (it is down, so the request never reached it) is skipped and the request goes to the next one, as a load
 * balancer's health check would do; a request a server accepted and then lost (killed mid-request) fails.
 */
export class RoundRobin {
    private next = 0;
    readonly down = new Set<string>();

    constructor(readonly baseUrls: string[]) {}

    /** The next live base URL. */
    pick(): string {
        const live = this.baseUrls.filter(u => !this.down.has(u));
        if (!live.length) {
            throw new Error('no server is up');
        }
        return live[this.next++ % live.length];
    }

    /** Runs `call` against the next server; on a refused connection marks it down and tries the next one. */
    async send<T>(call: (baseUrl: string) => Promise<T>): Promise<T> {
        for (;;) {
            const url = this.pick();
            try {
                return await call(url);
            } catch (e) {
                if (isConnectionRefused(e)) {
                    this.down.add(url);
                    continue;
                }
                throw e;
            }
        }
    }

    /** A Shop API client whose every request goes through this balancer (sessions are shared by the servers). */
    client(): SimpleGraphQLClient {
        return new RoundRobinClient(this, CLIENT_CONFIG);
    }
}

class RoundRobinClient extends SimpleGraphQLClient {
    constructor(
        private readonly balancer: RoundRobin,
        config: Required<VendureConfig>,
    ) {
        super(config, '');
    }

    // The signature of SimpleGraphQLClient.query, whose defaults are `any`.
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    override query<T = any, V extends Record<string, unknown> = Record<string, unknown>>(
        query: DocumentNode,
        variables?: V,
        queryParams?: Record<string, string>,
    ): Promise<T> {
        return this.balancer.send(baseUrl => {
            Reflect.set(this, 'apiUrl', `${baseUrl}/shop-api`);
            return super.query<T, V>(query, variables, queryParams);
        });
    }
}

export function isConnectionRefused(e: unknown): boolean {
    const cause = (e as { cause?: { code?: string } }).cause;
    return cause?.code === 'ECONNREFUSED' || /ECONNREFUSED/.test(String((e as Error)?.message));
}

/** A request the server accepted and then lost (reset, closed mid-answer). */
export function isNetworkError(e: unknown): boolean {
    return e instanceof TypeError || /fetch failed|socket|ECONNRESET|other side closed/i.test(String(e));
}
