/**
 * A small schema-driven fuzzer for the project's own GraphQL operations. It reads the operations from the plugins'
 * API extensions (the fields of `extend type Query/Mutation`), their argument types from the server's
 * introspection, and makes hostile requests for each: wrong types, oversized and odd strings, out-of-range numbers,
 * malformed ids, nulls, missing and unknown input fields, deep nesting, alias floods and batches.
 * (No maintained GraphQL fuzzing library exists on npm: the candidates are abandoned or are services.)
 */
import {
    buildClientSchema,
    DocumentNode,
    getIntrospectionQuery,
    getNamedType,
    getNullableType,
    GraphQLArgument,
    GraphQLField,
    GraphQLInputType,
    GraphQLOutputType,
    GraphQLSchema,
    IntrospectionQuery,
    isEnumType,
    isInputObjectType,
    isInterfaceType,
    isListType,
    isNonNullType,
    isObjectType,
    isScalarType,
    isUnionType,
    Kind,
} from 'graphql';

export interface FuzzCase {
    /** `api operation: what is hostile`, for the failure message. */
    name: string;
    /** The HTTP body: one operation, or a batch (an array). */
    body: unknown;
}

/** The root fields a set of API extension documents adds (`extend type Query/Mutation`). */
export function customOperations(docs: DocumentNode[]): Array<{ root: 'Query' | 'Mutation'; field: string }> {
    const found = new Map<string, { root: 'Query' | 'Mutation'; field: string }>();
    for (const doc of docs) {
        for (const def of doc.definitions) {
            if (
                def.kind === Kind.OBJECT_TYPE_EXTENSION &&
                (def.name.value === 'Query' || def.name.value === 'Mutation')
            ) {
                for (const f of def.fields ?? []) {
                    const root = def.name.value;
                    found.set(`${root}.${f.name.value}`, { root, field: f.name.value });
                }
            }
        }
    }
    return [...found.values()];
}

export async function introspect(url: string, headers: Record<string, string> = {}): Promise<GraphQLSchema> {
    const res = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body: JSON.stringify({ query: getIntrospectionQuery() }),
    });
    const body = (await res.json()) as { data: IntrospectionQuery };
    return buildClientSchema(body.data);
}

/** 40 KB: under the API's 100 KiB body limit, so it reaches the resolvers. */
const HUGE = 'ی'.repeat(20_000);
/** Strings no field accepts: oversized, empty, blank, with NUL and control characters. */
export const INVALID_STRINGS = [HUGE, '', ' \t\n', '\u0000\u0001\u001b[31m'];
/**
 * Strings that attack whatever interprets them (SQL, HTML, paths, operators, lone surrogates, RTL overrides). As
 * the text of a chat message or a canned reply they are legitimate content, stored and shown as text: they are
 * sent where they name or look something up (queries, ids, phone numbers, codes), not as mutations' free text.
 */
export const ODD_STRINGS = [
    '\' OR 1=1; DROP TABLE "order"; --',
    '\ud800',
    '\u202e۰۹۱۲۱۲۳۴۵۶۷',
    '../../../../etc/passwd',
    '<script>alert(1)</script>',
    '{"$gt":""}',
    '9'.repeat(400),
];
export const HOSTILE_STRINGS = [...INVALID_STRINGS, ...ODD_STRINGS];
const HOSTILE_INTS = [2 ** 31, -(2 ** 31) - 1, -1, 1e308, 0.5, Number.MAX_SAFE_INTEGER + 2];
const HOSTILE_IDS = ['-1', '0', '99999999999999999999999', 'abc', '1; SELECT 1', '1e3', 'T_1', ''];

/** A value of the wrong kind for `type`: an object for a scalar, a string for a number, a number for an object. */
function wrongType(type: GraphQLInputType): unknown {
    const named = getNamedType(type);
    if (isInputObjectType(named) || isListType(getNullableType(type))) {
        return 42;
    }
    if (isScalarType(named) && (named.name === 'Int' || named.name === 'Float' || named.name === 'Money')) {
        return 'not a number';
    }
    return { nested: { deeper: [1, 2, 3] } };
}

