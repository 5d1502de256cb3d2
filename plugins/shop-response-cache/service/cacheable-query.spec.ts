import { describe, expect, it } from 'vitest';

import { DEFAULT_CACHEABLE_ROOT_FIELDS, DEFAULT_OPTIONS } from '../constants';

import { cacheKey, CacheKeyParts, judgeQuery, stableStringify } from './cacheable-query';

const allowed = new Set(DEFAULT_CACHEABLE_ROOT_FIELDS);
const judge = (query: string, operationName?: string) =>
    judgeQuery(query, operationName, allowed, DEFAULT_OPTIONS);

describe('judgeQuery: which documents may be cached', () => {
    it('accepts queries whose every root field is on the allow-list, also through fragments and aliases', () => {
        expect(judge('{ products { items { id } } }').cacheable).toBe(true);
        expect(
            judge('query P { a: product(slug: "x") { id } b: collections { totalItems } }').cacheable,
        ).toBe(true);
        expect(
            judge('query { ...Root } fragment Root on Query { search(input: {}) { totalItems } __typename }')
                .cacheable,
        ).toBe(true);
        expect(judge('query { ... on Query { facets { totalItems } } }').cacheable).toBe(true);
    });

    it('refuses mutations, subscriptions and any root field touching the session', () => {
        expect(judge('mutation { addItemToOrder(productVariantId: 1, quantity: 1) { __typename } }')).toEqual(
            {
                cacheable: false,
                reason: 'not_query',
            },
        );
        expect(judge('subscription { x }')).toEqual({ cacheable: false, reason: 'not_query' });
        expect(judge('{ products { totalItems } activeOrder { id } }')).toEqual({
            cacheable: false,
            reason: 'not_allowed',
        });
        expect(judge('{ activeCustomer { id } }').cacheable).toBe(false);
    });

    it('sees root fields hidden behind fragments, nested fragments and @include/@skip', () => {
        expect(
            judge('{ products { totalItems } ...F } fragment F on Query { activeOrder { id } }').cacheable,
        ).toBe(false);
        expect(
            judge(
                '{ ...A } fragment A on Query { ... on Query { ...B } } fragment B on Query { activeCustomer { id } }',
            ).cacheable,
        ).toBe(false);
        expect(
            judge('query ($x: Boolean!) { products { totalItems } activeOrder @include(if: $x) { id } }')
                .cacheable,
        ).toBe(false);
        expect(judge('{ products { totalItems } activeOrder @skip(if: true) { id } }').cacheable).toBe(false);
        // A spread of a fragment that does not exist: invalid, not cached.
        expect(judge('{ ...Missing }').cacheable).toBe(false);
    });

    it('refuses directives other than @include/@skip (@defer changes how the answer is sent)', () => {
        expect(judge('{ products { ... @defer { totalItems } } }')).toEqual({
            cacheable: false,
            reason: 'not_allowed',
        });
    });

    it('picks the operation by name; an unknown or ambiguous operation is not cached', () => {
        const doc = 'query A { products { totalItems } } query B { activeOrder { id } }';
        expect(judge(doc, 'A').cacheable).toBe(true);
        expect(judge(doc, 'B').cacheable).toBe(false);
        expect(judge(doc)).toEqual({ cacheable: false, reason: 'unparsable' });
        expect(judge(doc, 'C')).toEqual({ cacheable: false, reason: 'unparsable' });
    });

    it('refuses malformed, oversized and token-heavy documents without parsing them fully', () => {
        expect(judge('{ products { ')).toEqual({ cacheable: false, reason: 'unparsable' });
        expect(judge(`{ products { items { ${'id '.repeat(10_000)} } } }`)).toEqual({
            cacheable: false,
            reason: 'too_large',
        });
        const manyTokens = `{ products { items { ${'id '.repeat(3_000)} } } }`;
        expect(
            judgeQuery(manyTokens, undefined, allowed, { maxQueryBytes: 1e6, maxQueryTokens: 2_000 }),
        ).toEqual({
            cacheable: false,
            reason: 'unparsable',
        });
        expect(judge('type Query { x: Int }')).toEqual({ cacheable: false, reason: 'unparsable' });
    });

    it('normalises whitespace and comments, but not anything that changes the answer', () => {
        const a = judge('{ products { totalItems } }');
        const b = judge('query {\n  # all\n  products {\n totalItems\n }\n}');
        const c = judge('{ products { items { id } } }');
        expect(a.cacheable && b.cacheable && c.cacheable).toBe(true);
        if (a.cacheable && b.cacheable && c.cacheable) {
            expect(a.documentHash).toBe(b.documentHash);
            expect(a.documentHash).not.toBe(c.documentHash);
        }
    });
});

describe('cache keys', () => {
    const base: CacheKeyParts = {
        channelToken: 'default',
        languageCode: 'fa',
        currencyCode: 'IRR',
        documentHash: 'h',
        operationName: '',
        variables: '{}',
    };

    it('differ by channel, language, currency, document, operation and variables', () => {
        const keys = new Set([
            cacheKey(base),
            cacheKey({ ...base, channelToken: 'other' }),
            cacheKey({ ...base, languageCode: 'en' }),
            cacheKey({ ...base, currencyCode: 'USD' }),
            cacheKey({ ...base, documentHash: 'h2' }),
            cacheKey({ ...base, operationName: 'Op' }),
            cacheKey({ ...base, variables: '{"take":1}' }),
        ]);
        expect(keys.size).toBe(7);
    });

    it('cannot be made to collide by moving characters between parts', () => {
        expect(cacheKey({ ...base, channelToken: 'ab', languageCode: 'c' })).not.toBe(
            cacheKey({ ...base, channelToken: 'a', languageCode: 'bc' }),
        );
    });

    it('variables in any key order make one key', () => {
        expect(stableStringify({ b: 1, a: { d: [1, { y: 2, x: 1 }], c: null } })).toBe(
            stableStringify({ a: { c: null, d: [1, { x: 1, y: 2 }] }, b: 1 }),
        );
        expect(stableStringify({ a: undefined, b: 1 })).toBe('{"b":1}');
    });
});
