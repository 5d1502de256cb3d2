import { VendureConfig } from '@vendure/core';
import gql from 'graphql-tag';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import {
    createTestShop,
    SecondInstance,
    startSecondInstance,
    TestShop,
    testProfile,
    waitFor,
} from '../../../src/testing/test-shop';
import { MetricsService } from '../../../src/metrics/metrics.plugin';
import { parseExposition, sampleValue } from '../../../test/metrics-helpers';
import { ShopResponseCacheService } from '../service/shop-response-cache.service';
import { ShopResponseCacheStats } from '../types';

/**
 * The anonymous catalog response cache through the Shop API, with the Admin API changing the catalog. On PostgreSQL
 * + Redis two server instances share the database and Redis: a change made through one is visible at the next read
 * on both. The cache's own max age is an hour here, so only invalidation can make a test see a change.
 */
const clustered = testProfile() === 'postgres' && !!process.env.REDIS_URL;
const MAX_ENTRIES = 200;

interface Answer {
    status: number;
    headers: Headers;
    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- answers of many shapes, read field by field
    body: { data?: Record<string, any> | null; errors?: Array<{ message: string }> };
}

async function shopRequest(
    baseUrl: string,
    query: string,
    variables: Record<string, unknown> = {},
    options: { headers?: Record<string, string>; params?: string; method?: 'GET' | 'POST' } = {},
): Promise<Answer> {
    const params = options.params ? `?${options.params}` : '';
    let res: Response;
    if (options.method === 'GET') {
        const search = new URLSearchParams({ query, variables: JSON.stringify(variables) });
        res = await fetch(`${baseUrl}/shop-api?${search}${options.params ? `&${options.params}` : ''}`, {
            headers: options.headers,
        });
    } else {
        res = await fetch(`${baseUrl}/shop-api${params}`, {
            method: 'POST',
            headers: { 'content-type': 'application/json', ...options.headers },
            body: JSON.stringify({ query, variables }),
        });
    }
    const text = await res.text();
    return {
        status: res.status,
        headers: res.headers,
        body: text ? (JSON.parse(text) as Answer['body']) : {},
    };
}

const PRODUCT = `query Product($slug: String!) {
    product(slug: $slug) { id name enabled variants { id price priceWithTax stockLevel } }
}`;
const PRODUCTS = `query Products($take: Int) {
    products(options: { take: $take, sort: { id: ASC } }) { totalItems items { id slug name } }
}`;
const COLLECTION = `query Collection($slug: String!) {
    collection(slug: $slug) { id productVariants(options: { sort: { id: ASC } }) { items { id } } }
}`;

const UPDATE_VARIANTS = gql`
    mutation UpdateVariants($input: [UpdateProductVariantInput!]!) {
        updateProductVariants(input: $input) {
            id
            price
            stockOnHand
        }
    }
`;
const UPDATE_PRODUCT = gql`
    mutation UpdateProduct($input: UpdateProductInput!) {
        updateProduct(input: $input) {
            id
            enabled
        }
    }
`;

