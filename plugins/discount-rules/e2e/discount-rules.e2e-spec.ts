import gql from 'graphql-tag';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import {
    assertOk,
    createTestPaymentMethod,
    TRANSITION,
    withDummyPayment,
} from '../../../src/testing/checkout-helpers';
import { createTestShop, TestShop, testProfile } from '../../../src/testing/test-shop';
import { DiscountRulesPlugin } from '../discount-rules.plugin';
import { DISCOUNT_ALREADY_USED, DISCOUNT_ALREADY_USED_MESSAGE, RULE_CODES as R } from '../constants';

import {
    activeOrder,
    fillCart,
    OrderView,
    pay,
    placeOrder,
    PromotionInput,
    raceToPayment,
    transitionTo,
    variantsByPrice,
    withPromotions,
} from './fixtures';

// Amounts are Vendure money: Rial x 100 (README "Money"); e.g. the samovar's 39,000,000 Rial is 3_900_000_000.
const SHIPPING = 50_000_000; // the demo shop's flat rate, 500,000 Rial

/** Vendure spreads an order discount over lines and taxes; allow a Rial or two of rounding (200 money units). */
function expectRial(actual: number, expected: number): void {
    expect(actual % 100, `${actual} is a whole Rial`).toBe(0);
    expect(Math.abs(actual - expected), `${actual} vs ${expected}`).toBeLessThanOrEqual(200);
}

const CANCEL_ORDER = gql`
    mutation ($orderId: ID!) {
        cancelOrder(input: { orderId: $orderId, reason: "test" }) {
            ... on Order {
                state
            }
            ... on ErrorResult {
                errorCode
                message
            }
        }
    }
`;

/** Vendure requires a condition (or a coupon) on every promotion; "minimum amount 0" is the neutral one. */
const ALWAYS = { code: 'minimum_order_amount', args: { amount: 0, taxInclusive: true } };

const orderPercent = (
    name: string,
    discount: number,
    conditions: PromotionInput['conditions'] = [ALWAYS],
) => ({
    name,
    conditions,
    actions: [{ code: 'order_percentage_discount', args: { discount } }],
});

