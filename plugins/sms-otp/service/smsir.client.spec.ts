import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';

import { ProviderSimulators } from '../../../src/simulators/simulator-server';

import { SMSIR_STATUS_REASONS, SmsirClient } from './smsir.client';

describe('SmsirClient against the SMS.ir simulator', () => {
    const sim = new ProviderSimulators();
    let client: SmsirClient;
    let baseUrl: string;

    beforeAll(async () => {
        baseUrl = `${await sim.listen(0)}/smsir`;
        client = new SmsirClient({ baseUrl, apiKey: 'test-key', requestTimeoutMs: 300 });
    });
    afterAll(() => sim.close());
    beforeEach(() => sim.reset());

    it('sends a verify message and reads the credit', async () => {
        const sent = await client.sendVerify('09123456789', 123456, [{ name: 'CODE', value: '042137' }]);
        expect(sent).toEqual({ ok: true, messageId: expect.any(Number), cost: 1 });
        expect(sim.smsir.lastCodeTo('09123456789')).toBe('042137');
        expect(sim.smsir.faults.callsTo('/v1/send/verify')[0].body).toEqual({
            mobile: '09123456789',
            templateId: 123456,
            parameters: [{ name: 'CODE', value: '042137' }],
        });
        expect(await client.getCredit()).toEqual({ ok: true, credit: 9999 });
    });

    it.each(Object.keys(SMSIR_STATUS_REASONS).map(Number))('maps status %i to its reason', async status => {
        sim.smsir.failNextSends(status);
        const result = await client.sendVerify('09123456789', 123456, [{ name: 'CODE', value: '111111' }]);
        expect(result).toMatchObject({
            ok: false,
            status,
            reason: SMSIR_STATUS_REASONS[status as keyof typeof SMSIR_STATUS_REASONS],
        });
        expect(sim.smsir.inbox).toHaveLength(0);
    });

    it('marks account problems for the operator and provider trouble as possibly delivered', async () => {
        sim.smsir.failNextSends(102);
        expect(await client.sendVerify('09123456789', 1, [])).toMatchObject({
            operatorAction: true,
            uncertain: false,
        });
        sim.smsir.faults.arm('/v1/send/verify', { kind: 'http-error', status: 502 });
        expect(await client.sendVerify('09123456789', 1, [])).toMatchObject({
            reason: 'http-error',
            httpStatus: 502,
            uncertain: true,
            operatorAction: false,
        });
    });

    it('answers a bad key with invalid-api-key', async () => {
        const bad = new SmsirClient({ baseUrl, apiKey: 'invalid' });
        expect(await bad.sendVerify('09123456789', 1, [{ name: 'CODE', value: '1' }])).toMatchObject({
            ok: false,
            reason: 'invalid-api-key',
            httpStatus: 401,
            operatorAction: true,
        });
        expect(await bad.getCredit()).toMatchObject({ ok: false, reason: 'invalid-api-key' });
    });

    it('maps HTTP 401/429 without a status, timeouts, dropped connections and unreadable bodies', async () => {
        sim.smsir.faults.arm('/v1/send/verify', { kind: 'http-error', status: 401, body: {} });
        expect(await client.sendVerify('09123456789', 1, [])).toMatchObject({
            reason: 'unauthorized',
            httpStatus: 401,
        });
        sim.smsir.faults.arm('/v1/send/verify', { kind: 'http-error', status: 429, body: {} });
        expect(await client.sendVerify('09123456789', 1, [])).toMatchObject({
            reason: 'throttled',
            uncertain: false,
        });
        sim.smsir.faults.arm('/v1/send/verify', { kind: 'timeout', delayMs: 2_000 });
        const started = Date.now();
        expect(await client.sendVerify('09123456789', 1, [])).toMatchObject({
            reason: 'timeout',
            uncertain: true,
        });
        expect(Date.now() - started).toBeLessThan(1_500);
        sim.smsir.faults.arm('/v1/send/verify', { kind: 'timeout', delayMs: 50 });
        expect(await client.sendVerify('09123456789', 1, [])).toMatchObject({
            reason: 'network',
            uncertain: true,
        });
        sim.smsir.faults.arm('/v1/send/verify', { kind: 'malformed' });
        expect(await client.sendVerify('09123456789', 1, [])).toMatchObject({
            reason: 'malformed',
            uncertain: true,
        });
        sim.smsir.faults.arm('/v1/send/verify', { kind: 'result', body: { status: 999, message: '?' } });
        expect(await client.sendVerify('09123456789', 1, [])).toMatchObject({
            reason: 'unknown-status',
            operatorAction: true,
        });
        // One call per send: no retries.
        expect(sim.smsir.faults.callsTo('/v1/send/verify')).toHaveLength(6);
    });

    it('fails fast when nothing listens', async () => {
        const down = new SmsirClient({ baseUrl: 'http://127.0.0.1:9/smsir', apiKey: 'k' });
        expect(await down.getCredit()).toMatchObject({ ok: false, reason: 'network', uncertain: false });
        // Nothing was sent, so nothing may have been delivered: the shopper may ask again at once.
        expect(await down.sendVerify('09123456789', 1, [])).toMatchObject({
            ok: false,
            reason: 'network',
            uncertain: false,
        });
    });
});
