import { I18nError, LogLevel } from '@vendure/core';

import { RateLimitRule, RateLimitScope } from '../config/app-config';

import { clientNetwork } from './client-network';
import { CounterStore } from './counter-store';

export type RateLimitRules = Record<RateLimitScope, RateLimitRule | undefined>;

/**
 * Counts expensive public operations per client network (an IPv4 address or an IPv6 /64, like the OTP send cap)
 * in fixed windows. Every call counts, so GraphQL aliases and batched operations in one HTTP request are limited
 * one by one; a refused call counts nothing.
 */
export class RateLimiter {
    constructor(
        private readonly store: CounterStore,
        private readonly rules: RateLimitRules,
    ) {}

    /** Returns the seconds until the window ends when the call is over the limit, else `undefined` (counted). */
    async hit(scope: RateLimitScope, api: string, ip: string | undefined): Promise<number | undefined> {
        const rule = this.rules[scope];
        const network = clientNetwork(ip);
        if (!rule || !network) {
            return undefined;
        }
        const over = await this.store.countIfAllowed([
            { key: `${scope}:${api}:${network}`, windowSeconds: rule.windowSeconds, limit: rule.limit },
        ]);
        return over?.resetInSeconds;
    }

    close(): Promise<void> {
        return this.store.close();
    }
}

const WHAT: Record<RateLimitScope, [string, string]> = {
    LOGIN: ['login attempts', 'تلاش برای ورود'],
    REGISTER: ['sign-ups', 'ثبت‌نام'],
    PASSWORD_RESET: ['password reset requests', 'درخواست بازیابی رمز'],
    NEW_ORDER: ['new carts', 'سبد خرید جدید'],
};

/**
 * The GraphQL error of a refused call: `extensions.code` is `RATE_LIMITED`, with `scope`, `retryAfterSeconds` and a
 * Persian `messageFa`. These mutations' result unions have no member for it, so it is an error, not a result.
 */
export class RateLimitedError extends I18nError {
    constructor(
        readonly scope: RateLimitScope,
        readonly retryAfterSeconds: number,
    ) {
        // No '.' or ':' in the message: Vendure passes it through i18next, which reads those as key separators.
        super(
            `Too many ${WHAT[scope][0]} from this network; try again in ${retryAfterSeconds} seconds`,
            {},
            'RATE_LIMITED',
            LogLevel.Verbose,
        );
        Object.assign(this.extensions, {
            scope,
            retryAfterSeconds,
            messageFa: `${WHAT[scope][1]} از این شبکه بیش از حد مجاز است؛ ${retryAfterSeconds} ثانیه دیگر دوباره تلاش کنید`,
        });
    }
}
