import crypto from 'node:crypto';

import { RULE_CODES } from '../constants';

/** The claim scope of the first-order rule: one first order per shopper, whichever promotion gives it. */
export const FIRST_ORDER_SCOPE = 'first-order';

/** The claim scope of a "uses per mobile" limit: counted per promotion, as the condition counts. */
export function mobileLimitScope(promotionId: string | number): string {
    return `mobile-limit:${promotionId}`;
}

export type IdentityKind = 'customer' | 'email' | 'mobile';

export interface ClaimIdentity {
    kind: IdentityKind;
    /** SHA-256 (hex) of `<kind>:<value>`. */
    hash: string;
}

/** What an order must hold to go to payment with a one-time discount. */
export interface ClaimPlan {
    scope: string;
    rule: typeof RULE_CODES.firstOrder | typeof RULE_CODES.usageLimitPerMobile;
    promotionId: string | number;
    /** Uses allowed per identity: the number of slots. */
    limit: number;
    /** Every identity of the shopper the rule matches by (sorted by hash): each one must be free. */
    identities: ClaimIdentity[];
}

export interface PromotionLike {
    id: string | number;
    conditions: Array<{ code: string; args: Array<{ name: string; value: string }> }>;
}

export interface IdentityLike {
    customerId?: string | number;
    email?: string;
    mobiles: string[];
}

/**
 * The claims an order needs for the one-time rules among its promotions. The first-order rule matches the
 * shopper by account, email and mobiles; the per-mobile limit by mobiles only. Identities are sorted so that
 * two checkouts always take their rows in the same order (no deadlock between them on PostgreSQL).
 */
export function claimPlans(promotions: PromotionLike[], who: IdentityLike): ClaimPlan[] {
    const plans = new Map<string, ClaimPlan>();
    for (const promotion of promotions) {
        for (const condition of promotion.conditions) {
            if (condition.code === RULE_CODES.firstOrder && !plans.has(FIRST_ORDER_SCOPE)) {
                plans.set(FIRST_ORDER_SCOPE, {
                    scope: FIRST_ORDER_SCOPE,
                    rule: RULE_CODES.firstOrder,
                    promotionId: promotion.id,
                    limit: 1,
                    identities: identities(who, ['customer', 'email', 'mobile']),
                });
            }
            if (condition.code === RULE_CODES.usageLimitPerMobile) {
                const scope = mobileLimitScope(promotion.id);
                const limit = Math.max(1, Number.parseInt(argValue(condition.args, 'limit') ?? '1', 10) || 1);
                plans.set(scope, {
                    scope,
                    rule: RULE_CODES.usageLimitPerMobile,
                    promotionId: promotion.id,
                    limit: Math.min(limit, plans.get(scope)?.limit ?? limit),
                    identities: identities(who, ['mobile']),
                });
            }
        }
    }
    return [...plans.values()].sort((a, b) => a.scope.localeCompare(b.scope));
}

function argValue(args: Array<{ name: string; value: string }>, name: string): string | undefined {
    return args.find(a => a.name === name)?.value;
}

function identities(who: IdentityLike, kinds: IdentityKind[]): ClaimIdentity[] {
    const values: Array<[IdentityKind, string | undefined]> = [
        ['customer', who.customerId === undefined ? undefined : String(who.customerId)],
        ['email', who.email?.toLowerCase()],
        ...who.mobiles.map((m): [IdentityKind, string] => ['mobile', m]),
    ];
    const keys = values
        .filter((v): v is [IdentityKind, string] => !!v[1] && kinds.includes(v[0]))
        .map(([kind, value]) => ({ kind, hash: identityHash(kind, value) }));
    const unique = new Map(keys.map(k => [k.hash, k]));
    return [...unique.values()].sort((a, b) => a.hash.localeCompare(b.hash));
}

export function identityHash(kind: IdentityKind, value: string): string {
    return crypto.createHash('sha256').update(`${kind}:${value}`).digest('hex');
}
