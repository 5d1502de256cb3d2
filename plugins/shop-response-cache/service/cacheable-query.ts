import crypto from 'node:crypto';

import {
    DocumentNode,
    FragmentDefinitionNode,
    Kind,
    OperationDefinitionNode,
    parse,
    print,
    SelectionSetNode,
    visit,
} from 'graphql';

export type QueryVerdict =
    | {
          cacheable: true;
          /** sha256 of the printed (normalised) operation and its fragments */ documentHash: string;
      }
    | { cacheable: false; reason: 'too_large' | 'unparsable' | 'not_query' | 'not_allowed' };

export interface QueryLimits {
    maxQueryBytes: number;
    maxQueryTokens: number;
}

/** Directives that may appear anywhere: they can only remove selections, and every root field is checked anyway. */
const HARMLESS_DIRECTIVES = new Set(['include', 'skip']);

/**
 * Decides whether a Shop API document may be answered from the cache: it parses (bounded by size and tokens), is
 * the single selected operation, a `query`, and every root field it could select - through fragments and inline
 * fragments, whatever `@include`/`@skip` say - is on the allow-list. Other directives (`@defer`, `@stream`, custom
 * ones) are refused: they change how the answer is delivered or computed.
 */
export function judgeQuery(
    query: string,
    operationName: string | undefined,
    allowed: ReadonlySet<string>,
    limits: QueryLimits,
): QueryVerdict {
    if (Buffer.byteLength(query) > limits.maxQueryBytes) {
        return { cacheable: false, reason: 'too_large' };
    }
    let document: DocumentNode;
    try {
        document = parse(query, { noLocation: true, maxTokens: limits.maxQueryTokens });
    } catch {
        return { cacheable: false, reason: 'unparsable' };
    }
    const operations = document.definitions.filter(
        (d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION,
    );
    const fragments = new Map<string, FragmentDefinitionNode>();
    for (const d of document.definitions) {
        if (d.kind === Kind.FRAGMENT_DEFINITION) {
            fragments.set(d.name.value, d);
        } else if (d.kind !== Kind.OPERATION_DEFINITION) {
            // Type system definitions or extensions: not an executable document.
            return { cacheable: false, reason: 'unparsable' };
        }
    }
    const operation = operationName
        ? operations.find(o => o.name?.value === operationName)
        : operations.length === 1
          ? operations[0]
          : undefined;
    if (!operation) {
        // GraphQL answers with an error (unknown or ambiguous operation): nothing to cache.
        return { cacheable: false, reason: 'unparsable' };
    }
    if (operation.operation !== 'query') {
        return { cacheable: false, reason: 'not_query' };
    }
    let foreignDirective = false;
    visit(document, {
        Directive(node) {
            if (!HARMLESS_DIRECTIVES.has(node.name.value)) {
                foreignDirective = true;
            }
        },
    });
    if (foreignDirective || !rootFieldsAllowed(operation.selectionSet, fragments, allowed, new Set())) {
        return { cacheable: false, reason: 'not_allowed' };
    }
    // The operation and all fragments, printed: whitespace, comments and other operations of the document do not
    // split the cache, while anything that can change the answer is part of the hash.
    const normalised = [operation, ...fragments.values()].map(d => print(d)).join('\n');
    return {
        cacheable: true,
        documentHash: crypto.createHash('sha256').update(normalised).digest('base64url'),
    };
}

function rootFieldsAllowed(
    selectionSet: SelectionSetNode,
    fragments: Map<string, FragmentDefinitionNode>,
    allowed: ReadonlySet<string>,
    seen: Set<string>,
): boolean {
    for (const selection of selectionSet.selections) {
        if (selection.kind === Kind.FIELD) {
            if (!allowed.has(selection.name.value)) {
                return false;
            }
        } else if (selection.kind === Kind.INLINE_FRAGMENT) {
            if (!rootFieldsAllowed(selection.selectionSet, fragments, allowed, seen)) {
                return false;
            }
        } else {
            const name = selection.name.value;
            const fragment = fragments.get(name);
            if (!fragment) {
                return false;
            }
            if (seen.has(name)) {
                // A fragment cycle is invalid GraphQL; its fields were (or are being) checked.
                continue;
            }
            seen.add(name);
            if (!rootFieldsAllowed(fragment.selectionSet, fragments, allowed, seen)) {
                return false;
            }
        }
    }
    return true;
}

/** JSON with object keys sorted at every level, so `{a,b}` and `{b,a}` variables make one key. */
export function stableStringify(value: unknown): string {
    if (value === null || typeof value !== 'object') {
        return JSON.stringify(value ?? null);
    }
    if (Array.isArray(value)) {
        return `[${value.map(stableStringify).join(',')}]`;
    }
    const entries = Object.keys(value as Record<string, unknown>)
        .filter(k => (value as Record<string, unknown>)[k] !== undefined)
        .sort()
        .map(k => `${JSON.stringify(k)}:${stableStringify((value as Record<string, unknown>)[k])}`);
    return `{${entries.join(',')}}`;
}

/** The parts of a request that select an answer; everything else about the request must not change it. */
export interface CacheKeyParts {
    channelToken: string;
    languageCode: string;
    currencyCode: string;
    documentHash: string;
    operationName: string;
    variables: string;
}

/** One hash over every part, each length-prefixed so no two different part lists collide by concatenation. */
export function cacheKey(parts: CacheKeyParts): string {
    const h = crypto.createHash('sha256');
    for (const part of [
        parts.channelToken,
        parts.languageCode,
        parts.currencyCode,
        parts.documentHash,
        parts.operationName,
        parts.variables,
    ]) {
        h.update(`${Buffer.byteLength(part)}:${part};`);
    }
    return h.digest('base64url');
}
