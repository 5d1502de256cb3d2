import gql from 'graphql-tag';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { seedDemoShop } from '../src/seed/seed';
import { sentEmails } from '../src/testing/mailbox';
import { createTestShop, TestShop, testProfile, waitFor } from '../src/testing/test-shop';

import {
    ADD_PAYMENT,
    createTestPaymentMethod,
    FIRST_VARIANT_IDS,
    prepareOrderForPayment,
    withDummyPayment,
} from './checkout-helpers';

describe(`foundation (${testProfile()})`, () => {
    let t: TestShop;

    beforeAll(async () => {
        t = await createTestShop({ adjustConfig: withDummyPayment });
        await createTestPaymentMethod(t.admin);
    });

    afterAll(async () => {
        await t?.close();
    });

    it('lists the demo products with Persian names, priced in Rial with VAT included', async () => {
        const { products } = await t.shop.query(gql`
            query {
                products(options: { take: 100 }) {
                    totalItems
                    items {
                        name
                        slug
                        variants {
                            sku
                            price
                            priceWithTax
                            currencyCode
                            customFields {
                                weight
                                length
                                width
                                height
                            }
                        }
                    }
                }
            }
        `);
        expect(products.totalItems).toBe(50);
        const samovar = products.items.find((p: { name: string }) => p.name === 'سماور برقی');
        expect(samovar).toBeDefined();
        const variant = samovar.variants[0];
        // 3,900,000 Toman = 39,000,000 Rial, VAT (10%) included, in money units (Rial x 100).
        expect(variant.currencyCode).toBe('IRR');
        expect(variant.priceWithTax).toBe(3_900_000_000);
        // The net price is rounded to a whole Rial: 35,454,545.45 -> 35,454,545.
        expect(variant.price).toBe(3_545_454_500);
        expect(variant.customFields).toEqual({ weight: 3200, length: 40, width: 30, height: 30 });
    });

    it('serves English names when asked for them', async () => {
        const { product } = await t.shop.query(
            gql`
                query {
                    product(slug: "electric-samovar") {
                        name
                    }
                }
            `,
            {},
            { languageCode: 'en' },
        );
        expect(product.name).toBe('Electric samovar');
    });

    it('has the Iran zone with its 31 provinces, VAT and the IRR channel', async () => {
        const { zones, activeChannel, taxRates } = await t.admin.query(gql`
            query {
                zones {
                    items {
                        name
                        members {
                            code
                            __typename
                        }
                    }
                }
                activeChannel {
                    defaultCurrencyCode
                    defaultLanguageCode
                    pricesIncludeTax
                    availableLanguageCodes
                }
                taxRates {
                    items {
                        value
                        zone {
                            name
                        }
                    }
                }
            }
        `);
        const iran = zones.items.find((z: { name: string }) => z.name === 'Iran');
        expect(iran.members.filter((m: { __typename: string }) => m.__typename === 'Province')).toHaveLength(
            31,
        );
        expect(iran.members.some((m: { code: string }) => m.code === 'IR')).toBe(true);
        expect(activeChannel).toEqual({
            defaultCurrencyCode: 'IRR',
            defaultLanguageCode: 'fa',
            pricesIncludeTax: true,
            availableLanguageCodes: ['fa', 'en'],
        });
        expect(taxRates.items).toContainEqual({ value: 10, zone: { name: 'Iran' } });
    });

    it('lists the collections of the demo catalogue', async () => {
        const { collections } = await t.shop.query(gql`
            query {
                collections {
                    items {
                        slug
                        name
                        productVariants {
                            totalItems
                        }
                    }
                }
            }
        `);
        const books = collections.items.find((c: { slug: string }) => c.slug === 'books');
        expect(books.name).toBe('کتاب');
        await waitFor(
            async () => {
                const { collection } = await t.shop.query(gql`
                    query {
                        collection(slug: "books") {
                            productVariants {
                                totalItems
                            }
                        }
                    }
                `);
                return collection.productVariants.totalItems === 8;
            },
            20_000,
            'collection filters to apply',
        );
    });

    it('does nothing when seeded again', async () => {
        const again = await seedDemoShop(t.server.app, t.app);
        expect(again.seeded).toBe(false);
        const { products, shippingMethods } = await t.admin.query(gql`
            query {
                products {
                    totalItems
                }
                shippingMethods {
                    totalItems
                }
            }
        `);
        expect(products.totalItems).toBe(50);
        // flat-rate and postex (the Postex plugin is configured).
        expect(shippingMethods.totalItems).toBe(2);
    });

    it('reports the database (and Redis) in /health and echoes request ids', async () => {
        const res = await fetch(`${t.baseUrl}/health`, { headers: { 'x-request-id': 'test-req-1' } });
        expect(res.status).toBe(200);
        expect(res.headers.get('x-request-id')).toBe('test-req-1');
        const body = (await res.json()) as { status: string; info: Record<string, { status: string }> };
        expect(body.status).toBe('ok');
        expect(body.info.database.status).toBe('up');
        if (t.app.redisUrl) {
            expect(body.info.redis.status).toBe('up');
        }
        const generated = await fetch(`${t.baseUrl}/health`, {
            headers: { 'x-request-id': 'bad id with spaces' },
        });
        expect(generated.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    });

    it('lets browsers call the APIs with credentials only from the server and storefront origins, and refuses form posts', async () => {
        const preflight = (origin: string) =>
            fetch(`${t.baseUrl}/admin-api`, {
                method: 'OPTIONS',
                headers: {
                    origin,
                    'access-control-request-method': 'POST',
                    'access-control-request-headers': 'content-type',
                },
            });
        const own = await preflight(new URL(t.app.storefrontUrl).origin);
        expect(own.headers.get('access-control-allow-origin')).toBe(new URL(t.app.storefrontUrl).origin);
        expect(own.headers.get('access-control-allow-credentials')).toBe('true');
        const foreign = await preflight('https://evil.example');
        expect(foreign.headers.get('access-control-allow-origin')).toBeNull();

        // Login CSRF: an HTML form can post url-encoded bodies cross-site without a preflight.
        const form = await fetch(`${t.baseUrl}/shop-api`, {
            method: 'POST',
            headers: { 'content-type': 'application/x-www-form-urlencoded' },
            body: 'query=mutation{logout{success}}',
        });
        expect(form.status).toBe(400);
        expect(await form.text()).toMatch(/CSRF|preflight/i);
    });

    it('serves the Admin UI in Persian by default', async () => {
        const html = await fetch(`${t.baseUrl}/admin/`);
        expect(html.status).toBe(200);
        expect(await html.text()).toContain('<base href="/admin/"');
        const uiConfig = (await (await fetch(`${t.baseUrl}/admin/vendure-ui-config.json`)).json()) as {
            defaultLanguage: string;
            availableLanguages: string[];
        };
        expect(uiConfig.defaultLanguage).toBe('fa');
        expect(uiConfig.availableLanguages).toEqual(['fa', 'en']);
    });

    it('sends the order confirmation with amounts in whole Rials', async () => {
        const { products } = await t.shop.query(FIRST_VARIANT_IDS);
        const client = t.newShopClient();
        const email = `receipt-${Date.now()}@example.ir`;
        const order = await prepareOrderForPayment(client, {
            variantId: products.items[1].variants[0].id,
            email,
        });
        const paid = await client.query(ADD_PAYMENT, { input: { method: 'test-payment', metadata: {} } });
        expect(paid.addPaymentToOrder.state).toBe('PaymentSettled');
        const sent = await waitFor(
            async () => sentEmails(t.app).find(e => e.recipient === email),
            20_000,
            'the order confirmation email',
        );
        // Vendure's own formatMoney helper divides by 100: whole Rials.
        const total = (order.totalWithTax / 100).toLocaleString('en');
        expect(order.totalWithTax).toBeGreaterThan(10_000_000);
        expect(sent.body).toMatch(new RegExp(`IRR\\s${total}`));
    });

    it('takes 10 concurrent checkouts with no errors while jobs and scheduled tasks run', async () => {
        const { products } = await t.shop.query(FIRST_VARIANT_IDS);
        const variantIds: string[] = products.items.map(
            (p: { variants: Array<{ id: string }> }) => p.variants[0].id,
        );
        const shoppers = Array.from({ length: 10 }, (_, i) => i);
        const runTask = t.admin.query(gql`
            mutation {
                runScheduledTask(id: "clean-sessions") {
                    success
                }
            }
        `);
        const renamed = t.admin.query(
            gql`
                mutation ($id: ID!) {
                    updateProduct(
                        input: { id: $id, translations: [{ languageCode: fa, name: "سماور-جدید-آزمایشی" }] }
                    ) {
                        id
                    }
                }
            `,
            { id: products.items[0].id },
        );
        const results = await Promise.allSettled(
            shoppers.map(async i => {
                const client = t.newShopClient();
                await prepareOrderForPayment(client, {
                    variantId: variantIds[i % variantIds.length],
                    quantity: 1 + (i % 3),
                    email: `shopper${i}@example.ir`,
                });
                const paid = await client.query(ADD_PAYMENT, {
                    input: { method: 'test-payment', metadata: {} },
                });
                return paid.addPaymentToOrder;
            }),
        );
        const failures = results
            .filter(r => r.status === 'rejected')
            .map(r => String((r as PromiseRejectedResult).reason));
        expect(failures).toEqual([]);
        const orders = results.map(r => (r as PromiseFulfilledResult<{ state: string; code: string }>).value);
        expect(orders.map(o => o.state)).toEqual(Array(10).fill('PaymentSettled'));
        expect(new Set(orders.map(o => o.code)).size).toBe(10);
        expect((await runTask).runScheduledTask.success).toBe(true);

        // The scheduled task ran in this process (the embedded profile has no worker; the harness stands in for
        // the worker in the services profile) ...
        await waitFor(
            async () => {
                const { scheduledTasks } = await t.admin.query(gql`
                    query {
                        scheduledTasks {
                            id
                            lastExecutedAt
                        }
                    }
                `);
                return scheduledTasks.find((s: { id: string }) => s.id === 'clean-sessions')?.lastExecutedAt;
            },
            45_000,
            'clean-sessions to run',
        );
        // ... and the search-index job of the product renamed during the checkouts ran. It queues behind the ten
        // confirmation emails, and CI runs two e2e files on two cores: a deadline for a loaded machine (alone: ~1 s).
        expect((await renamed).updateProduct.id).toBe(products.items[0].id);
        await waitFor(
            async () => {
                const { search } = await t.shop.query(gql`
                    query {
                        search(input: { term: "سماور-جدید-آزمایشی", groupByProduct: true }) {
                            totalItems
                            items {
                                productId
                            }
                        }
                    }
                `);
                return search.items.some((i: { productId: string }) => i.productId === products.items[0].id);
            },
            45_000,
            'the search index job to run',
        );
    }, 90_000);
});
