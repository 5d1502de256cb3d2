import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { CacheService } from '@vendure/core';
import { SimpleGraphQLClient } from '@vendure/testing';
import gql from 'graphql-tag';

import { fromRial } from '../../src/iran/money';
import { PROJECT_ROOT } from '../../src/paths';
import { waitForPostexPlaces } from '../../plugins/postex-shipping/testing';
import { createTestShop, TestShop, testProfile } from '../../src/testing/test-shop';

/**
 * `npm run bench:shipping`: latency of `eligibleShippingMethods` for one unchanged cart, with only the flat-rate
 * method eligible vs only the Postex method eligible (warm quote cache), in one run on one server, then the Postex
 * method with a cold cache (every request calls the in-process simulator). Writes docs/benchmarks.md.
 * Sequential interleaved requests from two carts: latency, not throughput. Env: BENCH_N (default 1000 pairs).
 */
const N = Number(process.env.BENCH_N ?? 1000);
const WARMUP = 30;
/** Flat-rate is offered from this subtotal (10,000,000 Rial, in money units), so the cheap cart only sees Postex. */
const FLAT_MINIMUM = fromRial(10_000_000);
const COLD_N = Math.max(50, Math.floor(N / 4));

const ELIGIBLE = gql`
    query {
        eligibleShippingMethods {
            id
            code
            priceWithTax
            metadata
        }
    }
`;

async function main(): Promise<void> {
    const t = await createTestShop();
    try {
        await waitForPostexPlaces(t.shop);
        const { products } = await t.shop.query(gql`
            {
                products(options: { take: 100 }) {
                    items {
                        variants {
                            id
                            priceWithTax
                        }
                    }
                }
            }
        `);
        const variants: Array<{ id: string; priceWithTax: number }> = products.items.map(
            (p: { variants: Array<{ id: string; priceWithTax: number }> }) => p.variants[0],
        );
        const expensive = variants.find(v => v.priceWithTax >= FLAT_MINIMUM)!;
        const cheap = variants.find(v => v.priceWithTax < FLAT_MINIMUM)!;
        // Only flat-rate is eligible for cart F (expensive, a city Postex does not serve); only Postex for cart P.
        const flatCart = await shopper(t, expensive.id, 'آتلانتیس');
        const postexCart = await shopper(t, cheap.id, 'تهران');
        await setFlatRateMinimum(t, FLAT_MINIMUM);

        const flat: number[] = [];
        const postex: number[] = [];
        for (let i = 0; i < WARMUP + N; i++) {
            const f = await timed(flatCart, 'flat-rate');
            const p = await timed(postexCart, 'postex', i >= WARMUP ? 'cache' : undefined);
            if (i >= WARMUP) {
                flat.push(f);
                postex.push(p);
            }
        }
        const callsBefore = t.simulators.postex.faults.callsTo('/shipping/quotes').length;
        const cold: number[] = [];
        const cache = t.server.app.get(CacheService);
        for (let i = 0; i < COLD_N; i++) {
            await cache.invalidateTags(['postex-quote']);
            cold.push(await timed(postexCart, 'postex', 'postex'));
        }
        const coldCalls = t.simulators.postex.faults.callsTo('/shipping/quotes').length - callsBefore;

        const rows = [
            row('flat-rate (Vendure default calculator)', flat),
            row('postex, warm cache', postex),
            row('postex, cold cache (simulator call each time)', cold),
        ];
        const ratio50 = pct(postex, 50) / pct(flat, 50);
        const ratio99 = pct(postex, 99) / pct(flat, 99);
        const profile =
            testProfile() === 'postgres' ? 'PostgreSQL + Redis cache' : 'SQLite + in-memory cache';
        const section = [
            `### ${profile}`,
            '',
            `\`${testProfile() === 'postgres' ? 'DATABASE_URL=postgresql://... REDIS_URL=redis://... ' : ''}npm run bench:shipping\`` +
                ` (\`BENCH_N=${N}\`), ${new Date().toISOString().slice(0, 16)}Z, Node ${process.version}, ` +
                `${os.cpus().length} cores shared with other work. Cold: ${coldCalls} simulator calls for ${COLD_N} requests.`,
            '',
            '| scenario | n | p50 (ms) | p90 (ms) | p99 (ms) |',
            '|---|---|---|---|---|',
            ...rows,
            '',
            `Warm Postex / flat-rate: p50 ratio **${ratio50.toFixed(2)}**, p99 ratio **${ratio99.toFixed(2)}** (target <= 1.2).`,
            '',
        ].join('\n');
        console.log(section);
        writeSection(`### ${profile}`, section);
    } finally {
        await t.close();
    }
}

