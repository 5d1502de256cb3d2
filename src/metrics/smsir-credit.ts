import { Gauge, Registry } from 'prom-client';

import type { SmsirCreditResult } from '../../plugins/sms-otp/service/smsir.client';

/** SMS.ir is asked at most this often (scrapes come every 15-30 s; the credit moves by one per code). */
export const SMSIR_CREDIT_MAX_AGE_MS = 5 * 60_000;

/**
 * `shop_provider_credit{provider="smsir"}`: the SMS.ir account's remaining credit as SMS.ir reports it (`GET /v1/credit` of the
 * plugin's client), read at scrape time when the last answer is older than {@link SMSIR_CREDIT_MAX_AGE_MS}; no
 * series until SMS.ir has answered once. `shop_provider_credit_age_seconds`: how old that answer is, so a failing
 * read shows as a growing age instead of a frozen value.
 */
export function registerSmsirCreditMetrics(
    registry: Registry,
    getCredit: () => Promise<SmsirCreditResult>,
    maxAgeMs = SMSIR_CREDIT_MAX_AGE_MS,
): void {
    let last: { credit: number; at: number } | undefined;
    let lastAttempt = 0;
    let reading: Promise<void> | undefined;
    const refresh = (): Promise<void> => {
        if (Date.now() - lastAttempt < maxAgeMs) {
            return Promise.resolve();
        }
        reading ??= getCredit()
            .then(result => {
                if (result.ok) {
                    last = { credit: result.credit, at: Date.now() };
                }
            })
            .catch(() => undefined)
            .finally(() => {
                lastAttempt = Date.now();
                reading = undefined;
            });
        return reading;
    };
    new Gauge({
        name: 'shop_provider_credit',
        help: "A provider account's remaining credit as the provider reports it (SMS.ir: GET /v1/credit, read at most every 5 minutes). No series until it answered.",
        labelNames: ['provider'],
        registers: [registry],
        async collect() {
            await refresh();
            this.reset();
            if (last) {
                this.set({ provider: 'smsir' }, last.credit);
            }
        },
    });
    new Gauge({
        name: 'shop_provider_credit_age_seconds',
        help: 'Seconds since the provider last answered the credit read (shop_provider_credit); grows while reads fail.',
        labelNames: ['provider'],
        registers: [registry],
        async collect() {
            await refresh();
            this.reset();
            if (last) {
                this.set({ provider: 'smsir' }, (Date.now() - last.at) / 1000);
            }
        },
    });
}
