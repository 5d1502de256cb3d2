import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import {
    createTestShop,
    SecondInstance,
    startSecondInstance,
    TestShop,
} from '../../../src/testing/test-shop';
import { DISCOUNT_ALREADY_USED, RULE_CODES as R } from '../constants';

import { activeOrder, fillCart, raceToPayment, RuleInput, variantsByPrice, withPromotions } from './fixtures';

const clustered = !!process.env.DATABASE_URL && !!process.env.REDIS_URL;
const SAMOVAR = 3_900_000_000;

/**
 * Two server instances on one PostgreSQL database and one Redis, as two pods behind a load balancer: the two
 * carts of one shopper go to payment at the same moment, each on its own instance.
 */
describe.runIf(clustered)('one-time discounts across two server instances (PostgreSQL + Redis)', () => {
    let t: TestShop;
    let second: SecondInstance;
    let samovarId: string;

    beforeAll(async () => {
        t = await createTestShop();
        second = await startSecondInstance(t);
        samovarId = (await variantsByPrice(t.shop)).find(v => v.priceWithTax === SAMOVAR)!.id;
    });

    afterAll(async () => {
        await second?.server.close();
        await t?.close();
    });

    const rules: Array<[string, RuleInput]> = [
        ['first order', { code: R.firstOrder }],
        ['once per mobile', { code: R.usageLimitPerMobile, args: { limit: 1 } }],
    ];
    for (const [n, [rule, condition]] of rules.entries()) {
        it(`${rule}: two checkouts on two instances at the same moment: exactly one keeps the discount`, async () => {
            const promotion = {
                name: `${rule} 50%`,
                conditions: [condition],
                actions: [{ code: 'order_percentage_discount', args: { discount: 50 } }],
            };
            await withPromotions(t.admin, [promotion], async () => {
                const me = {
                    email: `cluster-${n}@example.ir`,
                    phone: `0912${4440000 + n}`,
                };
                const carts = [t.newShopClient(), second.newShopClient()];
                for (const client of carts) {
                    const order = await fillCart(client, {
                        items: [{ variantId: samovarId, quantity: 1 }],
                        ...me,
                        province: 'تهران',
                        shipping: true,
                    });
                    expect(order.promotions).toHaveLength(1);
                }

                const { outcomes, winner, loser } = await raceToPayment(carts[0], carts[1]);
                expect(outcomes.filter(o => o.state === 'ArrangingPayment')).toHaveLength(1);
                expect(
                    outcomes.filter(o => o.transitionError?.startsWith(DISCOUNT_ALREADY_USED)),
                ).toHaveLength(1);
                expect((await activeOrder(winner)).promotions).toHaveLength(1);
                const repriced = await activeOrder(loser);
                expect(repriced.state).toBe('AddingItems');
                expect(repriced.subTotalWithTax).toBe(SAMOVAR);
            });
        });
    }
});

describe.skipIf(clustered)('one-time discounts across two server instances', () => {
    it.skip('needs DATABASE_URL and REDIS_URL: SQLite allows one server process', () => {});
});