async function shopper(t: TestShop, variantId: string, city: string): Promise<SimpleGraphQLClient> {
    const client = t.newShopClient();
    await client.query(
        gql`
            mutation ($id: ID!) {
                addItemToOrder(productVariantId: $id, quantity: 1) {
                    ... on Order {
                        id
                    }
                }
            }
        `,
        { id: variantId },
    );
    await client.query(
        gql`
            mutation ($input: CreateAddressInput!) {
                setOrderShippingAddress(input: $input) {
                    ... on Order {
                        id
                    }
                }
            }
        `,
        {
            input: {
                fullName: 'بنچمارک',
                streetLine1: 'خیابان انقلاب',
                city,
                province: 'تهران',
                postalCode: '1234567890',
                countryCode: 'IR',
            },
        },
    );
    return client;
}

async function setFlatRateMinimum(t: TestShop, minimum: number): Promise<void> {
    const { shippingMethods } = await t.admin.query(gql`
        {
            shippingMethods {
                items {
                    id
                    code
                }
            }
        }
    `);
    const flat = shippingMethods.items.find((m: { code: string }) => m.code === 'flat-rate');
    await t.admin.query(
        gql`
            mutation ($input: UpdateShippingMethodInput!) {
                updateShippingMethod(input: $input) {
                    id
                }
            }
        `,
        {
            input: {
                id: flat.id,
                checker: {
                    code: 'default-shipping-eligibility-checker',
                    arguments: [{ name: 'orderMinimum', value: String(minimum) }],
                },
                translations: [],
            },
        },
    );
}

/** One `eligibleShippingMethods` request; checks that only `code` is offered (and where its price came from). */
async function timed(client: SimpleGraphQLClient, code: string, expectedSource?: string): Promise<number> {
    const started = performance.now();
    const { eligibleShippingMethods } = await client.query(ELIGIBLE);
    const elapsed = performance.now() - started;
    const codes = eligibleShippingMethods.map((m: { code: string }) => m.code);
    if (codes.length !== 1 || codes[0] !== code) {
        throw new Error(`Expected only ${code}, got ${codes.join(', ')}`);
    }
    const source = eligibleShippingMethods[0].metadata?.source;
    if (expectedSource && source !== expectedSource) {
        throw new Error(`Expected a Postex quote from ${expectedSource}, got ${source}`);
    }
    return elapsed;
}

function pct(values: number[], p: number): number {
    const sorted = [...values].sort((a, b) => a - b);
    return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

function row(name: string, values: number[]): string {
    return `| ${name} | ${values.length} | ${pct(values, 50).toFixed(2)} | ${pct(values, 90).toFixed(2)} | ${pct(values, 99).toFixed(2)} |`;
}

const INTRO = [
    '## Shipping (bench:shipping)',
    '',
    'Latency of `eligibleShippingMethods` for two unchanged one-item carts on one server (the e2e harness: real server,',
    'in-process Postex simulator), requests sequential and interleaved (F, P, F, P, ...) so machine noise hits both alike:',
    'cart F sees only the flat-rate method (Vendure default calculator; its address is in a city Postex does not serve),',
    'cart P only the Postex method (subtotal below the flat-rate minimum), warm quote cache. Cold: the quote cache is',
    'emptied before every request, so each one calls the simulator (in-process, so the call is cheap); it runs after',
    'the interleaved phase, under whatever load the machine then has. 30 warm-up pairs are not counted. The machine has',
    '2 cores shared with other work: absolute numbers are noisy, compare the ratios of one run.',
    '',
].join('\n');

/** Rewrites this profile's subsection of `## Shipping (bench:shipping)` in docs/benchmarks.md, keeping the rest. */
function writeSection(subheading: string, subsection: string): void {
    const file = path.join(PROJECT_ROOT, 'docs', 'benchmarks.md');
    fs.mkdirSync(path.dirname(file), { recursive: true });
    const current = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : '# Benchmarks\n';
    const heading = '## Shipping (bench:shipping)';
    const start = current.indexOf(heading);
    const end = start === -1 ? -1 : current.indexOf('\n## ', start + heading.length);
    const before = start === -1 ? `${current.trimEnd()}\n\n` : current.slice(0, start);
    const after = end === -1 ? '' : current.slice(end + 1);
    const old = start === -1 ? '' : current.slice(start, end === -1 ? undefined : end + 1);
    const subsections = new Map<string, string>();
    for (const part of old.split(/\n(?=### )/).slice(1)) {
        subsections.set(part.split('\n')[0], `${part.trimEnd()}\n`);
    }
    subsections.set(subheading, subsection);
    const body = [...subsections.keys()]
        .sort()
        .map(k => subsections.get(k))
        .join('\n');
    fs.writeFileSync(file, `${before}${INTRO}\n${body}${after ? `\n${after}` : ''}`);
}

main()
    // Connections of the closed server (Redis, pg pool) may still hold the event loop open for a while.
    .then(() => process.exit(0))
    .catch(e => {
        console.error(e);
        process.exit(1);
    });
