/**
 * Keeps a label's set of values bounded: the first `max` distinct values that look like names are kept, anything
 * else (ids, phone numbers, codes, a flood of invented operation names) counts as one value, `other`.
 */
export class BoundedLabel {
    private readonly seen = new Set<string>();

    constructor(
        private readonly max: number,
        private readonly pattern = /^[A-Za-z_][A-Za-z0-9_:./-]{0,63}$/,
    ) {}

    value(raw: string | undefined | null): string {
        if (!raw) {
            return 'unknown';
        }
        if (this.seen.has(raw)) {
            return raw;
        }
        if (!this.pattern.test(raw) || /\d{4,}/.test(raw) || this.seen.size >= this.max) {
            return 'other';
        }
        this.seen.add(raw);
        return raw;
    }
}
