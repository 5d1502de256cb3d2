/** The largest value of PostgreSQL's `integer`, the type of Vendure's auto-increment ids. */
const MAX_INTEGER_ID = 2_147_483_647;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Whether `value` can be the id of a row: a positive integer within PostgreSQL's `integer` (Vendure's default
 * id strategy) or a UUID. Anything else names no row; passed to the database it fails the whole query instead
 * ("invalid input syntax for type integer"), which the hostile-input fault scenario found as internal errors.
 */
export function isEntityId(value: unknown): value is string | number {
    if (typeof value === 'number') {
        return Number.isInteger(value) && value > 0 && value <= MAX_INTEGER_ID;
    }
    if (typeof value !== 'string') {
        return false;
    }
    return /^[1-9]\d{0,9}$/.test(value) ? Number(value) <= MAX_INTEGER_ID : UUID.test(value);
}

/** PostgreSQL's text types cannot hold U+0000: a string with it fails the query instead of being stored. */
export function hasNulCharacter(text: string): boolean {
    return text.includes('\u0000');
}
