import { clientNetwork, clientPrefix } from '../../../src/security/client-network';
import { CounterStore, CounterWindow } from '../../../src/security/counter-store';
import { SendCap, SendCaps } from '../types';

export type LimitScope = 'PHONE' | 'IP' | 'NETWORK' | 'GLOBAL';
export type SendPeriod = 'HOUR' | 'DAY';
/** Which part of the shop-wide budget a code was sent from. */
export type SendTier = 'OPEN' | 'CHALLENGED' | 'KNOWN_ACCOUNT_RESERVE';
/**
 * A shop-wide window as a shopper meets it: codes sent freely, only with a solved challenge, only to numbers
 * verified on an existing account, or not at all (the ceiling of the SMS bill).
 */
export type ShopWideState = 'OPEN' | 'CHALLENGE' | 'KNOWN_ACCOUNTS_ONLY' | 'CLOSED';

export type SendPermit =
    | { allowed: true; tier: SendTier; releaseCooldown(): Promise<void> }
    | { allowed: false; scope: LimitScope | 'COOLDOWN'; retryAfterSeconds: number }
    | { allowed: false; scope: 'CHALLENGE'; solutionRejected: boolean };

/** What the shop-wide tiers past the free one ask of a request. */
export interface SendGates {
    /**
     * Checks the challenge solution the client sent (called at most once, only when one is needed); absent when
     * the client sent none.
     */
    verifyChallenge?: () => Promise<boolean>;
    /** Whether the number is verified on an existing account; asked only once the anonymous budget is spent. */
    isKnownAccount?: () => Promise<boolean>;
}

/** Said once per shop-wide window when it reaches a threshold (the operator's alert). */
export interface ShopWideAlert {
    state: Exclude<ShopWideState, 'OPEN'>;
    period: SendPeriod;
    /** The threshold reached: codes sent in this window. */
    sent: number;
    resetInSeconds: number;
}

/** The shop-wide count of one window, for metrics and the Admin API. */
export interface SendWindowStatus {
    period: SendPeriod;
    /** Codes sent in the window so far (by every instance, with Redis). */
    sent: number;
    /** Seconds until the window ends; 0 when no code was sent in it yet. */
    resetInSeconds: number;
    /** Codes after which a solved challenge is needed; undefined without a challenge. */
    challengeAbove?: number;
    /** Codes numbers without an account may get: `global` less `knownAccountReserve`. */
    anonymousLimit: number;
    /** The ceiling: `global`. */
    limit: number;
    state: ShopWideState;
}

type Window = CounterWindow & { scope: LimitScope; period: SendPeriod };
type Tier = { tier: SendTier; limits: SendCap; spent: ShopWideAlert['state']; gate?: 'challenge' | 'known' };

const PERIODS: Array<[SendPeriod, 'hourly' | 'daily', string, number]> = [
    ['HOUR', 'hourly', 'h', 3600],
    ['DAY', 'daily', 'd', 86_400],
];

/**
 * Decides whether one more code may be sent: the per-number resend cooldown first, then the hourly and daily
 * caps per number, per client address, per client network and for the whole shop. Every allowed call counts,
 * so GraphQL aliases and batched operations in one HTTP request are limited one by one; a refused call counts
 * nowhere and gives the cooldown back, so nobody can use up another shopper's quota with requests that are
 * refused anyway.
 *
 * The shop-wide budget has tiers, so that a flood cannot lock everyone out: up to `challengeAbove` codes are
 * sent freely; then only for a solved challenge, up to `global - knownAccountReserve`; the rest of `global` only
 * to numbers verified on an existing account. Each tier is one all-or-nothing count with the shop-wide limit of
 * that tier, so the counters stay the same six (eight with the network) windows.
 */
export class SendLimiter {
    private readonly tiers: Tier[];
    private readonly anonymous: SendCap;

    constructor(
        private readonly store: CounterStore,
        private readonly cooldownSeconds: number,
        private readonly caps: SendCaps,
        private readonly challengeAbove: SendCap | undefined,
        private readonly onAlert: (alert: ShopWideAlert) => void = () => undefined,
    ) {
        const reserve = caps.knownAccountReserve;
        this.anonymous = {
            hourly: caps.global.hourly - reserve.hourly,
            daily: caps.global.daily - reserve.daily,
        };
        const hasReserve = reserve.hourly > 0 || reserve.daily > 0;
        this.tiers = [
            ...(challengeAbove ? [{ tier: 'OPEN', limits: challengeAbove, spent: 'CHALLENGE' } as Tier] : []),
            {
                tier: challengeAbove ? 'CHALLENGED' : 'OPEN',
                limits: this.anonymous,
                spent: hasReserve ? 'KNOWN_ACCOUNTS_ONLY' : 'CLOSED',
                gate: challengeAbove ? 'challenge' : undefined,
            },
            ...(hasReserve
                ? [
                      {
                          tier: 'KNOWN_ACCOUNT_RESERVE',
                          limits: caps.global,
                          spent: 'CLOSED',
                          gate: 'known',
                      } as Tier,
                  ]
                : []),
        ];
    }

