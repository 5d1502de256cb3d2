import { PassThrough } from 'node:stream';

import { describe, expect, it } from 'vitest';

import { PinoVendureLogger, redactSessionKeys } from './pino-logger';

describe('PinoVendureLogger', () => {
    it('never writes a session token from a session-cache key (Vendure logs cache keys at debug level)', () => {
        const out = new PassThrough();
        const lines: string[] = [];
        out.on('data', (chunk: Buffer) => lines.push(...chunk.toString().split('\n').filter(Boolean)));
        const logger = new PinoVendureLogger({ level: 'debug', format: 'json', destination: out });
        const token = '27fb7dd642ff923a5f457bff43017f8a86a4c35ec302cc2d';
        logger.debug(`CacheService hit for key [vendure-session-cache:${token}]`, 'Vendure');
        logger.verbose(`Set key [vendure-session-cache:${token}]`, 'Vendure');
        expect(lines).toHaveLength(2);
        expect(lines.join('\n')).not.toContain(token);
        expect(JSON.parse(lines[0]).msg).toBe('CacheService hit for key [vendure-session-cache:[redacted]]');
        expect(redactSessionKeys('no key here')).toBe('no key here');
    });
});
