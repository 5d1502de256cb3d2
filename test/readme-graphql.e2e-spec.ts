import fs from 'node:fs';
import path from 'node:path';

import {
    buildClientSchema,
    getIntrospectionQuery,
    GraphQLSchema,
    IntrospectionQuery,
    Kind,
    parse,
    validate,
} from 'graphql';
import gql from 'graphql-tag';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { PROJECT_ROOT } from '../src/paths';
import { createTestShop, TestShop } from '../src/testing/test-shop';

/**
 * Every ```graphql example in the READMEs is checked against the running server's Shop and Admin API schemas, one
 * operation at a time (as a reader would send them): an example that the server would refuse fails here.
 */
interface Example {
    where: string;
    source: string;
}

function readmeExamples(): Example[] {
    const files = [
        path.join(PROJECT_ROOT, 'README.md'),
        ...fs
            .readdirSync(path.join(PROJECT_ROOT, 'plugins'))
            .map(p => path.join(PROJECT_ROOT, 'plugins', p, 'README.md'))
            .filter(f => fs.existsSync(f)),
    ];
    const examples: Example[] = [];
    for (const file of files) {
        const lines = fs.readFileSync(file, 'utf8').split('\n');
        let start = -1;
        lines.forEach((line, i) => {
            if (start < 0 && line.trim() === '```graphql') {
                start = i + 1;
            } else if (start >= 0 && line.trim() === '```') {
                examples.push({
                    where: `${path.relative(PROJECT_ROOT, file)}:${start + 1}`,
                    source: lines.slice(start, i).join('\n'),
                });
                start = -1;
            }
        });
    }
    return examples;
}

describe('GraphQL examples in the READMEs', () => {
    let t: TestShop;
    const schemas: Record<'shop' | 'admin', GraphQLSchema> = {} as never;
    const examples = readmeExamples();

    beforeAll(async () => {
        t = await createTestShop({ seed: false });
        const introspection = gql(getIntrospectionQuery());
        schemas.shop = buildClientSchema((await t.shop.query(introspection)) as IntrospectionQuery);
        schemas.admin = buildClientSchema((await t.admin.query(introspection)) as IntrospectionQuery);
    });

    afterAll(async () => {
        await t?.close();
    });

    it('finds the examples', () => {
        expect(examples.length).toBeGreaterThanOrEqual(6);
    });

    it.each(examples.map(e => [e.where, e] as const))(
        '%s is valid against the Shop or Admin API',
        (_, example) => {
            const document = parse(example.source);
            const fragments = document.definitions.filter(d => d.kind === Kind.FRAGMENT_DEFINITION);
            const operations = document.definitions.filter(d => d.kind === Kind.OPERATION_DEFINITION);
            expect(operations.length).toBeGreaterThan(0);
            for (const operation of operations) {
                const single = { ...document, definitions: [operation, ...fragments] };
                const errors = {
                    shop: validate(schemas.shop, single),
                    admin: validate(schemas.admin, single),
                };
                const name =
                    operation.name?.value ??
                    operation.selectionSet.selections.map(s => ('name' in s ? s.name.value : '')).join();
                expect(
                    errors.shop.length === 0 || errors.admin.length === 0,
                    `${example.where} (${name}): ${errors.shop.map(e => e.message).join('; ')}`,
                ).toBe(true);
            }
        },
    );
});
