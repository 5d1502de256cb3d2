import { LanguageCode } from '@vendure/core';
import { SimpleGraphQLClient } from '@vendure/testing';
import gql from 'graphql-tag';

import { fromRial } from '../../src/iran/money';
import { RULE_CODES as R } from '../../plugins/discount-rules';
import { createTestShop, TestShop, testProfile } from '../../src/testing/test-shop';

/**
 * `npm run bench:promotions`: `addItemToOrder` latency with 20 active promotions of the discount-rules kinds
 * against none, in one run on one server (the machine is shared and noisy: only the ratio means much).
 * For scale, a third setting has 20 of Vendure's own simplest promotions (minimum amount 0, 1% off).
 * Rounds alternate between the settings so drift hits all alike. SQLite by default; PostgreSQL + Redis
 * when DATABASE_URL / REDIS_URL are set (read by the test harness).
 */

const ROUNDS = 6;
const CARTS_PER_ROUND = 8;
const WARMUP_CARTS = 5;

type Arg = string | number | boolean | string[];
interface Rule {
    code: string;
    args?: Record<string, Arg>;
}

const always: Rule = { code: 'minimum_order_amount', args: { amount: 0, taxInclusive: true } };
const pct = (discount: number): Rule => ({ code: 'order_percentage_discount', args: { discount } });

/** Twenty promotions of the plugin's kinds, most of which apply to the benchmark's carts. */
const PROMOTIONS: Array<{ conditions: Rule[]; actions: Rule[] }> = [
    { conditions: [{ code: R.firstOrder }], actions: [pct(10)] },
    { conditions: [{ code: R.firstOrder }], actions: [{ code: 'free_shipping' }] },
    {
        conditions: [{ code: R.volumeTier, args: { basis: 'quantity', tiers: ['3:5', '5:10', '10:15'] } }],
        actions: [{ code: R.tieredDiscount, args: { maxDiscount: 0 } }],
    },
    {
        conditions: [{ code: R.volumeTier, args: { basis: 'amount', tiers: ['10000000:3', '50000000:6'] } }],
        actions: [{ code: R.tieredDiscount, args: { maxDiscount: 5_000_000 } }],
    },
    {
        conditions: [{ code: R.weeklyWindow, args: { days: ['thu', 'fri'], from: '18:00', to: '23:59' } }],
        actions: [pct(5)],
    },
    {
        conditions: [
            { code: R.weeklyWindow, args: { days: ['sat', 'sun', 'mon'], from: '22:00', to: '02:00' } },
        ],
        actions: [pct(3)],
    },
    {
        conditions: [
            {
                code: R.weeklyWindow,
                args: { days: ['sat', 'sun', 'mon', 'tue', 'wed', 'thu', 'fri'], from: '00:00', to: '00:00' },
            },
        ],
        actions: [pct(2)],
    },
    {
        conditions: [{ code: R.jalaliPeriod, args: { from: '1405/01/01', to: '1405/12/29' } }],
        actions: [pct(2)],
    },
    {
        conditions: [{ code: R.jalaliPeriod, args: { from: '1406/01/01', to: '1406/01/13' } }],
        actions: [pct(10)],
    },
    {
        conditions: [{ code: R.everyNItems, args: { n: 3 } }],
        actions: [{ code: R.cheapestItem, args: { discount: 100 } }],
    },
    {
        conditions: [{ code: R.everyNItems, args: { n: 2 } }],
        actions: [{ code: R.cheapestItem, args: { discount: 30 } }],
    },
    {
        conditions: [{ code: R.shippingRegion, args: { provinces: ['IR-23'], cities: [] } }],
        actions: [pct(4)],
    },
    {
        conditions: [
            { code: R.shippingRegion, args: { provinces: ['تهران', 'Gilan'], cities: [] } },
            { code: 'minimum_order_amount', args: { amount: fromRial(20_000_000), taxInclusive: true } },
        ],
        actions: [{ code: 'free_shipping' }],
    },
    {
        conditions: [{ code: R.shippingRegion, args: { provinces: ['اصفهان'], cities: ['کاشان'] } }],
        actions: [pct(8)],
    },
    {
        conditions: [always],
        actions: [{ code: R.cappedPercentage, args: { discount: 20, maxDiscount: fromRial(5_000_000) } }],
    },
    { conditions: [{ code: R.usageLimitPerMobile, args: { limit: 1 } }], actions: [pct(5)] },
    {
        conditions: [{ code: R.usageLimitPerMobile, args: { limit: 3 } }],
        actions: [{ code: 'free_shipping' }],
    },
    { conditions: [{ code: R.exclusive }, always], actions: [pct(12)] },
    {
        conditions: [{ code: R.exclusive }, { code: R.firstOrder }],
        actions: [{ code: R.cappedPercentage, args: { discount: 25, maxDiscount: 8_000_000 } }],
    },
    { conditions: [always], actions: [pct(1)] },
];

const ADD_ITEM = gql`
    mutation ($variantId: ID!, $quantity: Int!) {
        addItemToOrder(productVariantId: $variantId, quantity: $quantity) {
            ... on Order {
                totalWithTax
            }
            ... on ErrorResult {
                errorCode
            }
        }
    }
`;

const SET_CUSTOMER_AND_ADDRESS = gql`
    mutation ($customer: CreateCustomerInput!, $address: CreateAddressInput!) {
        setCustomerForOrder(input: $customer) {
            ... on Order {
                id
            }
        }
        setOrderShippingAddress(input: $address) {
            ... on Order {
                id
            }
        }
    }
`;