describe(`shop response cache (${testProfile()}${clustered ? ', two server instances' : ''})`, () => {
    let t: TestShop;
    let second: SecondInstance | undefined;
    let instances: string[];
    let products: Array<{ id: string; slug: string; name: string }>;

    const stats = (): ShopResponseCacheStats => t.server.app.get(ShopResponseCacheService).snapshot();
    const productOn = async (baseUrl: string, slug: string, params?: string) =>
        (await shopRequest(baseUrl, PRODUCT, { slug }, { params })).body.data!.product as {
            id: string;
            name: string;
            variants: Array<{ id: string; price: number; priceWithTax: number; stockLevel: string }>;
        } | null;

    /** Adds the product's first variant to a new anonymous cart; the answer carries the new session's token. */
    const startAnonymousCart = async (slug: string) => {
        const variantId = (await productOn(t.baseUrl, slug))!.variants[0].id;
        return fetch(`${t.baseUrl}/shop-api`, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify({
                query: `mutation { addItemToOrder(productVariantId: "${variantId}", quantity: 1) { ... on Order { code } } }`,
            }),
        });
    };

    /**
     * Background jobs (the search index after the seed or a test's change) invalidate, on whichever instance runs
     * them (the generation is shared through Redis): wait until no instance has invalidated for a second.
     */
    const quiet = async () => {
        const invalidations = () =>
            [t.server.app, ...(second ? [second.server.app] : [])]
                .map(app => app.get(ShopResponseCacheService).snapshot().invalidations)
                .join(',');
        let last = '';
        await waitFor(
            async () => {
                const now = invalidations();
                const still = now === last;
                last = now;
                await new Promise(r => setTimeout(r, 1_000));
                return still;
            },
            60_000,
            'no invalidation on any instance for a second',
        );
    };

    beforeAll(async () => {
        // Vendure keeps the list of channels per process and refreshes it after channelCacheTtl (30 s by default):
        // another instance only knows a new channel after that, with or without this cache. Short here.
        const shortChannelCache = (config: VendureConfig) => ({
            ...config,
            entityOptions: { ...config.entityOptions, channelCacheTtl: 1_000 },
        });
        t = await createTestShop({
            env: {
                SHOP_RESPONSE_CACHE_MAX_AGE: '3600',
                SHOP_RESPONSE_CACHE_MAX_ENTRIES: String(MAX_ENTRIES),
                METRICS_PORT: '0',
            },
            adjustConfig: shortChannelCache,
        });
        if (clustered) {
            second = await startSecondInstance(t, shortChannelCache);
        }
        instances = [t.baseUrl, ...(second ? [second.baseUrl] : [])];
        products = (await shopRequest(t.baseUrl, PRODUCTS, { take: 20 })).body.data!.products.items;
        expect(products.length).toBeGreaterThanOrEqual(8);
        await quiet();
    });

    afterAll(async () => {
        await second?.server.close();
        await t?.close();
    });

    it('answers a repeated anonymous catalog query from the cache, with an ETag, public Cache-Control and 304', async () => {
        const before = stats();
        const first = await shopRequest(t.baseUrl, PRODUCTS, { take: 5 });
        const again = await shopRequest(t.baseUrl, PRODUCTS, { take: 5 });
        expect(again.body).toEqual(first.body);
        expect(stats().hits.local).toBe(before.hits.local + 1);
        const etag = again.headers.get('etag');
        expect(etag).toMatch(/^"[\w-]{32}"$/);
        expect(first.headers.get('etag')).toBe(etag);
        expect(again.headers.get('cache-control')).toBe('public, max-age=0, must-revalidate');
        expect(again.headers.get('vary')).toContain('Authorization');
        const notModified = await shopRequest(
            t.baseUrl,
            PRODUCTS,
            { take: 5 },
            { headers: { 'if-none-match': etag! } },
        );
        expect(notModified.status).toBe(304);
        expect(notModified.headers.get('etag')).toBe(etag);
        expect(stats().hits.notModified).toBe(before.hits.notModified + 1);
        // A hit is answered before Nest's CORS middleware: it applies the same CORS rules itself.
        const hits = stats().hits.local;
        const fromStorefront = await shopRequest(
            t.baseUrl,
            PRODUCTS,
            { take: 5 },
            { headers: { origin: t.baseUrl } },
        );
        expect(fromStorefront.headers.get('access-control-allow-origin')).toBe(t.baseUrl);
        expect(fromStorefront.headers.get('access-control-allow-credentials')).toBe('true');
        const elsewhere = await shopRequest(
            t.baseUrl,
            PRODUCTS,
            { take: 5 },
            { headers: { origin: 'https://evil.example' } },
        );
        expect(elsewhere.headers.get('access-control-allow-origin')).toBeNull();
        expect(stats().hits.local).toBe(hits + 2);
    });

    /** Reads the product's price on every instance (cached there and in Redis), changes it, reads it again. */
    const changePriceAndReadEverywhere = async (slug: string, increase: number) => {
        const variant = (await productOn(t.baseUrl, slug))!.variants[0];
        for (const url of instances) {
            expect((await productOn(url, slug))!.variants[0].priceWithTax).toBe(variant.priceWithTax);
        }
        // The channel's prices include tax: the price set is the one shown (priceWithTax).
        const newPrice = variant.priceWithTax + increase;
        await t.admin.query(UPDATE_VARIANTS, { input: [{ id: variant.id, price: newPrice }] });
        for (const url of instances) {
            expect((await productOn(url, slug))!.variants[0].priceWithTax).toBe(newPrice);
        }
    };

    it('a price changed in the Admin API is visible at the next shop read on every instance', async () => {
        await changePriceAndReadEverywhere(products[0].slug, 1_000_00);
    });

    it('the API call that changed the catalog answers only after its invalidation (held-back events do not matter)', async () => {
        // Invalidations by events and jobs may come after the mutation's response; hold them back for 3 s, so only
        // the invalidation made before the response can make the next read fresh.
        const services = [t.server.app, ...(second ? [second.server.app] : [])].map(app =>
            app.get(ShopResponseCacheService),
        );
        const originals = services.map(service => service.invalidate.bind(service));
        services.forEach((service, i) => {
            service.invalidate = async source => {
                if (source !== 'request') {
                    await new Promise(r => setTimeout(r, 3_000));
                }
                return originals[i](source);
            };
        });
        try {
            await changePriceAndReadEverywhere(products[2].slug, 7_000_00);
        } finally {
            services.forEach((service, i) => (service.invalidate = originals[i]));
        }
    });

    it('a disabled product disappears at the next read, from its page and from the list', async () => {
        const target = products[1];
        const list = async (url: string) =>
            (
                (await shopRequest(url, PRODUCTS, { take: 20 })).body.data!.products.items as typeof products
            ).map(p => p.id);
        for (const url of instances) {
            expect(await productOn(url, target.slug)).not.toBeNull();
            expect(await list(url)).toContain(target.id);
        }
        await t.admin.query(UPDATE_PRODUCT, { input: { id: target.id, enabled: false } });
        for (const url of instances) {
            expect(await productOn(url, target.slug)).toBeNull();
            expect(await list(url)).not.toContain(target.id);
        }
        await t.admin.query(UPDATE_PRODUCT, { input: { id: target.id, enabled: true } });
        expect(await productOn(instances.at(-1)!, target.slug)).not.toBeNull();
    });

    it('stock running out shows OUT_OF_STOCK at the next read', async () => {
        const slug = products[2].slug;
        const variant = (await productOn(t.baseUrl, slug))!.variants[0];
        await t.admin.query(UPDATE_VARIANTS, {
            input: [{ id: variant.id, trackInventory: 'TRUE', stockOnHand: 5 }],
        });
        for (const url of instances) {
            expect((await productOn(url, slug))!.variants[0].stockLevel).toBe('IN_STOCK');
            expect((await productOn(url, slug))!.variants[0].stockLevel).toBe('IN_STOCK');
        }
        await t.admin.query(UPDATE_VARIANTS, { input: [{ id: variant.id, stockOnHand: 0 }] });
        for (const url of instances) {
            expect((await productOn(url, slug))!.variants[0].stockLevel).toBe('OUT_OF_STOCK');
        }
    });

    it('collection contents changed by the filter job are visible once the job has run', async () => {
        const [a, b] = [products[3], products[4]];
        const variantIds = async (productId: string) =>
            (await productOn(t.baseUrl, products.find(p => p.id === productId)!.slug))!.variants.map(
                v => v.id,
            );
        const filter = (id: string) => [
            {
                code: 'product-id-filter',
                arguments: [
                    { name: 'productIds', value: JSON.stringify([id]) },
                    { name: 'combineWithAnd', value: 'false' },
                ],
            },
        ];
        const { createCollection } = await t.admin.query(
            gql`
                mutation ($input: CreateCollectionInput!) {
                    createCollection(input: $input) {
                        id
                        slug
                    }
                }
            `,
            {
                input: {
                    isPrivate: false,
                    filters: filter(a.id),
                    translations: [
                        { languageCode: 'fa', name: 'مجموعه آزمایشی', slug: 'cache-test', description: '' },
                    ],
                },
            },
        );
        const contents = async (url: string) =>
            ((await shopRequest(url, COLLECTION, { slug: createCollection.slug })).body.data!.collection
                ?.productVariants.items ?? []) as Array<{ id: string }>;
        const expectA = await variantIds(a.id);
        for (const url of instances) {
            await waitFor(
                async () => JSON.stringify((await contents(url)).map(v => v.id)) === JSON.stringify(expectA),
                30_000,
                `collection with product ${a.id} on ${url}`,
            );
        }
        await t.admin.query(
            gql`
                mutation ($input: UpdateCollectionInput!) {
                    updateCollection(input: $input) {
                        id
                    }
                }
            `,
            { input: { id: createCollection.id, filters: filter(b.id) } },
        );
        const expectB = await variantIds(b.id);
        for (const url of instances) {
            await waitFor(
                async () => JSON.stringify((await contents(url)).map(v => v.id)) === JSON.stringify(expectB),
                30_000,
                `collection with product ${b.id} on ${url}`,
            );
        }
    });

    it('keys never mix languages: a new translation shows for its language only', async () => {
        const target = products[5];
        const fa = (await productOn(t.baseUrl, target.slug))!.name;
        const en = (await productOn(t.baseUrl, target.slug, 'languageCode=en'))!.name;
        expect(en).not.toBe(fa);
        // Cached: still apart.
        expect((await productOn(t.baseUrl, target.slug))!.name).toBe(fa);
        expect((await productOn(t.baseUrl, target.slug, 'languageCode=en'))!.name).toBe(en);
        // The default language asked for by name shares the answer without a language.
        expect((await productOn(t.baseUrl, target.slug, 'languageCode=fa'))!.name).toBe(fa);
        // A language without a translation falls back to the default; then it gets one.
        expect((await productOn(t.baseUrl, target.slug, 'languageCode=ar'))!.name).toBe(fa);
        await t.admin.query(UPDATE_PRODUCT, {
            input: {
                id: target.id,
                translations: [
                    { languageCode: 'ar', name: 'منتج تجريبي', slug: target.slug, description: '' },
                ],
            },
        });
        for (const url of instances) {
            expect((await productOn(url, target.slug, 'languageCode=ar'))!.name).toBe('منتج تجريبي');
            expect((await productOn(url, target.slug))!.name).toBe(fa);
            expect((await productOn(url, target.slug, 'languageCode=en'))!.name).toBe(en);
        }
    });

    it('keys never mix channels: a new channel answers with its own products', async () => {
        const { channels } = await t.admin.query(gql`
            query {
                channels {
                    items {
                        id
                        code
                        defaultTaxZone {
                            id
                        }
                        defaultShippingZone {
                            id
                        }
                    }
                }
            }
        `);
        const base = channels.items[0];
        const all = (await shopRequest(t.baseUrl, PRODUCTS, { take: 100 })).body.data!.products
            .totalItems as number;
        const { createChannel } = await t.admin.query(
            gql`
                mutation ($input: CreateChannelInput!) {
                    createChannel(input: $input) {
                        ... on Channel {
                            id
                            token
                        }
                    }
                }
            `,
            {
                input: {
                    code: 'cache-second',
                    token: 'cache-second-token',
                    defaultLanguageCode: 'fa',
                    availableLanguageCodes: ['fa'],
                    pricesIncludeTax: true,
                    defaultCurrencyCode: 'IRR',
                    availableCurrencyCodes: ['IRR'],
                    defaultTaxZoneId: base.defaultTaxZone.id,
                    defaultShippingZoneId: base.defaultShippingZone.id,
                },
            },
        );
        const inChannel = (url: string) =>
            shopRequest(url, PRODUCTS, { take: 100 }, { headers: { 'vendure-token': 'cache-second-token' } });
        for (const url of instances) {
            // Until an instance's channel list knows the new token, Vendure answers as the default channel (and so
            // does the cache: the key holds the channel Vendure resolved). Then the channel's own (empty) answer.
            await waitFor(
                async () => (await inChannel(url)).body.data?.products.totalItems === 0,
                20_000,
                `the new channel known on ${url}`,
            );
        }
        await t.admin.query(
            gql`
                mutation ($input: AssignProductsToChannelInput!) {
                    assignProductsToChannel(input: $input) {
                        id
                    }
                }
            `,
            { input: { channelId: createChannel.id, productIds: [products[6].id] } },
        );
        for (const url of instances) {
            const answer = await inChannel(url);
            expect(answer.body.data!.products.items.map((p: { id: string }) => p.id)).toEqual([
                products[6].id,
            ]);
            expect((await shopRequest(url, PRODUCTS, { take: 100 })).body.data!.products.totalItems).toBe(
                all,
            );
        }
        // An unknown channel token is an error, never another channel's answer, and it is not stored.
        const unknown = await shopRequest(
            t.baseUrl,
            PRODUCTS,
            { take: 100 },
            { headers: { 'vendure-token': 'nope' } },
        );
        expect(unknown.body.data?.products).toBeFalsy();
    });

    it('reads in flight during an invalidation never leave a stale answer behind', async () => {
        const slug = products[7].slug;
        const variant = (await productOn(t.baseUrl, slug))!.variants[0];
        let price = variant.priceWithTax;
        for (let round = 0; round < 4; round++) {
            price += 1_00;
            const reads = Array.from({ length: 24 }, (_, i) =>
                productOn(instances[i % instances.length], slug),
            );
            // The mutation starts while the reads are running (some before, some after its commit).
            await new Promise(r => setTimeout(r, 5 * round));
            await t.admin.query(UPDATE_VARIANTS, { input: [{ id: variant.id, price }] });
            const after = await Promise.all(
                instances.map(async url => (await productOn(url, slug))!.variants[0].priceWithTax),
            );
            expect(after).toEqual(instances.map(() => price));
            await Promise.all(reads);
            // The reads that began before the change have finished (and stored what they read): still fresh.
            for (const url of instances) {
                expect((await productOn(url, slug))!.variants[0].priceWithTax).toBe(price);
                expect((await productOn(url, slug))!.variants[0].priceWithTax).toBe(price);
            }
        }
    });

    it("a logged-in shopper's catalog reads, active order and customer are never cached", async () => {
        const email = 'cache-shopper@example.ir';
        await t.admin.query(
            gql`
                mutation ($input: CreateCustomerInput!, $password: String!) {
                    createCustomer(input: $input, password: $password) {
                        ... on Customer {
                            id
                        }
                    }
                }
            `,
            {
                input: { emailAddress: email, firstName: 'Cache', lastName: 'Test' },
                password: 'secret-123456',
            },
        );
        const login = await fetch(`${t.baseUrl}/shop-api`, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify({
                query: `mutation { login(username: "${email}", password: "secret-123456") { ... on CurrentUser { id } } }`,
            }),
        });
        const token = login.headers.get('vendure-auth-token')!;
        expect(token).toBeTruthy();
        const auth = { authorization: `Bearer ${token}` };
        const variantId = (await productOn(t.baseUrl, products[0].slug))!.variants[0].id;
        const before = stats();
        const catalog = await shopRequest(t.baseUrl, PRODUCTS, { take: 3 }, { headers: auth });
        const catalogAgain = await shopRequest(t.baseUrl, PRODUCTS, { take: 3 }, { headers: auth });
        expect(catalogAgain.body.data).toEqual(catalog.body.data);
        expect(catalogAgain.headers.get('cache-control')).toBe('private, no-store');
        expect(catalogAgain.headers.get('etag') ?? '').not.toMatch(/^"/);
        const ACTIVE = `query { activeOrder { totalQuantity } activeCustomer { emailAddress } }`;
        const ADD = `mutation ($id: ID!, $q: Int!) { addItemToOrder(productVariantId: $id, quantity: $q) { ... on Order { totalQuantity } } }`;
        for (const quantity of [1, 2]) {
            await shopRequest(t.baseUrl, ADD, { id: variantId, q: 1 }, { headers: auth });
            const active = await shopRequest(t.baseUrl, ACTIVE, {}, { headers: auth });
            expect(active.body.data!.activeOrder.totalQuantity).toBe(quantity);
            expect(active.body.data!.activeCustomer.emailAddress).toBe(email);
            expect(active.headers.get('cache-control')).toBe('private, no-store');
        }
        const after = stats();
        expect(after.bypass.authenticated).toBe(before.bypass.authenticated + 2);
        expect(after.bypass.not_allowed).toBe(before.bypass.not_allowed + 2);
        expect(after.bypass.not_query).toBe(before.bypass.not_query + 2);
        expect(after.hits.local + after.hits.shared).toBe(before.hits.local + before.hits.shared);
        expect(after.stored).toBe(before.stored);
    });

    it('an anonymous session with a cart reads the catalog through the cache, its order never', async () => {
        const add = await startAnonymousCart(products[0].slug);
        const auth = { authorization: `Bearer ${add.headers.get('vendure-auth-token')}` };
        await quiet();
        await shopRequest(t.baseUrl, PRODUCTS, { take: 4 });
        const before = stats();
        const catalog = await shopRequest(t.baseUrl, PRODUCTS, { take: 4 }, { headers: auth });
        expect(catalog.headers.get('cache-control')).toContain('public');
        expect(stats().hits.local).toBe(before.hits.local + 1);
        const order = await shopRequest(
            t.baseUrl,
            `query { activeOrder { totalQuantity } }`,
            {},
            { headers: auth },
        );
        expect(order.body.data!.activeOrder.totalQuantity).toBe(1);
        expect(order.headers.get('cache-control')).toBe('private, no-store');
    });

    it('a hit answered before Express (no credentials) looks like one answered through Express', async () => {
        const add = await startAnonymousCart(products[1].slug);
        // An anonymous session's token takes a request through Express; a request without any takes the early lane.
        const session = { authorization: `Bearer ${add.headers.get('vendure-auth-token')}` };
        const cookie = { cookie: add.headers.get('set-cookie')!.split(';')[0] };
        // Earlier tests' index jobs invalidate in the background: the three reads below must meet one generation.
        await quiet();
        await shopRequest(t.baseUrl, PRODUCTS, { take: 3 });
        const before = stats().hits.local;
        const ask = (headers: Record<string, string>) =>
            shopRequest(t.baseUrl, PRODUCTS, { take: 3 }, { headers: { origin: t.baseUrl, ...headers } });
        const earlyBefore = stats().earlyAnswers;
        const early = await ask({ 'x-request-id': 'early-1', cookie: 'theme=dark' });
        expect(stats().earlyAnswers).toBe(earlyBefore + 1);
        const viaBearer = await ask({ 'x-request-id': 'express-1', ...session });
        const viaCookie = await ask({ 'x-request-id': 'express-2', ...cookie });
        expect(stats().hits.local).toBe(before + 3);
        // The two with a session went through Express.
        expect(stats().earlyAnswers).toBe(earlyBefore + 1);
        for (const viaExpress of [viaBearer, viaCookie]) {
            expect(early.body).toEqual(viaExpress.body);
            for (const name of [
                'etag',
                'cache-control',
                'vary',
                'content-type',
                'content-length',
                'access-control-allow-origin',
                'access-control-allow-credentials',
                'x-content-type-options',
                'referrer-policy',
                'x-frame-options',
                'x-powered-by',
            ]) {
                expect(early.headers.get(name), name).toBe(viaExpress.headers.get(name));
            }
        }
        expect(early.headers.get('x-request-id')).toBe('early-1');
        expect(viaBearer.headers.get('x-request-id')).toBe('express-1');
        // A body that is not JSON is refused alike, whether the early lane or Express's parser read it.
        const broken = async (headers: Record<string, string>) => {
            const res = await fetch(`${t.baseUrl}/shop-api`, {
                method: 'POST',
                headers: { 'content-type': 'application/json', ...headers },
                body: '{"query": "{ products { totalItems } }"',
            });
            return { status: res.status, body: (await res.json()) as { message?: string } };
        };
        const earlyBroken = await broken({});
        const expressBroken = await broken(session);
        expect(earlyBroken.status).toBe(400);
        expect(expressBroken.status).toBe(400);
        expect(earlyBroken.body.message).toBe(expressBroken.body.message);
    });

    it('answers with errors are not stored', async () => {
        const before = stats();
        for (let i = 0; i < 2; i++) {
            // No id or slug: Vendure answers 200 with an error.
            const answer = await shopRequest(t.baseUrl, `query { product { id } }`);
            expect(answer.body.errors?.length).toBeGreaterThan(0);
            expect(answer.headers.get('cache-control')).toBe('private, no-store');
        }
        const after = stats();
        expect(after.misses).toBe(before.misses + 2);
        expect(after.stored).toBe(before.stored);
    });

    it('GET queries are cached; a GET without a CSRF preflight header is refused, not served from the cache', async () => {
        const preflight = { 'apollo-require-preflight': 'true' };
        const before = stats();
        const first = await shopRequest(
            t.baseUrl,
            PRODUCTS,
            { take: 6 },
            { method: 'GET', headers: preflight },
        );
        const again = await shopRequest(
            t.baseUrl,
            PRODUCTS,
            { take: 6 },
            { method: 'GET', headers: preflight },
        );
        expect(first.status).toBe(200);
        expect(again.body).toEqual(first.body);
        expect(stats().hits.local).toBe(before.hits.local + 1);
        const post = await shopRequest(t.baseUrl, PRODUCTS, { take: 6 });
        expect(post.headers.get('etag')).toBe(again.headers.get('etag'));
        const refused = await shopRequest(t.baseUrl, PRODUCTS, { take: 6 }, { method: 'GET' });
        expect(refused.status).toBe(400);
        expect(refused.body.data).toBeUndefined();
    });

    it('mutations and malformed, huge or unknown-operation documents are never stored', async () => {
        const before = stats();
        const malformed = await shopRequest(
            t.baseUrl,
            `query { products(options: { take: 1 }) { items { id }`,
        );
        expect(malformed.status).toBe(400);
        const huge = `query { products(options: { take: 1 }) { items { ${'id '.repeat(10_000)} } } }`;
        await shopRequest(t.baseUrl, huge);
        const unknownOp = await fetch(`${t.baseUrl}/shop-api`, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify({ query: PRODUCTS, operationName: 'Nope', variables: { take: 1 } }),
        });
        expect(unknownOp.status).toBeGreaterThanOrEqual(400);
        const after = stats();
        expect(after.bypass.unparsable).toBeGreaterThanOrEqual(before.bypass.unparsable + 2);
        expect(after.bypass.too_large).toBe(before.bypass.too_large + 1);
        expect(after.stored).toBe(before.stored);
    });

    it('cache-busting variables cannot grow the cache past its entry limit', async () => {
        const service = t.server.app.get(ShopResponseCacheService);
        await quiet();
        const before = service.snapshot();
        for (let batch = 0; batch < 6; batch++) {
            await Promise.all(
                Array.from({ length: 50 }, (_, i) =>
                    shopRequest(
                        t.baseUrl,
                        `query ($n: Int) { products(options: { take: 1, skip: $n }) { totalItems } }`,
                        {
                            n: batch * 50 + i,
                        },
                    ),
                ),
            );
        }
        const s = service.snapshot();
        expect(s.invalidations).toBe(before.invalidations);
        expect(s.stored).toBe(before.stored + 300);
        expect(s.entries).toBeLessThanOrEqual(MAX_ENTRIES);
        expect(s.evictions - before.evictions).toBeGreaterThanOrEqual(300 - MAX_ENTRIES);
    });

    it('the metrics endpoint counts hits, misses and invalidations, and the HTTP metrics count hits too', async () => {
        const address = t.server.app.get(MetricsService).address!;
        const scrape = async () =>
            parseExposition(await (await fetch(`http://127.0.0.1:${address.port}/metrics`)).text());
        const before = await scrape();
        const query = `query ($skip: Int) { products(options: { take: 1, skip: $skip }) { totalItems } }`;
        await shopRequest(t.baseUrl, query, { skip: 7 });
        await shopRequest(t.baseUrl, query, { skip: 7 });
        await shopRequest(t.baseUrl, query, { skip: 7 });
        await shopRequest(t.baseUrl, `{ activeOrder { id } }`);
        await t.admin.query(UPDATE_PRODUCT, { input: { id: products[0].id, enabled: true } });
        const after = await scrape();
        const delta = (name: string, labels: Record<string, string> = {}) =>
            sampleValue(after, name, labels) - sampleValue(before, name, labels);
        expect(delta('shop_response_cache_lookups_total', { result: 'miss' })).toBeGreaterThanOrEqual(1);
        expect(delta('shop_response_cache_lookups_total', { result: 'hit' })).toBeGreaterThanOrEqual(2);
        expect(delta('shop_response_cache_bypass_total', { reason: 'not_allowed' })).toBe(1);
        expect(delta('shop_response_cache_stores_total', { outcome: 'stored' })).toBeGreaterThanOrEqual(1);
        expect(delta('shop_response_cache_invalidations_total')).toBeGreaterThanOrEqual(1);
        expect(sampleValue(after, 'shop_response_cache_entries')).toBeGreaterThanOrEqual(0);
        expect(sampleValue(after, 'shop_response_cache_bytes')).toBeLessThanOrEqual(64 * 1024 * 1024);
        expect(sampleValue(after, 'shop_response_cache_evictions_total')).toBeGreaterThan(0);
        // Hits are answered before GraphQL, but after the HTTP metrics middleware: all four requests are counted.
        expect(
            delta('shop_http_requests_total', { route: 'shop-api', method: 'POST', status_class: '2xx' }),
        ).toBeGreaterThanOrEqual(4);
    });

    it('switched off, every request runs GraphQL and gets no cache headers', async () => {
        const service = t.server.app.get(ShopResponseCacheService);
        service.setEnabled(false);
        try {
            const before = stats();
            await shopRequest(t.baseUrl, PRODUCTS, { take: 2 });
            const again = await shopRequest(t.baseUrl, PRODUCTS, { take: 2 });
            // Express's own weak ETag may be there; the cache's strong one and public Cache-Control are not.
            expect(again.headers.get('etag') ?? '').not.toMatch(/^"/);
            expect(again.headers.get('cache-control') ?? '').not.toContain('public');
            const after = stats();
            expect(after.bypass.disabled).toBe(before.bypass.disabled + 2);
            expect(after.hits).toEqual(before.hits);
        } finally {
            service.setEnabled(true);
        }
    });
});
