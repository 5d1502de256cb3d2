import http from 'node:http';
import { AddressInfo } from 'node:net';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { requestJson } from './json-http';

describe('requestJson', () => {
    let server: http.Server;
    let base: string;

    beforeAll(async () => {
        server = http.createServer((req, res) => {
            let body = '';
            req.on('data', c => (body += c));
            req.on('end', () => {
                if (req.url === '/echo') {
                    res.writeHead(200, { 'content-type': 'application/json' }).end(
                        JSON.stringify({ got: JSON.parse(body) }),
                    );
                } else if (req.url === '/slow') {
                    setTimeout(() => res.writeHead(200).end('{}'), 1000);
                } else if (req.url === '/broken') {
                    res.writeHead(200).end('{"result": ');
                } else {
                    res.writeHead(503, { 'content-type': 'application/json' }).end('{"message":"down"}');
                }
            });
        });
        await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
        base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    });

    afterAll(async () => {
        server.closeAllConnections();
        await new Promise(resolve => server.close(resolve));
    });

    const opts = { connectTimeoutMs: 1000, readTimeoutMs: 200 };

    it('posts JSON and parses the JSON answer', async () => {
        expect(await requestJson(`${base}/echo`, { ...opts, body: { a: 1 } })).toEqual({
            ok: true,
            status: 200,
            body: { got: { a: 1 } },
        });
    });

    it('gives HTTP errors with a JSON body to the caller to interpret', async () => {
        expect(await requestJson(`${base}/down`, { ...opts, body: {} })).toEqual({
            ok: true,
            status: 503,
            body: { message: 'down' },
        });
    });

    it('reports a read timeout without waiting for the answer', async () => {
        const started = Date.now();
        const result = await requestJson(`${base}/slow`, { ...opts, body: {} });
        expect(result).toEqual({ ok: false, failure: { kind: 'read-timeout' } });
        expect(Date.now() - started).toBeLessThan(900);
    });

    it('reports a malformed body', async () => {
        expect(await requestJson(`${base}/broken`, { ...opts, body: {} })).toMatchObject({
            ok: false,
            failure: { kind: 'malformed', status: 200 },
        });
    });

    it('reports a refused connection as a network failure', async () => {
        const closed = http.createServer();
        await new Promise<void>(resolve => closed.listen(0, '127.0.0.1', resolve));
        const port = (closed.address() as AddressInfo).port;
        await new Promise(resolve => closed.close(resolve));
        expect(await requestJson(`http://127.0.0.1:${port}/x`, { ...opts, body: {} })).toMatchObject({
            ok: false,
            failure: { kind: 'network' },
        });
    });
});