/** One shopper's cart: three `addItemToOrder` calls, the last two after customer and address are known. */
async function cart(t: TestShop, variantIds: string[], n: number): Promise<number[]> {
    const client: SimpleGraphQLClient = t.newShopClient();
    const timings: number[] = [];
    const add = async (variantId: string, quantity: number) => {
        const started = process.hrtime.bigint();
        const res = await client.query(ADD_ITEM, { variantId, quantity });
        timings.push(Number(process.hrtime.bigint() - started) / 1e6);
        if (res.addItemToOrder.errorCode) {
            throw new Error(res.addItemToOrder.errorCode);
        }
    };
    await add(variantIds[n % variantIds.length], 1);
    const phone = `0912${String(7000000 + n)}`;
    await client.query(SET_CUSTOMER_AND_ADDRESS, {
        customer: {
            emailAddress: `bench${n}@example.ir`,
            firstName: 'بنچ',
            lastName: 'مارک',
            phoneNumber: phone,
        },
        address: {
            streetLine1: 'خیابان انقلاب',
            city: 'تهران',
            province: 'تهران',
            countryCode: 'IR',
            phoneNumber: phone,
        },
    });
    await add(variantIds[(n + 1) % variantIds.length], 2);
    await add(variantIds[(n + 2) % variantIds.length], 1);
    return timings;
}

function stats(ms: number[]): { mean: number; p50: number; p95: number } {
    const sorted = [...ms].sort((a, b) => a - b);
    const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
    return { mean: ms.reduce((s, x) => s + x, 0) / ms.length, p50: at(0.5), p95: at(0.95) };
}

async function main(): Promise<void> {
    const t = await createTestShop();
    try {
        const { products } = await t.shop.query(gql`
            query {
                products(options: { take: 20 }) {
                    items {
                        variants {
                            id
                        }
                    }
                }
            }
        `);
        const variantIds: string[] = products.items.map(
            (p: { variants: Array<{ id: string }> }) => p.variants[0].id,
        );
        const builtin = Array.from({ length: 20 }, () => ({ conditions: [always], actions: [pct(1)] }));
        const ids: string[] = [];
        for (const [i, p] of [...PROMOTIONS, ...builtin].entries()) {
            const { createPromotion } = await t.admin.query(
                gql`
                    mutation ($input: CreatePromotionInput!) {
                        createPromotion(input: $input) {
                            ... on Promotion {
                                id
                            }
                            ... on ErrorResult {
                                message
                            }
                        }
                    }
                `,
                {
                    input: {
                        enabled: false,
                        conditions: p.conditions.map(toInput),
                        actions: p.actions.map(toInput),
                        translations: [{ languageCode: LanguageCode.en, name: `bench ${i + 1}` }],
                    },
                },
            );
            if (!createPromotion.id) {
                throw new Error(`Promotion ${i + 1}: ${createPromotion.message}`);
            }
            ids.push(createPromotion.id);
        }
        const rulesIds = ids.slice(0, PROMOTIONS.length);
        const builtinIds = ids.slice(PROMOTIONS.length);
        const setEnabled = async (enabledIds: string[]) => {
            for (const id of ids) {
                const enabled = enabledIds.includes(id);
                await t.admin.query(
                    gql`
                        mutation ($input: UpdatePromotionInput!) {
                            updatePromotion(input: $input) {
                                ... on Promotion {
                                    id
                                }
                            }
                        }
                    `,
                    { input: { id, enabled } },
                );
            }
        };
        let n = 0;
        const settings = { none: [] as string[], builtin: builtinIds, rules: rulesIds };
        const samples = { none: [] as number[], builtin: [] as number[], rules: [] as number[] };
        for (let i = 0; i < WARMUP_CARTS; i++) {
            await cart(t, variantIds, n++);
        }
        for (let round = 0; round < ROUNDS; round++) {
            for (const setting of ['none', 'builtin', 'rules'] as const) {
                await setEnabled(settings[setting]);
                for (let i = 0; i < CARTS_PER_ROUND; i++) {
                    samples[setting].push(...(await cart(t, variantIds, n++)));
                }
            }
        }
        const none = stats(samples.none);
        const f = (x: number) => x.toFixed(1);
        console.log(`profile: ${testProfile()}, ${samples.none.length} addItemToOrder calls per setting`);
        console.log('| active promotions | mean ms | p50 ms | p95 ms | mean / none | p50 / none |');
        console.log('|---|---|---|---|---|---|');
        const rows = [
            ['none', samples.none],
            ['20 built-in (min. amount 0, 1% off)', samples.builtin],
            ['20 discount-rules promotions', samples.rules],
        ] as const;
        for (const [label, ms] of rows) {
            const s = stats(ms);
            console.log(
                `| ${label} | ${f(s.mean)} | ${f(s.p50)} | ${f(s.p95)} | ${(s.mean / none.mean).toFixed(2)} | ${(s.p50 / none.p50).toFixed(2)} |`,
            );
        }
        console.log('target: 20 discount-rules promotions / none <= 1.3');
    } finally {
        await t.close();
    }
}

function toInput(rule: Rule) {
    return {
        code: rule.code,
        arguments: Object.entries(rule.args ?? {}).map(([name, value]) => ({
            name,
            value: Array.isArray(value) ? JSON.stringify(value) : String(value),
        })),
    };
}

main().catch(e => {
    console.error(e);
    process.exit(1);
});
