import gql from 'graphql-tag';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { PNG_8X8, uploadAssets } from '../src/testing/assets';
import { postGraphQL } from '../src/testing/graphql-http';
import { createTestShop, TestShop } from '../src/testing/test-shop';

const LOGIN = `mutation ($u: String!) {
    login(username: $u, password: "wrong-password") { ... on ErrorResult { errorCode } }
}`;

describe('production hardening of the HTTP and GraphQL layer', () => {
    let t: TestShop;
    let shopApi: string;

    beforeAll(async () => {
        t = await createTestShop({
            env: {
                RATE_LIMIT_LOGIN: '3/15m',
                RATE_LIMIT_REGISTER: '2/1h',
                RATE_LIMIT_PASSWORD_RESET: '2/1h',
                RATE_LIMIT_NEW_ORDER: '3/10m',
                SHOP_API_MAX_BODY_KB: '8',
                ASSET_UPLOAD_MAX_MB: '0.01',
            },
        });
        shopApi = `${t.baseUrl}/shop-api`;
    });

    afterAll(async () => {
        await t?.close();
    });

    describe('per-IP limits answer with a RATE_LIMITED GraphQL error', () => {
        it('password login: the limit counts every call (aliases too), then refuses login and native authenticate', async () => {
            expect((await postGraphQL(shopApi, LOGIN, { u: 'a@example.ir' })).body.data).toEqual({
                login: { errorCode: 'INVALID_CREDENTIALS_ERROR' },
            });
            // Two aliases in one request are two attempts: together with the first, the limit of 3 is reached.
            const aliased = await postGraphQL(
                shopApi,
                `mutation {
                    a: login(username: "b@example.ir", password: "x") { ... on ErrorResult { errorCode } }
                    b: login(username: "c@example.ir", password: "x") { ... on ErrorResult { errorCode } }
                }`,
            );
            expect(aliased.body.errors).toBeUndefined();

            const refused = await postGraphQL(shopApi, LOGIN, { u: 'd@example.ir' });
            expect(refused.status).toBe(200);
            expect(refused.body.data).toBeNull();
            expect(refused.body.errors).toEqual([
                {
                    message: expect.stringMatching(
                        /^Too many login attempts from this network; try again in \d+ seconds$/,
                    ),
                    path: ['login'],
                    locations: expect.any(Array),
                    extensions: {
                        code: 'RATE_LIMITED',
                        scope: 'LOGIN',
                        retryAfterSeconds: expect.any(Number),
                        messageFa: expect.stringContaining('ثانیه'),
                    },
                },
            ]);
            const retryAfter = refused.body.errors![0].extensions!.retryAfterSeconds as number;
            expect(retryAfter).toBeGreaterThan(0);
            expect(retryAfter).toBeLessThanOrEqual(15 * 60);
            expect(refused.headers.get('retry-after')).toBe(String(retryAfter));

            const native = await postGraphQL(
                shopApi,
                `mutation { authenticate(input: { native: { username: "e@example.ir", password: "x" } }) {
                    ... on ErrorResult { errorCode } } }`,
            );
            expect(native.body.errors?.[0].extensions?.code).toBe('RATE_LIMITED');
        });

        it('the Admin API login has a budget of its own', async () => {
            const admin = await postGraphQL(
                `${t.baseUrl}/admin-api`,
                `mutation { login(username: "superadmin", password: "superadmin") { ... on CurrentUser { id } } }`,
            );
            expect(admin.body.errors).toBeUndefined();
            expect(admin.body.data).toEqual({ login: { id: expect.any(String) } });
        });

        it('registerCustomerAccount', async () => {
            const register = (n: number) =>
                postGraphQL(
                    shopApi,
                    `mutation ($e: String!) { registerCustomerAccount(input: { emailAddress: $e, password: "a-long-password" }) {
                        __typename } }`,
                    { e: `new${n}@example.ir` },
                );
            expect((await register(1)).body.data).toEqual({
                registerCustomerAccount: { __typename: 'Success' },
            });
            expect((await register(2)).body.data).toEqual({
                registerCustomerAccount: { __typename: 'Success' },
            });
            const refused = await register(3);
            expect(refused.body.errors?.[0]).toMatchObject({
                path: ['registerCustomerAccount'],
                extensions: { code: 'RATE_LIMITED', scope: 'REGISTER' },
            });
        });

        it('requestPasswordReset', async () => {
            const reset = () =>
                postGraphQL(
                    shopApi,
                    `mutation { requestPasswordReset(emailAddress: "new1@example.ir") { __typename } }`,
                );
            expect((await reset()).body.data).toEqual({ requestPasswordReset: { __typename: 'Success' } });
            expect((await reset()).body.data).toEqual({ requestPasswordReset: { __typename: 'Success' } });
            expect((await reset()).body.errors?.[0].extensions).toMatchObject({
                code: 'RATE_LIMITED',
                scope: 'PASSWORD_RESET',
            });
        });

        it('addItemToOrder counts only calls that start a new cart', async () => {
            const ADD = `mutation { addItemToOrder(productVariantId: "1", quantity: 1) { __typename } }`;
            // A shopper with a cart adds as often as they like.
            const shopper = t.newShopClient();
            for (let i = 0; i < 5; i++) {
                expect(await shopper.query(gql(ADD))).toEqual({ addItemToOrder: { __typename: 'Order' } });
            }
            // New sessions: 2 more carts reach the limit of 3, the next is refused.
            expect((await postGraphQL(shopApi, ADD)).body.data).toEqual({
                addItemToOrder: { __typename: 'Order' },
            });
            expect((await postGraphQL(shopApi, ADD)).body.data).toEqual({
                addItemToOrder: { __typename: 'Order' },
            });
            const refused = await postGraphQL(shopApi, ADD);
            expect(refused.body.errors?.[0]).toMatchObject({
                path: ['addItemToOrder'],
                extensions: { code: 'RATE_LIMITED', scope: 'NEW_ORDER' },
            });
            // The shopper's existing cart is not affected.
            expect(await shopper.query(gql(ADD))).toEqual({ addItemToOrder: { __typename: 'Order' } });
        });
    });

    describe('security headers', () => {
        it('HTML pages get a Content-Security-Policy, nosniff, a referrer policy and framing only by this origin', async () => {
            for (const page of ['/admin/', '/mailbox', '/storefront/chat', '/storefront/checkout/return']) {
                const res = await fetch(`${t.baseUrl}${page}`);
                expect(res.status, page).toBe(200);
                expect(res.headers.get('content-type'), page).toMatch(/^text\/html/);
                const csp = res.headers.get('content-security-policy') ?? '';
                if (page.startsWith('/storefront')) {
                    // The demo storefront's pages set a stricter policy of their own, which is kept.
                    expect(csp, page).toMatch(/^default-src 'none'/);
                } else {
                    expect(csp, page).toContain("default-src 'self'");
                    expect(csp, page).toContain("frame-ancestors 'self'");
                    expect(csp, page).toContain("object-src 'none'");
                }
                expect(res.headers.get('x-content-type-options'), page).toBe('nosniff');
                expect(res.headers.get('referrer-policy'), page).toBe('strict-origin-when-cross-origin');
                expect(res.headers.get('x-frame-options'), page).toBe('SAMEORIGIN');
                expect(res.headers.get('x-powered-by'), page).toBeNull();
            }
            // The mailbox's one inline script is allowed by its hash, nothing else inline.
            const mailbox = (await fetch(`${t.baseUrl}/mailbox`)).headers.get('content-security-policy')!;
            expect(mailbox).toMatch(/script-src 'self' 'sha256-[A-Za-z0-9+/=]+'/);
            expect(mailbox.match(/script-src [^;]*/)![0]).not.toContain('unsafe-inline');
        });

        it('API answers get nosniff but no CSP', async () => {
            const res = await fetch(shopApi, {
                method: 'POST',
                headers: { 'content-type': 'application/json' },
                body: JSON.stringify({ query: '{ activeChannel { code } }' }),
            });
            expect(res.headers.get('x-content-type-options')).toBe('nosniff');
            expect(res.headers.get('content-security-policy')).toBeNull();
            expect(res.headers.get('x-powered-by')).toBeNull();
        });
    });

    describe('request body limits', () => {
        const padded = (bytes: number) =>
            JSON.stringify({ query: '{ activeChannel { code } }', variables: { pad: 'x'.repeat(bytes) } });

        it('the Shop API refuses a JSON body over SHOP_API_MAX_BODY_KB with 413 PAYLOAD_TOO_LARGE', async () => {
            const ok = await fetch(shopApi, {
                method: 'POST',
                headers: { 'content-type': 'application/json' },
                body: padded(7 * 1024),
            });
            expect(ok.status).toBe(200);
            const tooLarge = await fetch(shopApi, {
                method: 'POST',
                headers: { 'content-type': 'application/json' },
                body: padded(9 * 1024),
            });
            expect(tooLarge.status).toBe(413);
            expect(await tooLarge.json()).toEqual({
                errors: [
                    {
                        message: 'Request body larger than 8192 bytes',
                        extensions: { code: 'PAYLOAD_TOO_LARGE', limitBytes: 8192 },
                    },
                ],
            });
        });

        it('the Admin API has its own, larger limit (ADMIN_API_MAX_BODY_KB, 1 MiB by default)', async () => {
            const res = await fetch(`${t.baseUrl}/admin-api`, {
                method: 'POST',
                headers: { 'content-type': 'application/json' },
                body: padded(200 * 1024),
            });
            expect(res.status).toBe(200);
        });

        it('an asset upload over ASSET_UPLOAD_MAX_MB is refused and nothing is stored', async () => {
            const token = t.admin.getAuthToken();
            const small = await uploadAssets(`${t.baseUrl}/admin-api`, token, [
                { name: 'ok.png', bytes: PNG_8X8 },
            ]);
            expect(small.body.errors).toBeUndefined();
            // A PNG signature followed by 20 KiB: over the 10 KiB (0.01 MiB) limit.
            const big = Buffer.concat([PNG_8X8, Buffer.alloc(20 * 1024, 1)]);
            const refused = await uploadAssets(`${t.baseUrl}/admin-api`, token, [
                { name: 'big.png', bytes: big },
            ]);
            expect(JSON.stringify(refused.body)).toMatch(/exceeds the 10486 byte size limit/);
            const { assets } = await t.admin.query<{ assets: { items: Array<{ name: string }> } }>(gql`
                query {
                    assets(options: { filter: { name: { contains: "big" } } }) {
                        items {
                            name
                        }
                    }
                }
            `);
            expect(assets.items).toEqual([]);
        });
    });

    describe('query cost limit (HardenPlugin) on the Shop API', () => {
        it('refuses a query whose estimated cost is over GRAPHQL_MAX_QUERY_COST', async () => {
            // Unbounded lists (no take) nested three deep: the estimate is far over the limit.
            const res = await postGraphQL(
                shopApi,
                `{ collections { items { productVariants { items { product { collections { id } } } } } } }`,
            );
            expect(res.body.data ?? null).toBeNull();
            expect(res.body.errors?.[0]).toMatchObject({
                message: 'Query is too complex',
                extensions: { code: 'INTERNAL_SERVER_ERROR' },
            });
        });
    });
});