    clearCooldown(phoneKey: string): Promise<void> {
        return this.store.release(`cooldown:${phoneKey}`);
    }

    /**
     * `ip` is the client's address: IPv4 addresses are capped per address and per /24, IPv6 ones per /64 and per
     * /48 (see {@link clientNetwork}, {@link clientPrefix}).
     */
    async acquire(phoneKey: string, ip: string | undefined, gates: SendGates = {}): Promise<SendPermit> {
        const cooldownKey = `cooldown:${phoneKey}`;
        if (this.cooldownSeconds > 0) {
            const held = await this.store.claim(cooldownKey, this.cooldownSeconds);
            if (held > 0) {
                return { allowed: false, scope: 'COOLDOWN', retryAfterSeconds: held };
            }
        }
        const releaseCooldown = () =>
            this.cooldownSeconds > 0 ? this.store.release(cooldownKey) : Promise.resolve();
        const local = this.localWindows(phoneKey, ip);
        let refusal: { window: Window; resetInSeconds: number } | undefined;
        for (const tier of this.tiers) {
            if (tier.gate === 'challenge') {
                // The previous tier is spent: from here on a code costs the client a solved challenge.
                const solved = gates.verifyChallenge ? await gates.verifyChallenge() : undefined;
                if (!solved) {
                    await releaseCooldown();
                    return { allowed: false, scope: 'CHALLENGE', solutionRejected: solved === false };
                }
            }
            if (tier.gate === 'known' && !(await gates.isKnownAccount?.())) {
                break;
            }
            // All windows in one store call (one Redis round trip), all or nothing.
            const windows = [...local, ...windowsOf('GLOBAL', 'global', tier.limits)];
            const over = await this.store.countIfAllowed(windows);
            if (!over) {
                return { allowed: true, tier: tier.tier, releaseCooldown };
            }
            refusal = { window: windows[over.index], resetInSeconds: over.resetInSeconds };
            if (refusal.window.scope !== 'GLOBAL') {
                break;
            }
            await this.alertOnce({
                state: tier.spent,
                period: refusal.window.period,
                sent: refusal.window.limit,
                resetInSeconds: over.resetInSeconds,
            });
        }
        await releaseCooldown();
        return {
            allowed: false,
            scope: refusal!.window.scope,
            retryAfterSeconds: refusal!.resetInSeconds,
        };
    }

    /** The shop-wide hourly and daily windows as they stand (all instances, with Redis). */
    async windowStatus(): Promise<SendWindowStatus[]> {
        const counts = await this.store.peek(PERIODS.map(([, , suffix]) => `global:${suffix}`));
        return PERIODS.map(([period, field], i) => {
            const sent = counts[i].count;
            const limit = this.caps.global[field];
            const anonymousLimit = this.anonymous[field];
            const challengeAbove = this.challengeAbove?.[field];
            const state: ShopWideState =
                sent >= limit
                    ? 'CLOSED'
                    : sent >= anonymousLimit
                      ? 'KNOWN_ACCOUNTS_ONLY'
                      : challengeAbove !== undefined && sent >= challengeAbove
                        ? 'CHALLENGE'
                        : 'OPEN';
            return {
                period,
                sent,
                resetInSeconds: counts[i].resetInSeconds,
                challengeAbove,
                anonymousLimit,
                limit,
                state,
            };
        });
    }

    private localWindows(phoneKey: string, ip: string | undefined): Window[] {
        const address = clientNetwork(ip);
        const network = clientPrefix(ip);
        return [
            ...windowsOf('PHONE', `phone:${phoneKey}`, this.caps.phone),
            ...(address ? windowsOf('IP', `ip:${address}`, this.caps.ip) : []),
            ...(network ? windowsOf('NETWORK', `net:${network}`, this.caps.network) : []),
        ];
    }

    /** Tells the operator once per window (across instances, with Redis) that the shop reached a threshold. */
    private async alertOnce(alert: ShopWideAlert): Promise<void> {
        if ((await this.store.claim(`alert:${alert.state}:${alert.period}`, alert.resetInSeconds)) === 0) {
            this.onAlert(alert);
        }
    }
}

function windowsOf(scope: LimitScope, key: string, cap: SendCap): Window[] {
    return PERIODS.map(([period, field, suffix, seconds]) => ({
        scope,
        period,
        key: `${key}:${suffix}`,
        windowSeconds: seconds,
        limit: cap[field],
    }));
}
