import type { IncomingMessage } from 'node:http';

import { describe, expect, it } from 'vitest';

import { earlyCandidate, EarlyLaneSettings } from './early-lane';

const settings: EarlyLaneSettings = {
    path: '/shop-api',
    sessionCookies: new Set(['session', 'session.sig']),
    credentialHeaders: ['authorization', 'vendure-api-key'],
    maxBodyBytes: 21 * 1024,
};

const json = { 'content-type': 'application/json', 'content-length': '120' };
const request = (method: string, url: string, headers: Record<string, string> = {}) =>
    ({ method, url, headers }) as unknown as IncomingMessage;

describe('early lane: which requests it looks up before Express', () => {
    it('takes credential-free GETs and small JSON POSTs of the Shop API path, with their query string', () => {
        expect(earlyCandidate(request('POST', '/shop-api', json), settings)).toEqual({});
        expect(
            earlyCandidate(
                request('POST', '/shop-api', { ...json, 'content-type': 'application/json; charset=utf-8' }),
                settings,
            ),
        ).toEqual({});
        expect(earlyCandidate(request('GET', '/shop-api?query=%7Bx%7D&languageCode=fa'), settings)).toEqual({
            query: '{x}',
            languageCode: 'fa',
        });
        // Cookies that are not Vendure's session do not make a request personal.
        expect(
            earlyCandidate(request('POST', '/shop-api', { ...json, cookie: 'theme=dark' }), settings),
        ).toEqual({});
    });

    it('leaves to Express anything carrying credentials', () => {
        const credentials: Array<Record<string, string>> = [
            { authorization: 'Bearer abc' },
            { 'vendure-api-key': 'k' },
            { cookie: 'theme=dark; session=eyJ0' },
            { cookie: 'session.sig=x' },
        ];
        for (const headers of credentials) {
            expect(
                earlyCandidate(request('POST', '/shop-api', { ...json, ...headers }), settings),
            ).toBeUndefined();
        }
    });

    it('leaves to Express other paths, methods and bodies it should not read', () => {
        for (const [method, url, headers] of [
            ['POST', '/admin-api', json],
            ['POST', '/shop-api/', json],
            ['POST', '/shop-api-x', json],
            ['OPTIONS', '/shop-api', {}],
            ['HEAD', '/shop-api', {}],
            ['POST', '/shop-api', { ...json, 'content-type': 'text/plain' }],
            ['POST', '/shop-api', { ...json, 'content-type': 'application/json; charset=latin1' }],
            ['POST', '/shop-api', { ...json, 'content-type': 'multipart/form-data; boundary=x' }],
            ['POST', '/shop-api', { ...json, 'content-encoding': 'gzip' }],
            ['POST', '/shop-api', { 'content-type': 'application/json', 'transfer-encoding': 'chunked' }],
            ['POST', '/shop-api', { ...json, 'content-length': String(22 * 1024) }],
        ] as Array<[string, string, Record<string, string>]>) {
            expect(
                earlyCandidate(request(method, url, headers), settings),
                `${method} ${url}`,
            ).toBeUndefined();
        }
    });
});
