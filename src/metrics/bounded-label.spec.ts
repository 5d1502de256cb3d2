import { describe, expect, it } from 'vitest';

import { BoundedLabel } from './bounded-label';

describe('BoundedLabel', () => {
    it('keeps names, folds ids, phone numbers and values past the cap into one value', () => {
        const label = new BoundedLabel(2);
        expect(label.value('addItemToOrder')).toBe('addItemToOrder');
        expect(label.value('09121234567')).toBe('other');
        expect(label.value('order-1234567')).toBe('other');
        expect(label.value(undefined)).toBe('unknown');
        expect(label.value('activeOrder')).toBe('activeOrder');
        expect(label.value('search')).toBe('other');
        expect(label.value('addItemToOrder')).toBe('addItemToOrder');
    });
});
