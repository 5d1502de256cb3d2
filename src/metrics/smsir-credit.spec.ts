import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';

import type { SmsirCreditResult } from '../../plugins/sms-otp/service/smsir.client';

import { registerSmsirCreditMetrics } from './smsir-credit';

async function scrape(registry: Registry): Promise<string> {
    return registry.metrics();
}

describe('SMS.ir credit gauge', () => {
    it('reports the credit SMS.ir answered and asks again only after the maximum age', async () => {
        const answers: SmsirCreditResult[] = [
            { ok: true, credit: 1234 },
            { ok: true, credit: 1200 },
        ];
        let calls = 0;
        const registry = new Registry();
        registerSmsirCreditMetrics(registry, async () => answers[calls++], 50);
        expect(await scrape(registry)).toMatch(/^shop_provider_credit\{provider="smsir"\} 1234$/m);
        expect(await scrape(registry)).toMatch(/^shop_provider_credit\{provider="smsir"\} 1234$/m);
        expect(calls).toBe(1);
        await new Promise(resolve => setTimeout(resolve, 60));
        expect(await scrape(registry)).toMatch(/^shop_provider_credit\{provider="smsir"\} 1200$/m);
        expect(calls).toBe(2);
    });

    it('has no credit series until SMS.ir answers, and keeps the last value with a growing age when a read fails', async () => {
        const answers: SmsirCreditResult[] = [
            { ok: false, reason: 'timeout', uncertain: false, operatorAction: false },
            { ok: true, credit: 77 },
            { ok: false, reason: 'invalid-api-key', status: 10, uncertain: false, operatorAction: true },
        ];
        let calls = 0;
        const registry = new Registry();
        registerSmsirCreditMetrics(registry, async () => answers[calls++], 20);
        const first = await scrape(registry);
        expect(first).not.toMatch(/^shop_provider_credit\{/m);
        expect(first).not.toMatch(/^shop_provider_credit_age_seconds\{/m);
        await new Promise(resolve => setTimeout(resolve, 30));
        expect(await scrape(registry)).toMatch(/^shop_provider_credit\{provider="smsir"\} 77$/m);
        await new Promise(resolve => setTimeout(resolve, 30));
        const afterFailure = await scrape(registry);
        expect(calls).toBe(3);
        expect(afterFailure).toMatch(/^shop_provider_credit\{provider="smsir"\} 77$/m);
        const age = Number(
            /^shop_provider_credit_age_seconds\{provider="smsir"\} (\S+)$/m.exec(afterFailure)?.[1],
        );
        expect(age).toBeGreaterThanOrEqual(0.025);
    });
});