/** Values of the right GraphQL kind whose content is hostile; `text`: free text of a mutation (see ODD_STRINGS). */
function hostileValues(type: GraphQLInputType, depth = 0, text = false): unknown[] {
    const nullable = getNullableType(type) as GraphQLInputType;
    if (isListType(nullable)) {
        const inner = hostileValues(nullable.ofType as GraphQLInputType, depth + 1, text).at(-1);
        return [Array.from({ length: 2_000 }, () => inner), [null]];
    }
    if (isEnumType(nullable)) {
        return ['NOT_A_VALUE'];
    }
    if (isInputObjectType(nullable)) {
        if (depth > 2) {
            return [{}];
        }
        const fields = Object.values(nullable.getFields());
        const out: unknown[] = [{}, { unknownField: 1 }];
        // Each field hostile in turn, the others given something plausible.
        for (const f of fields) {
            for (const v of hostileValues(f.type, depth + 1, text)) {
                out.push({ ...plausibleObject(fields), [f.name]: v });
            }
        }
        return out;
    }
    if (isScalarType(nullable)) {
        switch (nullable.name) {
            case 'Int':
            case 'Float':
            case 'Money':
                return HOSTILE_INTS;
            case 'ID':
                return HOSTILE_IDS;
            case 'Boolean':
                return ['true', 1];
            case 'JSON':
                return [nest(200), HUGE];
            case 'DateTime':
                return ['yesterday', '9999-99-99T99:99:99Z'];
            default:
                return text ? INVALID_STRINGS : HOSTILE_STRINGS;
        }
    }
    return [null];
}

function plausibleObject(fields: Array<{ name: string; type: GraphQLInputType }>): Record<string, unknown> {
    return Object.fromEntries(
        fields.filter(f => isNonNullType(f.type)).map(f => [f.name, plausible(f.type)]),
    );
}

function plausible(type: GraphQLInputType): unknown {
    const nullable = getNullableType(type) as GraphQLInputType;
    if (isListType(nullable)) {
        return [];
    }
    if (isEnumType(nullable)) {
        return nullable.getValues()[0]?.value;
    }
    if (isInputObjectType(nullable)) {
        return plausibleObject(Object.values(nullable.getFields()));
    }
    if (isScalarType(nullable) && ['Int', 'Float', 'Money'].includes(nullable.name)) {
        return 1;
    }
    if (isScalarType(nullable) && nullable.name === 'Boolean') {
        return false;
    }
    return '1';
}

function nest(depth: number): unknown {
    let v: unknown = 'leaf';
    for (let i = 0; i < depth; i++) {
        v = { a: [v] };
    }
    return v;
}

/** A selection that asks for what any answer can carry: the typename and, for results, errorCode/message. */
function selection(type: GraphQLOutputType): string {
    const named = getNamedType(type);
    if (isUnionType(named) || isInterfaceType(named)) {
        return '{ __typename ... on ErrorResult { errorCode message } }';
    }
    if (isObjectType(named)) {
        const scalars = Object.values(named.getFields())
            .filter(f => isScalarType(getNamedType(f.type)) && f.args.length === 0)
            .slice(0, 6)
            .map(f => f.name);
        return `{ __typename ${scalars.join(' ')} }`;
    }
    return '';
}

function varType(arg: GraphQLArgument): string {
    return arg.type.toString();
}

