/* global setTimeout, Buffer, process */
// SIGTERM to a server while requests are in flight, seen from the client side. Shared by the container smoke test
// (scripts/ci/image-smoke-client.mjs drain) and the graceful-shutdown fault scenario (test/faults).
import http from 'node:http';

/** A Shop API query that keeps the server busy a few tens of milliseconds; answered when it lists products. */
export const SEARCH_LOAD = {
    body: {
        query: `query($term: String!) { search(input: { term: $term, take: 10, groupByProduct: true }) { totalItems items { productName slug } }
                products(options: { take: 10 }) { totalItems items { id name variants { id name sku priceWithTax stockLevel } collections { name } } } }`,
        variables: { term: '' },
    },
    valid: json => json.data.products.totalItems > 0,
};

/**
 * One POST to `url` on its own connection; resolves with the outcome, never rejects. `connected`: the connection
 * was accepted (from then on the request counts as accepted: the server must answer it); `valid`: a 200 answer
 * that `load.valid` accepts.
 */
export function request(url, load = SEARCH_LOAD, headers = {}, onSent = () => undefined) {
    const body = JSON.stringify(load.body);
    return new Promise(resolve => {
        let connected = false;
        const req = http.request(url, {
            method: 'POST',
            agent: false,
            headers: {
                'content-type': 'application/json',
                'content-length': Buffer.byteLength(body),
                ...headers,
            },
        });
        req.on('socket', socket =>
            socket.on('connect', () => {
                connected = true;
            }),
        );
        req.on('finish', onSent);
        req.on('response', res => {
            let data = '';
            res.setEncoding('utf8');
            res.on('data', chunk => (data += chunk));
            res.on('end', () => {
                let valid = false;
                try {
                    valid = res.statusCode === 200 && load.valid(JSON.parse(data));
                } catch {
                    /* reported as not valid */
                }
                resolve({
                    connected,
                    status: res.statusCode,
                    valid,
                    ...(valid ? {} : { body: data.slice(0, 300) }),
                });
            });
        });
        req.on('error', error => resolve({ connected, error: error.code ?? error.message }));
        req.end(body);
    });
}

/**
 * Sends `count` concurrent Shop API requests to `baseUrl`, and once every one is on the wire sends SIGTERM to
 * `pid` (the server process). Resolves with what became of them, and of one request sent after the signal.
 */
export async function sigtermDuringRequests(baseUrl, pid, count, load = SEARCH_LOAD) {
    let written = 0;
    const outcomes = await new Promise(resolve => {
        const pending = [];
        for (let i = 0; i < count; i++) {
            pending.push(
                request(`${baseUrl}/shop-api`, load, {}, () => ++written === count && resolve(pending)),
            );
        }
    });
    // Every request is on the wire; the server is busy with them. Now the orchestrator's SIGTERM.
    await new Promise(r => setTimeout(r, 50));
    process.kill(pid, 'SIGTERM');
    const signalledAt = Date.now();
    const results = await Promise.all(outcomes);
    const lastAnswerMs = Date.now() - signalledAt;
    // After the signal the server accepts no new connection (a load balancer would send it elsewhere).
    const late = await request(`${baseUrl}/shop-api`, load);
    return {
        signalledAt,
        answered: results.filter(r => r.valid).length,
        refused: results.filter(r => !r.connected).length,
        lost: results.filter(r => r.connected && !r.valid),
        lastAnswerMs,
        late,
    };
}
