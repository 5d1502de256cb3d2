import ipaddr from 'ipaddr.js';

import { SendCap } from '../types';

import { OtpCounterStore } from './counter-store';

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
        private readonly store: OtpCounterStore,
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

/**
 * What the per-IP cap counts: an IPv4 address (also when written IPv4-mapped, `::ffff:1.2.3.4`) or the /64 of an
 * IPv6 address, since one subscriber usually gets a whole /64 and could rotate through it freely.
 */
export function clientNetwork(ip: string | undefined): string | undefined {
    if (!ip) {
        return undefined;
    }
    if (!ipaddr.isValid(ip)) {
        return ip;
    }
    const address = ipaddr.process(ip);
    if (address.kind() === 'ipv4') {
        return address.toString();
    }
    const prefix = (address as ipaddr.IPv6).parts.slice(0, 4).map(part => part.toString(16));
    return `${prefix.join(':')}::/64`;
}