/** Every hostile case for one operation. `heavy`: also alias floods and batches (they run the operation often). */
export function casesFor(
    schema: GraphQLSchema,
    api: string,
    root: 'Query' | 'Mutation',
    fieldName: string,
    heavy: boolean,
): FuzzCase[] {
    const rootType = root === 'Query' ? schema.getQueryType() : schema.getMutationType();
    const field = rootType?.getFields()[fieldName] as GraphQLField<unknown, unknown> | undefined;
    if (!field) {
        throw new Error(`${api}: ${root}.${fieldName} is not in the schema`);
    }
    const op = root === 'Query' ? 'query' : 'mutation';
    const sel = selection(field.type);
    const varDefs = field.args.length
        ? `(${field.args.map(a => `$${a.name}: ${varType(a)}`).join(', ')})`
        : '';
    const callArgs = field.args.length ? `(${field.args.map(a => `${a.name}: $${a.name}`).join(', ')})` : '';
    const document = `${op} Fuzz${varDefs} { ${fieldName}${callArgs} ${sel} }`;
    const base = Object.fromEntries(field.args.map(a => [a.name, plausible(a.type)]));
    const label = `${api} ${fieldName}`;
    const cases: FuzzCase[] = [];
    for (const arg of field.args) {
        for (const value of hostileValues(arg.type, 0, root === 'Mutation')) {
            cases.push({
                name: `${label}: ${arg.name} = ${preview(value)}`,
                body: { query: document, variables: { ...base, [arg.name]: value } },
            });
        }
        cases.push({
            name: `${label}: ${arg.name} of the wrong type`,
            body: { query: document, variables: { ...base, [arg.name]: wrongType(arg.type) } },
        });
        if (isNonNullType(arg.type)) {
            cases.push({
                name: `${label}: ${arg.name} missing`,
                body: { query: document, variables: { ...base, [arg.name]: null } },
            });
        }
        // A literal of the wrong kind inline (validation, not variable coercion).
        cases.push({
            name: `${label}: ${arg.name} inline literal of the wrong kind`,
            body: {
                query: `${op} { ${fieldName}(${arg.name}: { a: [1, "x", { b: null }] }) ${sel} }`,
            },
        });
    }
    cases.push({
        name: `${label}: unknown argument`,
        body: { query: `${op} { ${fieldName}(notAnArgument: 1) ${sel} }` },
    });
    cases.push({
        name: `${label}: selection nested 300 deep`,
        body: {
            query: `${op} { ${fieldName}${
                field.args.length
                    ? `(${field.args
                          .map(a => `${a.name}: ${JSON.stringify(plausible(a.type))}`)
                          .join(', ')
                          .replace(/"(\w+)":/g, '$1:')})`
                    : ''
            } ${'{ __typename '.repeat(300)}${'}'.repeat(300)} }`,
        },
    });
    if (heavy) {
        const aliased = Array.from({ length: 150 }, (_, i) => `a${i}: ${fieldName}${callArgs} ${sel}`).join(
            ' ',
        );
        cases.push({
            name: `${label}: 150 aliases of hostile calls`,
            body: { query: `${op} Fuzz${varDefs} { ${aliased} }`, variables: firstHostile(field.args, base) },
        });
        cases.push({
            name: `${label}: a batch of 50`,
            body: Array.from({ length: 50 }, () => ({
                query: document,
                variables: firstHostile(field.args, base),
            })),
        });
    }
    return cases;
}

function firstHostile(
    args: readonly GraphQLArgument[],
    base: Record<string, unknown>,
): Record<string, unknown> {
    const first = args[0];
    return first ? { ...base, [first.name]: hostileValues(first.type, 0, true)[0] } : base;
}

function preview(value: unknown): string {
    const text = JSON.stringify(value) ?? String(value);
    return text.length > 40 ? `${text.slice(0, 40)}… (${text.length} chars)` : text;
}

/** Error codes a hostile request may get: validation, coercion, permission, Vendure's typed errors, limits. */
export const EXPECTED_ERROR_CODES = new Set([
    'GRAPHQL_VALIDATION_FAILED',
    'GRAPHQL_PARSE_FAILED',
    'BAD_USER_INPUT',
    'BAD_REQUEST',
    'FORBIDDEN',
    'UNAUTHORIZED',
    'ENTITY_NOT_FOUND',
    'USER_INPUT_ERROR',
    'ILLEGAL_OPERATION',
    'RATE_LIMITED',
    'PERSISTED_QUERY_NOT_SUPPORTED',
    'PAYLOAD_TOO_LARGE',
]);
