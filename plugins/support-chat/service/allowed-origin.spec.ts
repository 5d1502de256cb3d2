import { describe, expect, it } from 'vitest';

import { isAllowedOrigin } from './allowed-origin';

describe('isAllowedOrigin', () => {
    const cors = { origin: ['https://api.shop.ir', /^https:\/\/[a-z]+\.shop\.ir$/], credentials: true };

    it('allows the origins of the CORS list (strings exactly, patterns by test)', async () => {
        expect(await isAllowedOrigin(cors, 'https://api.shop.ir', 'api.shop.ir')).toBe(true);
        expect(await isAllowedOrigin(cors, 'https://www.shop.ir', 'api.shop.ir')).toBe(true);
        expect(await isAllowedOrigin(cors, 'https://evil.ir', 'api.shop.ir')).toBe(false);
        expect(await isAllowedOrigin(cors, 'https://api.shop.ir.evil.ir', 'api.shop.ir')).toBe(false);
    });

    it('allows the page on the host the socket connected to (same origin needs no CORS)', async () => {
        expect(await isAllowedOrigin(cors, 'http://127.0.0.1:3000', '127.0.0.1:3000')).toBe(true);
        expect(await isAllowedOrigin(cors, 'http://127.0.0.1:3001', '127.0.0.1:3000')).toBe(false);
    });

    it('refuses a missing or opaque origin', async () => {
        expect(await isAllowedOrigin({ origin: true }, undefined, 'api.shop.ir')).toBe(false);
        expect(await isAllowedOrigin({ origin: true }, 'null', 'null')).toBe(false);
    });

    it('follows CORS as Nest applies it: no credentialed origin for *, any for origin: true', async () => {
        for (const c of [true, false, undefined, {}, { origin: '*' }, { origin: false }]) {
            expect(await isAllowedOrigin(c, 'https://evil.ir', 'api.shop.ir')).toBe(false);
        }
        expect(await isAllowedOrigin({ origin: true }, 'https://evil.ir', 'api.shop.ir')).toBe(true);
    });

    it('asks an origin function', async () => {
        const fn = {
            origin: (o: string | undefined, cb: (err: Error | null, allow?: boolean) => void) =>
                o === 'https://evil.ir' ? cb(new Error('no')) : cb(null, o === 'https://shop.ir'),
        };
        expect(await isAllowedOrigin(fn, 'https://shop.ir', 'api.shop.ir')).toBe(true);
        expect(await isAllowedOrigin(fn, 'https://other.ir', 'api.shop.ir')).toBe(false);
        expect(await isAllowedOrigin(fn, 'https://evil.ir', 'api.shop.ir')).toBe(false);
    });
});