describe(`discount rules (${testProfile()})`, () => {
    let t: TestShop;
    // The injectable clock of the time-window rules; each test sets the time it needs.
    let now = new Date('2026-11-29T08:00:00Z');
    let variants: Array<{ id: string; priceWithTax: number }>;
    let cheap: { id: string; priceWithTax: number };
    let dear: { id: string; priceWithTax: number };
    let shopperNo = 0;
    const nextShopper = () => {
        shopperNo++;
        return {
            email: `shopper${shopperNo}@example.ir`,
            phone: `0912${String(5550000 + shopperNo)}`,
        };
    };

    beforeAll(async () => {
        t = await createTestShop({
            adjustConfig: config => {
                DiscountRulesPlugin.init({ now: () => now });
                return withDummyPayment(config);
            },
        });
        await createTestPaymentMethod(t.admin);
        variants = await variantsByPrice(t.shop);
        cheap = variants[0];
        dear = variants.find(v => v.priceWithTax === 3_900_000_000)!; // the electric samovar
    });

    afterAll(async () => {
        await t?.close();
    });

    it('offers the rules in the Admin UI with English and Persian descriptions', async () => {
        const { promotionConditions, promotionActions } = await t.admin.query(
            gql`
                query {
                    promotionConditions {
                        code
                        description
                        args {
                            name
                            label
                        }
                    }
                    promotionActions {
                        code
                        description
                    }
                }
            `,
            {},
            { languageCode: 'fa' },
        );
        const exclusive = promotionConditions.find((c: { code: string }) => c.code === R.exclusive);
        expect(exclusive.description).toContain('انحصاری');
        expect(promotionConditions.map((c: { code: string }) => c.code)).toEqual(
            expect.arrayContaining([
                R.firstOrder,
                R.volumeTier,
                R.weeklyWindow,
                R.jalaliPeriod,
                R.shippingRegion,
            ]),
        );
        expect(promotionActions.map((a: { code: string }) => a.code)).toEqual(
            expect.arrayContaining([R.tieredDiscount, R.cheapestItem, R.cappedPercentage]),
        );
    });

    it('first order: once per shopper, matched by email and by mobile in any spelling', async () => {
        await withPromotions(
            t.admin,
            [orderPercent('first order 10%', 10, [{ code: R.firstOrder }])],
            async () => {
                const anon = await fillCart(t.newShopClient(), {
                    items: [{ variantId: dear.id, quantity: 1 }],
                });
                expect(anon.promotions).toEqual([]); // unknown shopper: not yet

                const me = nextShopper();
                const first = t.newShopClient();
                const o1 = await fillCart(first, {
                    items: [{ variantId: dear.id, quantity: 1 }],
                    ...me,
                    province: 'تهران',
                    shipping: true,
                });
                expectRial(o1.subTotalWithTax, 3_900_000_000 - 390_000_000);
                expect(await placeOrder(first)).toBe('PaymentSettled');

                // Same mobile written differently, another email: no longer a first order.
                const samePhone = await fillCart(t.newShopClient(), {
                    items: [{ variantId: dear.id, quantity: 1 }],
                    email: 'another@example.ir',
                    phone: `+98 ${me.phone.slice(1)}`,
                    province: 'تهران',
                });
                expect(samePhone.subTotalWithTax).toBe(3_900_000_000);
                // Same email, another phone: also known.
                const sameEmail = await fillCart(t.newShopClient(), {
                    items: [{ variantId: dear.id, quantity: 1 }],
                    email: me.email,
                    phone: '09350000001',
                    province: 'تهران',
                });
                expect(sameEmail.subTotalWithTax).toBe(3_900_000_000);
                // A new shopper still gets it.
                const fresh = await fillCart(t.newShopClient(), {
                    items: [{ variantId: dear.id, quantity: 1 }],
                    ...nextShopper(),
                    province: 'تهران',
                });
                expectRial(fresh.subTotalWithTax, 3_510_000_000);
            },
        );
    });

    it("first order and per-mobile limit: the shipping address's mobile counts, whatever the customer's phone", async () => {
        const first = orderPercent('first order 10%', 10, [{ code: R.firstOrder }]);
        const perMobile = orderPercent('once per mobile', 10, [
            { code: R.usageLimitPerMobile, args: { limit: 1 } },
        ]);
        for (const promotion of [first, perMobile]) {
            await withPromotions(t.admin, [promotion], async () => {
                const mobile = nextShopper().phone;
                // A guest without a customer phone, the mobile only on the shipping address.
                const earlier = t.newShopClient();
                const o1 = await fillCart(earlier, {
                    items: [{ variantId: dear.id, quantity: 1 }],
                    email: nextShopper().email,
                    addressPhone: mobile,
                    province: 'تهران',
                    shipping: true,
                });
                expectRial(o1.subTotalWithTax, 3_510_000_000);
                expect(await placeOrder(earlier)).toBe('PaymentSettled');

                // A new email each time; the customer phone left empty, or a landline: still the same person.
                for (const phone of [undefined, '021-88776655']) {
                    const again = await fillCart(t.newShopClient(), {
                        items: [{ variantId: dear.id, quantity: 1 }],
                        email: nextShopper().email,
                        phone,
                        addressPhone: `+98 ${mobile.slice(1)}`,
                        province: 'تهران',
                    });
                    expect(again.subTotalWithTax).toBe(3_900_000_000);
                }
            });
        }
    });

    it('first order: two open checkouts of one shopper cannot both be the first', async () => {
        await withPromotions(
            t.admin,
            [orderPercent('first order 10%', 10, [{ code: R.firstOrder }])],
            async () => {
                const me = nextShopper();
                const checkout = async () => {
                    const client = t.newShopClient();
                    await fillCart(client, {
                        items: [{ variantId: dear.id, quantity: 1 }],
                        ...me,
                        province: 'تهران',
                        shipping: true,
                    });
                    return client;
                };
                const a = await checkout();
                const b = await checkout();
                expectRial((await activeOrder(a)).subTotalWithTax, 3_510_000_000);
                assertOk(
                    (await a.query(TRANSITION, { state: 'ArrangingPayment' })).transitionOrderToState,
                    'transition',
                );
                // Once A waits for payment, B's next recalculation no longer sees a first order.
                const bAgain = await fillCart(b, { items: [{ variantId: dear.id, quantity: 1 }] });
                expect(bAgain.subTotalWithTax).toBe(2 * 3_900_000_000);
            },
        );
    });

    it('tiers by quantity: only the best tier reached applies', async () => {
        const tiered = {
            name: 'volume',
            conditions: [
                { code: R.volumeTier, args: { basis: 'quantity', tiers: ['3:5', '5:10', '10:15'] } },
            ],
            actions: [{ code: R.tieredDiscount, args: { maxDiscount: 0 } }],
        };
        await withPromotions(t.admin, [tiered], async () => {
            const client = t.newShopClient();
            const price = cheap.priceWithTax;
            const two = await fillCart(client, { items: [{ variantId: cheap.id, quantity: 2 }] });
            expect(two.subTotalWithTax).toBe(2 * price);
            const four = await fillCart(client, { items: [{ variantId: cheap.id, quantity: 2 }] });
            expectRial(four.subTotalWithTax, 4 * price - Math.round(4 * price * 0.05));
            const six = await fillCart(client, { items: [{ variantId: cheap.id, quantity: 2 }] });
            expectRial(six.subTotalWithTax, 6 * price - Math.round(6 * price * 0.1));
        });
    });

    it('tiers by amount, with a cap', async () => {
        const tiered = {
            name: 'amount tiers',
            conditions: [
                { code: R.volumeTier, args: { basis: 'amount', tiers: ['10,000,000:5', '50,000,000:10'] } },
            ],
            actions: [{ code: R.tieredDiscount, args: { maxDiscount: 700_000_000 } }],
        };
        await withPromotions(t.admin, [tiered], async () => {
            const client = t.newShopClient();
            const one = await fillCart(client, { items: [{ variantId: dear.id, quantity: 1 }] });
            expectRial(one.subTotalWithTax, 3_900_000_000 - 195_000_000); // 5%
            const two = await fillCart(client, { items: [{ variantId: dear.id, quantity: 1 }] });
            expectRial(two.subTotalWithTax, 7_800_000_000 - 700_000_000); // 10% = 7.8M, capped at 7M
        });
    });

    it('weekly window in Tehran time, including one that runs past midnight', async () => {
        const windows = [
            orderPercent('thu-fri evening', 10, [
                { code: R.weeklyWindow, args: { days: ['thu', 'fri'], from: '18:00', to: '23:59' } },
            ]),
        ];
        await withPromotions(t.admin, windows, async () => {
            const check = async (iso: string) => {
                now = new Date(iso);
                const o = await fillCart(t.newShopClient(), { items: [{ variantId: dear.id, quantity: 1 }] });
                return o.subTotalWithTax < 3_900_000_000;
            };
            expect(await check('2026-11-26T14:30:00Z')).toBe(true); // Thu 18:00 Tehran
            expect(await check('2026-11-26T14:29:00Z')).toBe(false); // Thu 17:59 Tehran (UTC would say 14:29)
            expect(await check('2026-11-27T20:29:00Z')).toBe(true); // Fri 23:59 Tehran
            expect(await check('2026-11-27T20:31:00Z')).toBe(false); // Sat 00:01 Tehran, still Friday in UTC
        });
        const lateNight = [
            orderPercent('thu night', 10, [
                { code: R.weeklyWindow, args: { days: ['thu'], from: '22:00', to: '02:00' } },
            ]),
        ];
        await withPromotions(t.admin, lateNight, async () => {
            now = new Date('2026-11-26T22:00:00Z'); // Fri 01:30 Tehran
            const inside = await fillCart(t.newShopClient(), {
                items: [{ variantId: dear.id, quantity: 1 }],
            });
            expectRial(inside.subTotalWithTax, 3_510_000_000);
            now = new Date('2026-11-26T23:00:00Z'); // Fri 02:30 Tehran
            const after = await fillCart(t.newShopClient(), { items: [{ variantId: dear.id, quantity: 1 }] });
            expect(after.subTotalWithTax).toBe(3_900_000_000);
        });
    });

    it('Jalali campaign period: Nowruz 1406/01/01–1406/01/13 in Tehran time', async () => {
        const nowruz = [
            orderPercent('nowruz', 10, [
                { code: R.jalaliPeriod, args: { from: '1406/01/01', to: '۱۴۰۶/۰۱/۱۳' } },
            ]),
        ];
        await withPromotions(t.admin, nowruz, async () => {
            const applies = async (iso: string) => {
                now = new Date(iso);
                const o = await fillCart(t.newShopClient(), { items: [{ variantId: dear.id, quantity: 1 }] });
                return o.subTotalWithTax < 3_900_000_000;
            };
            expect(await applies('2027-03-20T20:29:00Z')).toBe(false); // 1405/12/29 23:59 Tehran
            expect(await applies('2027-03-20T20:30:00Z')).toBe(true); // 1406/01/01 00:00 Tehran
            expect(await applies('2027-04-02T20:29:00Z')).toBe(true); // 1406/01/13 23:59 Tehran
            expect(await applies('2027-04-02T20:30:00Z')).toBe(false); // 1406/01/14 00:00 Tehran
        });
        now = new Date('2026-11-29T08:00:00Z');
    });

    it('cheapest item: every N items the cheapest units go free, across lines with mixed quantities', async () => {
        const promo = {
            name: 'every 3 the cheapest free',
            conditions: [{ code: R.everyNItems, args: { n: 3 } }],
            actions: [{ code: R.cheapestItem, args: { discount: 100 } }],
        };
        const mid = variants[Math.floor(variants.length / 2)];
        await withPromotions(t.admin, [promo], async () => {
            const client = t.newShopClient();
            const two = await fillCart(client, { items: [{ variantId: mid.id, quantity: 2 }] });
            expect(two.subTotalWithTax).toBe(2 * mid.priceWithTax);
            // 2 × mid + 4 × cheap = 6 items -> the 2 cheapest units (both `cheap`) are free.
            const six = await fillCart(client, { items: [{ variantId: cheap.id, quantity: 4 }] });
            expectRial(six.subTotalWithTax, 2 * mid.priceWithTax + 2 * cheap.priceWithTax);
            const cheapLine = six.lines.find(l => l.productVariant.id === cheap.id)!;
            expectRial(cheapLine.discountedLinePriceWithTax, 2 * cheap.priceWithTax);
        });
        const half = { ...promo, actions: [{ code: R.cheapestItem, args: { discount: 50 } }] };
        await withPromotions(t.admin, [half], async () => {
            // 1 × dear + 2 × cheap = 3 items -> one cheap unit at half price.
            const o = await fillCart(t.newShopClient(), {
                items: [
                    { variantId: dear.id, quantity: 1 },
                    { variantId: cheap.id, quantity: 2 },
                ],
            });
            expectRial(
                o.subTotalWithTax,
                dear.priceWithTax + 2 * cheap.priceWithTax - Math.round(cheap.priceWithTax / 2),
            );
        });
    });

    it('region: a discount for Tehran only, and free shipping to chosen provinces above an amount', async () => {
        const promos: PromotionInput[] = [
            orderPercent('tehran 10%', 10, [
                { code: R.shippingRegion, args: { provinces: ['IR-23'], cities: [] } },
            ]),
            {
                // Free shipping above an amount for chosen provinces: region + Vendure's minimum amount + free shipping.
                name: 'free shipping north',
                conditions: [
                    { code: R.shippingRegion, args: { provinces: ['Tehran', 'گیلان'], cities: [] } },
                    { code: 'minimum_order_amount', args: { amount: 2_000_000_000, taxInclusive: true } },
                ],
                actions: [{ code: 'free_shipping' }],
            },
        ];
        await withPromotions(t.admin, promos, async () => {
            const tehran = await fillCart(t.newShopClient(), {
                items: [{ variantId: dear.id, quantity: 1 }],
                ...nextShopper(),
                province: 'تهران',
                shipping: true,
            });
            expectRial(tehran.subTotalWithTax, 3_510_000_000);
            expect(tehran.shippingWithTax).toBe(0);

            const isfahan = await fillCart(t.newShopClient(), {
                items: [{ variantId: dear.id, quantity: 1 }],
                ...nextShopper(),
                province: 'اصفهان',
                shipping: true,
            });
            expect(isfahan.subTotalWithTax).toBe(3_900_000_000);
            expect(isfahan.shippingWithTax).toBe(SHIPPING);

            const gilanSmall = await fillCart(t.newShopClient(), {
                items: [{ variantId: cheap.id, quantity: 1 }],
                ...nextShopper(),
                province: 'Gilan',
                city: 'رشت',
                shipping: true,
            });
            expect(gilanSmall.shippingWithTax).toBe(SHIPPING); // below the minimum amount
        });
    });

    it('cap: "20% up to 500,000 Toman"', async () => {
        const capped = {
            name: '20% up to 500k Toman',
            conditions: [ALWAYS],
            actions: [{ code: R.cappedPercentage, args: { discount: 20, maxDiscount: 500_000_000 } }],
        };
        await withPromotions(t.admin, [capped], async () => {
            const big = await fillCart(t.newShopClient(), { items: [{ variantId: dear.id, quantity: 1 }] });
            expectRial(big.subTotalWithTax, 3_900_000_000 - 500_000_000);
            const small = await fillCart(t.newShopClient(), {
                items: [{ variantId: cheap.id, quantity: 1 }],
            });
            expectRial(small.subTotalWithTax, cheap.priceWithTax - Math.round(cheap.priceWithTax * 0.2));
        });
    });

    it('usage limit per mobile number, across guest checkouts with different emails', async () => {
        const limited = orderPercent('once per mobile', 10, [
            { code: R.usageLimitPerMobile, args: { limit: 1 } },
        ]);
        await withPromotions(t.admin, [limited], async () => {
            const me = nextShopper();
            const first = t.newShopClient();
            const o1 = await fillCart(first, {
                items: [{ variantId: dear.id, quantity: 1 }],
                ...me,
                province: 'تهران',
                shipping: true,
            });
            expectRial(o1.subTotalWithTax, 3_510_000_000);
            expect(await placeOrder(first)).toBe('PaymentSettled');

            const again = await fillCart(t.newShopClient(), {
                items: [{ variantId: dear.id, quantity: 1 }],
                email: `other-${me.email}`,
                phone: `۰${me.phone.slice(1).replace(/\d/g, d => '۰۱۲۳۴۵۶۷۸۹'[Number(d)])}`,
                province: 'تهران',
            });
            expect(again.subTotalWithTax).toBe(3_900_000_000);
            expect(again.promotions).toEqual([]);

            const other = await fillCart(t.newShopClient(), {
                items: [{ variantId: dear.id, quantity: 1 }],
                ...nextShopper(),
                province: 'تهران',
            });
            expectRial(other.subTotalWithTax, 3_510_000_000);
        });
    });

    describe('one-time rules when the order goes to payment', () => {
        const oneTimeRules = [
            { rule: 'first order', promotion: orderPercent('first order 50%', 50, [{ code: R.firstOrder }]) },
            {
                rule: 'once per mobile',
                promotion: orderPercent('once per mobile 50%', 50, [
                    { code: R.usageLimitPerMobile, args: { limit: 1 } },
                ]),
            },
        ];
        const HALF = 1_950_000_000;
        const COD = 'cash-on-delivery';

        /** A cart repriced with the discount, ready to go to payment. */
        async function discountedCart(shopper: { email: string; phone: string }) {
            const client = t.newShopClient();
            const order = await fillCart(client, {
                items: [{ variantId: dear.id, quantity: 1 }],
                ...shopper,
                province: 'تهران',
                shipping: true,
            });
            expectRial(order.subTotalWithTax, HALF);
            return client;
        }

        async function expectRepricedWithoutDiscount(client: ReturnType<TestShop['newShopClient']>) {
            const order = await activeOrder(client);
            expect(order.state).toBe('AddingItems');
            expect(order.promotions).toEqual([]);
            expect(order.subTotalWithTax).toBe(3_900_000_000);
        }

        for (const { rule, promotion } of oneTimeRules) {
            it(`${rule}: of two carts repriced together, the second to go to payment is refused and repriced`, async () => {
                await withPromotions(t.admin, [promotion], async () => {
                    const { phone } = nextShopper();
                    // Two guest carts of one mobile under two emails, both showing the discount.
                    const a = await discountedCart({ email: nextShopper().email, phone });
                    const b = await discountedCart({ email: nextShopper().email, phone });

                    expect((await transitionTo(a, 'ArrangingPayment')).state).toBe('ArrangingPayment');
                    const refused = await transitionTo(b, 'ArrangingPayment');
                    expect(refused.errorCode).toBe('ORDER_STATE_TRANSITION_ERROR');
                    // The whole message reaches the storefront (code first, English and Persian text).
                    expect(refused.transitionError).toBe(DISCOUNT_ALREADY_USED_MESSAGE);
                    expect(refused.transitionError!.startsWith(DISCOUNT_ALREADY_USED)).toBe(true);
                    await expectRepricedWithoutDiscount(b);

                    expectRial((await pay(a, COD)).totalWithTax, HALF + SHIPPING);
                    // B, now showing the full price, may go on without the discount.
                    expect((await transitionTo(b, 'ArrangingPayment')).state).toBe('ArrangingPayment');
                    expect((await pay(b, COD)).totalWithTax).toBe(3_900_000_000 + SHIPPING);
                });
            });

            it(`${rule}: two carts going to payment at the same moment: exactly one keeps the discount`, async () => {
                await withPromotions(t.admin, [promotion], async () => {
                    // The attack: one email and mobile, two carts, both repriced while neither is placed.
                    const me = nextShopper();
                    const a = await discountedCart(me);
                    const b = await discountedCart(me);

                    const { outcomes, winner, loser } = await raceToPayment(a, b);
                    const winners = outcomes.filter(o => o.state === 'ArrangingPayment');
                    const losers = outcomes.filter(o => o.errorCode);
                    expect(winners).toHaveLength(1);
                    expect(losers).toHaveLength(1);
                    expect(losers[0].transitionError).toContain(DISCOUNT_ALREADY_USED);

                    await expectRepricedWithoutDiscount(loser);
                    expectRial((await pay(winner, COD)).totalWithTax, HALF + SHIPPING);
                    expect((await transitionTo(loser, 'ArrangingPayment')).state).toBe('ArrangingPayment');
                    expect((await pay(loser, COD)).totalWithTax).toBe(3_900_000_000 + SHIPPING);
                });
            });
        }

        it('an order taken back to AddingItems, or cancelled, frees the discount for the next order', async () => {
            await withPromotions(t.admin, [oneTimeRules[0].promotion], async () => {
                const me = nextShopper();
                const a = await discountedCart(me);
                expect((await transitionTo(a, 'ArrangingPayment')).state).toBe('ArrangingPayment');
                expect((await transitionTo(a, 'AddingItems')).state).toBe('AddingItems');

                const b = await discountedCart(me);
                expect((await transitionTo(b, 'ArrangingPayment')).state).toBe('ArrangingPayment');
                const paid = await pay(b, COD);
                expectRial(paid.totalWithTax, HALF + SHIPPING);
                // B holds it now: A, still showing the discount, is refused.
                expect((await transitionTo(a, 'ArrangingPayment')).transitionError).toContain(
                    DISCOUNT_ALREADY_USED,
                );

                const { cancelOrder } = await t.admin.query(CANCEL_ORDER, { orderId: paid.id });
                assertOk(cancelOrder, 'cancelOrder');
                expect(cancelOrder.state).toBe('Cancelled');
                const c = await discountedCart(me);
                expect((await transitionTo(c, 'ArrangingPayment')).state).toBe('ArrangingPayment');
                expectRial((await pay(c, COD)).totalWithTax, HALF + SHIPPING);
            });
        });
    });

    describe('combinations', () => {
        const samovar = (extra: Partial<Parameters<typeof fillCart>[1]> = {}) =>
            fillCart(t.newShopClient(), { items: [{ variantId: dear.id, quantity: 1 }], ...extra });
        const names = (o: OrderView) => o.promotions.map(p => p.name).sort();

        it('two combinable promotions stack', async () => {
            await withPromotions(t.admin, [orderPercent('ten', 10), orderPercent('five', 5)], async () => {
                const o = await samovar();
                expectRial(o.subTotalWithTax, Math.round(3_900_000_000 * 0.9 * 0.95));
                expect(names(o)).toEqual(['five', 'ten']);
            });
        });

        it('an exclusive promotion loses to a larger stack of combinable ones', async () => {
            const promos: PromotionInput[] = [
                orderPercent('ten', 10),
                orderPercent('five', 5),
                orderPercent('exclusive twelve', 12, [{ code: R.exclusive }]),
            ];
            await withPromotions(t.admin, promos, async () => {
                const o = await samovar(); // stack 14.5% > 12%
                expectRial(o.subTotalWithTax, Math.round(3_900_000_000 * 0.9 * 0.95));
                expect(names(o)).toEqual(['five', 'ten']);
            });
        });

        it('an exclusive promotion that is better applies alone', async () => {
            const promos: PromotionInput[] = [
                orderPercent('ten', 10),
                orderPercent('five', 5),
                orderPercent('exclusive twenty', 20, [{ code: R.exclusive }]),
            ];
            await withPromotions(t.admin, promos, async () => {
                const o = await samovar();
                expectRial(o.subTotalWithTax, 3_120_000_000);
                expect(names(o)).toEqual(['exclusive twenty']);
            });
        });

        it('counts shipping discounts when comparing, in both directions', async () => {
            const promos: PromotionInput[] = [
                { name: 'free shipping', actions: [{ code: 'free_shipping' }], conditions: [ALWAYS] },
                orderPercent('five', 5),
                orderPercent('exclusive eight', 8, [{ code: R.exclusive }]),
            ];
            await withPromotions(t.admin, promos, async () => {
                // Samovar: 8% = 3,120,000 beats 5% + shipping = 1,950,000 + 500,000.
                const big = await samovar({ ...nextShopper(), province: 'تهران', shipping: true });
                expectRial(big.subTotalWithTax, 3_900_000_000 - 312_000_000);
                expect(big.shippingWithTax).toBe(SHIPPING);
                expect(names(big)).toEqual(['exclusive eight']);
                // A cheap item: free shipping + 5% beats 8%.
                const small = await fillCart(t.newShopClient(), {
                    items: [{ variantId: cheap.id, quantity: 1 }],
                    ...nextShopper(),
                    province: 'تهران',
                    shipping: true,
                });
                expect(small.shippingWithTax).toBe(0);
                expectRial(small.subTotalWithTax, cheap.priceWithTax - Math.round(cheap.priceWithTax * 0.05));
                expect(names(small)).toEqual(['five', 'free shipping']);
            });
        });

        it('compares an exclusive capped promotion by its capped amount', async () => {
            const promos: PromotionInput[] = [
                orderPercent('ten', 10),
                orderPercent('five', 5),
                {
                    name: 'exclusive 20% capped',
                    conditions: [{ code: R.exclusive }],
                    actions: [{ code: R.cappedPercentage, args: { discount: 20, maxDiscount: 500_000_000 } }],
                },
            ];
            await withPromotions(t.admin, promos, async () => {
                // 20% of 39M would be 7.8M, but capped at 5M < the stack's 5.655M.
                const big = await samovar();
                expectRial(big.subTotalWithTax, Math.round(3_900_000_000 * 0.9 * 0.95));
                // On a cheap item the cap does not bite: 20% > 14.5%.
                const small = await fillCart(t.newShopClient(), {
                    items: [{ variantId: cheap.id, quantity: 1 }],
                });
                expectRial(small.subTotalWithTax, cheap.priceWithTax - Math.round(cheap.priceWithTax * 0.2));
                expect(names(small)).toEqual(['exclusive 20% capped']);
            });
        });
    });
});
