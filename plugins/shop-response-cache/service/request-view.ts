import type { IncomingHttpHeaders } from 'node:http';

/**
 * What the cache reads of a Shop API request. Built from Express's request (its parsed query and body, the
 * cookie session) or, before Express, from the HTTP server's request (early-lane.ts), so both ways answer alike.
 */
export interface RequestView {
    method: string;
    headers: IncomingHttpHeaders;
    /** The parsed query string (`querystring` semantics, as Express 5's default parser). */
    query: Record<string, unknown>;
    /** The parsed JSON body of a POST. */
    body: unknown;
    /** The session token the request carries (cookie session or bearer), if any: resolved by the caller. */
    sessionToken?: string;
    /** Carries an API key (when the `api-key` token method is configured). */
    apiKey: boolean;
}

export interface GraphqlRequest {
    query: string;
    operationName?: string;
    variables?: unknown;
}

/** Simple request content types: without a preflight a browser may send them cross-site (Apollo's CSRF rule). */
const SIMPLE_CONTENT_TYPES = new Set([
    'text/plain',
    'application/x-www-form-urlencoded',
    'multipart/form-data',
]);

export function header(headers: IncomingHttpHeaders, name: string): string | undefined {
    const value = headers[name.toLowerCase()];
    return Array.isArray(value) ? value[0] : value;
}

/** The GraphQL request of a POST (JSON body, no batch) or a GET (`?query=&variables=&operationName=`). */
export function graphqlRequest(view: RequestView): GraphqlRequest | 'unparsable' | undefined {
    const source = (view.method === 'GET' ? view.query : view.body) as Record<string, unknown> | undefined;
    if (!source || typeof source !== 'object' || Array.isArray(source)) {
        return undefined;
    }
    const { query, operationName } = source;
    let { variables } = source;
    if (typeof query !== 'string' || query.length === 0) {
        // No document: persisted-query hashes and the like are left to GraphQL.
        return undefined;
    }
    if (operationName !== undefined && operationName !== null && typeof operationName !== 'string') {
        return 'unparsable';
    }
    if (typeof variables === 'string') {
        try {
            variables = JSON.parse(variables) as unknown;
        } catch {
            return 'unparsable';
        }
    }
    if (
        variables !== undefined &&
        variables !== null &&
        (typeof variables !== 'object' || Array.isArray(variables))
    ) {
        return 'unparsable';
    }
    return { query, operationName: operationName ?? undefined, variables };
}

/** Apollo's CSRF prevention: a non-simple content type, or one of its preflight headers. */
export function preflighted(headers: IncomingHttpHeaders): boolean {
    const contentType = header(headers, 'content-type');
    if (contentType && !SIMPLE_CONTENT_TYPES.has(contentType.split(';')[0].trim().toLowerCase())) {
        return true;
    }
    return !!(header(headers, 'x-apollo-operation-name') || header(headers, 'apollo-require-preflight'));
}
