export interface GraphQLAnswer {
    status: number;
    headers: Headers;
    body: {
        data?: Record<string, unknown> | null;
        errors?: Array<{ message: string; extensions?: Record<string, unknown> }>;
    };
}

/**
 * One raw GraphQL request over HTTP (no client library), so a test sees the status, the headers (e.g. Retry-After,
 * vendure-auth-token) and the whole answer, errors included.
 */
export async function postGraphQL(
    url: string,
    query: string,
    variables: Record<string, unknown> = {},
    token?: string,
): Promise<GraphQLAnswer> {
    const res = await fetch(url, {
        method: 'POST',
        headers: {
            'content-type': 'application/json',
            ...(token ? { authorization: `Bearer ${token}` } : {}),
        },
        body: JSON.stringify({ query, variables }),
    });
    return { status: res.status, headers: res.headers, body: (await res.json()) as GraphQLAnswer['body'] };
}
