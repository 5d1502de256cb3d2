import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

import { defaultVendureComplexityEstimator } from '@vendure/harden-plugin';
import type { GraphQLInputType, GraphQLSchema, IntrospectionQuery } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { PROJECT_ROOT } from '../src/paths';
import { postGraphQL } from '../src/testing/graphql-http';
import { createTestShop, TestShop } from '../src/testing/test-shop';

import { ADMIN_DOCUMENTS, SHOP_DOCUMENTS } from './query-cost-documents';

// The CommonJS builds, as the server loads them: graphql-query-complexity's ESM build would bring a second copy of
// graphql, whose types it refuses to mix with the server's ("from another module or realm").
const cjs = createRequire(__filename);
const {
    buildClientSchema,
    getIntrospectionQuery,
    getNullableType,
    isEnumType,
    isInputObjectType,
    isListType,
    isNonNullType,
    parse,
    typeFromAST,
    validate,
} = cjs('graphql') as typeof import('graphql');
const { getComplexity, simpleEstimator } = cjs(
    'graphql-query-complexity',
) as typeof import('graphql-query-complexity');

async function schemaOf(url: string): Promise<GraphQLSchema> {
    const { body } = await postGraphQL(url, getIntrospectionQuery());
    return buildClientSchema(body.data as unknown as IntrospectionQuery);
}

/** HardenPlugin's own estimate: its Vendure estimator (lists x5, paginated lists by `take`), then 1 per field. */
function cost(schema: GraphQLSchema, document: string, variables: Record<string, unknown> = {}): number {
    const query = parse(document);
    const problems = validate(schema, query);
    if (problems.length) {
        throw new Error(`Not valid for this schema: ${problems.map(p => p.message).join('; ')}`);
    }
    return getComplexity({
        schema,
        query,
        variables,
        estimators: [defaultVendureComplexityEstimator({}, false), simpleEstimator({ defaultComplexity: 1 })],
    });
}

/** Some value of each required variable: the cost depends on `take` arguments, not on ids or names. */
function placeholderVariables(schema: GraphQLSchema, document: string): Record<string, unknown> {
    const placeholder = (type: GraphQLInputType): unknown => {
        if (!isNonNullType(type)) {
            return undefined;
        }
        const inner = getNullableType(type);
        if (isListType(inner)) {
            return [];
        }
        if (isEnumType(inner)) {
            return inner.getValues()[0].value;
        }
        if (isInputObjectType(inner)) {
            return Object.fromEntries(
                Object.values(inner.getFields())
                    .map(f => [f.name, placeholder(f.type)] as const)
                    .filter(([, v]) => v !== undefined),
            );
        }
        return ({ Int: 1, Float: 1, Boolean: false, Money: 1 } as Record<string, unknown>)[inner.name] ?? '1';
    };
    const variables: Record<string, unknown> = {};
    for (const def of parse(document).definitions) {
        if (def.kind === 'OperationDefinition') {
            for (const v of def.variableDefinitions ?? []) {
                const type = typeFromAST(schema, v.type as never) as GraphQLInputType | undefined;
                if (type) {
                    variables[v.variable.name.value] = placeholder(type);
                }
            }
        }
    }
    return variables;
}

