import { describe, expect, it } from 'vitest';

import { acknowledgedPaths, classifyChanges } from './api-contract';

const OLD = `
type Query { product(id: ID!): String }
type Mutation {
    sendSupportMessage(text: String!): Boolean
    markRead: Boolean
}
`;
const FIELD_REMOVED = `
type Query { product(id: ID!): String }
type Mutation { markRead: Boolean }
`;
const FIELD_ADDED = `
type Query { product(id: ID!): String, products: [String!]! }
type Mutation {
    sendSupportMessage(text: String!): Boolean
    markRead: Boolean
}
`;

const changelog = (unreleased: string[], older: string[] = []) =>
    ['# Shop API changelog', '', '## Unreleased', '', ...unreleased, '', '## 2026-11-01', '', ...older].join(
        '\n',
    );

describe('Shop API contract classification', () => {
    it('fails a removed field that the changelog does not acknowledge', async () => {
        const report = await classifyChanges(OLD, FIELD_REMOVED, changelog([]));
        expect(report.unacknowledged).toEqual([
            expect.objectContaining({
                path: 'Mutation.sendSupportMessage',
                level: 'BREAKING',
                acknowledged: false,
            }),
        ]);
    });

    it('passes a removed field named in the Unreleased section', async () => {
        const report = await classifyChanges(
            OLD,
            FIELD_REMOVED,
            changelog(['- `Mutation.sendSupportMessage` removed: use `sendChatMessage`.']),
        );
        expect(report.unacknowledged).toEqual([]);
        expect(report.changes).toEqual([
            expect.objectContaining({
                path: 'Mutation.sendSupportMessage',
                level: 'BREAKING',
                acknowledged: true,
            }),
        ]);
    });

    it('does not count an acknowledgement in an older section', async () => {
        const report = await classifyChanges(
            OLD,
            FIELD_REMOVED,
            changelog([], ['- `Mutation.sendSupportMessage` changed its argument.']),
        );
        expect(report.unacknowledged.map(c => c.path)).toEqual(['Mutation.sendSupportMessage']);
    });

    it('does not count a path that is only a prefix of the breaking one', async () => {
        const report = await classifyChanges(OLD, FIELD_REMOVED, changelog(['- `Mutation` reorganised.']));
        expect(report.unacknowledged.map(c => c.path)).toEqual(['Mutation.sendSupportMessage']);
    });

    it('passes an added field without any changelog entry', async () => {
        const report = await classifyChanges(OLD, FIELD_ADDED, changelog([]));
        expect(report.unacknowledged).toEqual([]);
        expect(report.changes).toEqual([
            expect.objectContaining({ path: 'Query.products', level: 'NON_BREAKING' }),
        ]);
    });

    it('fails a changed type and a new required argument', async () => {
        const changed = `
type Query { product(id: ID!, channel: String!): Int }
type Mutation {
    sendSupportMessage(text: String!): Boolean
    markRead: Boolean
}
`;
        const report = await classifyChanges(OLD, changed, changelog([]));
        expect(report.unacknowledged.map(c => c.path).sort()).toEqual([
            'Query.product',
            'Query.product.channel',
        ]);
    });
});

describe('acknowledgedPaths', () => {
    it('reads backticked paths from list items of the Unreleased section only', () => {
        const paths = acknowledgedPaths(
            changelog(
                ['- `Mutation.a` and `Query.b.c`: removed', 'Prose naming `Query.d` is not an entry.'],
                ['- `Query.old`'],
            ),
        );
        expect([...paths].sort()).toEqual(['Mutation.a', 'Query.b.c']);
    });
});
