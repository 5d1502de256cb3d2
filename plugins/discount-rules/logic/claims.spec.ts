import { describe, expect, it } from 'vitest';

import { RULE_CODES } from '../constants';

import { claimPlans, FIRST_ORDER_SCOPE, identityHash, mobileLimitScope } from './claims';

const firstOrder = (id: number) => ({ id, conditions: [{ code: RULE_CODES.firstOrder, args: [] }] });
const perMobile = (id: number, limit: string) => ({
    id,
    conditions: [{ code: RULE_CODES.usageLimitPerMobile, args: [{ name: 'limit', value: limit }] }],
});
const shopper = { customerId: 7, email: 'Sara@Example.ir', mobiles: ['09121234567', '09351234567'] };

describe('claim plans of one-time rules', () => {
    it('first order: one plan whatever the number of promotions, keyed by account, email and each mobile', () => {
        const plans = claimPlans([firstOrder(1), firstOrder(2)], shopper);
        expect(plans).toHaveLength(1);
        expect(plans[0]).toMatchObject({ scope: FIRST_ORDER_SCOPE, rule: RULE_CODES.firstOrder, limit: 1 });
        expect(plans[0].identities.map(i => i.hash).sort()).toEqual(
            [
                identityHash('customer', '7'),
                identityHash('email', 'sara@example.ir'),
                identityHash('mobile', '09121234567'),
                identityHash('mobile', '09351234567'),
            ].sort(),
        );
    });

    it('per mobile: one plan per promotion, mobiles only, a slot per allowed use', () => {
        const plans = claimPlans([perMobile(4, '3'), perMobile(5, '1')], shopper);
        expect(plans.map(p => [p.scope, p.limit])).toEqual([
            [mobileLimitScope(4), 3],
            [mobileLimitScope(5), 1],
        ]);
        expect(plans[0].identities.map(i => i.kind)).toEqual(['mobile', 'mobile']);
    });

    it('identities are unique and sorted, so concurrent checkouts take rows in the same order', () => {
        const [plan] = claimPlans([firstOrder(1)], {
            email: 'a@b.ir',
            mobiles: ['09121234567', '09121234567'],
        });
        const hashes = plan.identities.map(i => i.hash);
        expect(hashes).toHaveLength(2);
        expect(hashes).toEqual([...hashes].sort());
    });

    it('ignores other promotions, and an unreadable limit claims one use', () => {
        expect(
            claimPlans([{ id: 9, conditions: [{ code: 'minimum_order_amount', args: [] }] }], shopper),
        ).toEqual([]);
        expect(claimPlans([perMobile(4, 'x')], shopper)[0].limit).toBe(1);
        expect(claimPlans([perMobile(4, '2')], { mobiles: [] })[0].identities).toEqual([]);
    });
});