/** The GraphQL documents written as gql`...` (without interpolations) in the project's own e2e tests. */
function projectE2eDocuments(): Array<{ file: string; document: string }> {
    const files = [
        ...fs.readdirSync(path.join(PROJECT_ROOT, 'test')).map(f => path.join('test', f)),
        ...fs
            .readdirSync(path.join(PROJECT_ROOT, 'plugins'))
            .flatMap(p =>
                fs.existsSync(path.join(PROJECT_ROOT, 'plugins', p, 'e2e'))
                    ? fs
                          .readdirSync(path.join(PROJECT_ROOT, 'plugins', p, 'e2e'))
                          .map(f => path.join('plugins', p, 'e2e', f))
                    : [],
            ),
        path.join('src', 'testing', 'checkout-helpers.ts'),
    ].filter(f => f.endsWith('.ts'));
    return files.flatMap(file =>
        [...fs.readFileSync(path.join(PROJECT_ROOT, file), 'utf8').matchAll(/gql`([^`]*)`/g)]
            .map(m => m[1])
            .filter(d => !d.includes('${'))
            .map(document => ({ file, document })),
    );
}

describe('query cost limit (GRAPHQL_MAX_QUERY_COST) against real storefront and Admin UI queries', () => {
    let t: TestShop;
    let shopSchema: GraphQLSchema;
    let adminSchema: GraphQLSchema;

    beforeAll(async () => {
        t = await createTestShop();
        shopSchema = await schemaOf(`${t.baseUrl}/shop-api`);
        adminSchema = await schemaOf(`${t.baseUrl}/admin-api`);
    });

    afterAll(async () => {
        await t?.close();
    });

    it('every storefront and widget query costs less than the limit, and the server answers each of them', async () => {
        const limit = t.app.security.maxQueryCost;
        const rows: string[] = [];
        const shopApi = `${t.baseUrl}/shop-api`;
        const collection = (
            await postGraphQL(shopApi, '{ collections(options: { take: 1 }) { items { slug } } }')
        ).body.data as { collections: { items: Array<{ slug: string }> } };
        const product = (await postGraphQL(shopApi, '{ products(options: { take: 1 }) { items { slug } } }'))
            .body.data as { products: { items: Array<{ slug: string }> } };
        const variables: Record<string, Record<string, unknown>> = {
            'starter: collection': { slug: collection.collections.items[0].slug },
            'starter: product': { slug: product.products.items[0].slug },
            'starter: search with facets': { input: { take: 12, groupByProduct: true } },
            'starter: addItemToOrder (OrderDetail)': { productVariantId: '1', quantity: 1 },
        };
        let token: string | undefined;
        // addItemToOrder first, so activeOrder and the checkout queries have a cart to work on.
        const names = Object.keys(SHOP_DOCUMENTS).sort(
            (a, b) => Number(b.includes('addItem')) - Number(a.includes('addItem')),
        );
        for (const name of names) {
            const score = cost(shopSchema, SHOP_DOCUMENTS[name], variables[name]);
            rows.push(`${String(score).padStart(6)}  ${name}`);
            expect(score, name).toBeLessThan(limit);
            const answer = await postGraphQL(shopApi, SHOP_DOCUMENTS[name], variables[name], token);
            token ??= answer.headers.get('vendure-auth-token') ?? undefined;
            expect(answer.body.errors, name).toBeUndefined();
        }
        for (const [name, document] of Object.entries(ADMIN_DOCUMENTS)) {
            rows.push(
                `${String(cost(adminSchema, document, { options: { take: 10 }, id: '1' })).padStart(6)}  ${name} (Admin API: not limited)`,
            );
        }
        console.log(`Query costs (limit ${limit}):\n${rows.join('\n')}`);
    });

    it("every Shop API query of the project's own e2e tests costs less than the limit", () => {
        const over: string[] = [];
        let checked = 0;
        let highest = { score: 0, file: '' };
        for (const { file, document } of projectE2eDocuments()) {
            let query;
            try {
                query = parse(document);
            } catch {
                continue;
            }
            if (validate(shopSchema, query).length) {
                continue; // an Admin API document, or one that needs variables of its own types
            }
            checked++;
            const score = cost(shopSchema, document, placeholderVariables(shopSchema, document));
            if (score > highest.score) {
                highest = { score, file };
            }
            if (score >= t.app.security.maxQueryCost) {
                over.push(`${file}: ${score}: ${document.trim().slice(0, 80)}`);
            }
        }
        console.log(
            `${checked} Shop API documents of the e2e tests: highest cost ${highest.score} (${highest.file})`,
        );
        expect(checked).toBeGreaterThan(10);
        expect(over).toEqual([]);
    });
});
