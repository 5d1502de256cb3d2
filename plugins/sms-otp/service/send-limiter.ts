import { clientNetwork } from '../../../src/security/client-network';
import { CounterStore } from '../../../src/security/counter-store';
import { SendCap } from '../types';

export type LimitScope = 'PHONE' | 'IP' | 'GLOBAL';

export type SendPermit =
    | { allowed: true; releaseCooldown(): Promise<void> }
    | { allowed: false; scope: LimitScope | 'COOLDOWN'; retryAfterSeconds: number };

const HOUR = 3600;
const DAY = 86_400;

/**
 * Decides whether one more code may be sent: the per-number resend cooldown first, then the hourly and daily
 * caps per number, per client IP and for the whole shop. Every allowed call counts, so GraphQL aliases and
 * batched operations in one HTTP request are limited one by one; a refused call counts nowhere and gives the
 * cooldown back, so nobody can use up another shopper's quota with requests that are refused anyway.
 */
export class SendLimiter {
    constructor(
        private readonly store: CounterStore,
        private readonly cooldownSeconds: number,
        private readonly caps: { phone: SendCap; ip: SendCap; global: SendCap },
    ) {}

    clearCooldown(phoneKey: string): Promise<void> {
        return this.store.release(`cooldown:${phoneKey}`);
    }

    /** `ip` is the client's address; IPv6 addresses are capped per /64 (see {@link clientNetwork}). */
    async acquire(phoneKey: string, ip: string | undefined): Promise<SendPermit> {
        const network = clientNetwork(ip);
        const cooldownKey = `cooldown:${phoneKey}`;
        if (this.cooldownSeconds > 0) {
            const held = await this.store.claim(cooldownKey, this.cooldownSeconds);
            if (held > 0) {
                return { allowed: false, scope: 'COOLDOWN', retryAfterSeconds: held };
            }
        }
        const scopes: Array<[LimitScope, string, SendCap]> = [
            ['PHONE', `phone:${phoneKey}`, this.caps.phone],
            ...(network ? [['IP', `ip:${network}`, this.caps.ip] as [LimitScope, string, SendCap]] : []),
            ['GLOBAL', 'global', this.caps.global],
        ];
        // All windows in one store call (one Redis round trip instead of six), all or nothing.
        const windows = scopes.flatMap(([scope, key, cap]) => [
            { scope, key: `${key}:h`, windowSeconds: HOUR, limit: cap.hourly },
            { scope, key: `${key}:d`, windowSeconds: DAY, limit: cap.daily },
        ]);
        const over = await this.store.countIfAllowed(windows);
        if (over) {
            if (this.cooldownSeconds > 0) {
                await this.store.release(cooldownKey);
            }
            return {
                allowed: false,
                scope: windows[over.index].scope,
                retryAfterSeconds: over.resetInSeconds,
            };
        }
        return {
            allowed: true,
            releaseCooldown: () =>
                this.cooldownSeconds > 0 ? this.store.release(cooldownKey) : Promise.resolve(),
        };
    }
}
