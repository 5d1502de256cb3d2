import { describe, expect, it } from 'vitest';

import { bucketUp, coversWholeOrder, packParcel, quoteCacheKey } from './parcel-math';

const defaults = { itemWeightGrams: 500, itemSizeCm: [20, 15, 10] as [number, number, number] };

describe('packing rule', () => {
    it('lays items flat and stacks them: longest length, widest width, summed heights', () => {
        const parcel = packParcel(
            [
                { quantity: 2, weightGrams: 450, sizeCm: [6, 18, 10] },
                { quantity: 1, weightGrams: 1200, sizeCm: [30, 20, 5] },
            ],
            defaults,
        );
        expect(parcel).toMatchObject({ length: 30, width: 20, height: 6 + 6 + 5, totalWeightGrams: 2100 });
    });

    it('uses the default weight and size for variants without them', () => {
        const parcel = packParcel([{ quantity: 3, weightGrams: 0, sizeCm: [0, 0, 0] }], defaults);
        expect(parcel).toMatchObject({ totalWeightGrams: 1500, length: 20, width: 15, height: 30 });
    });

    it('charges the volumetric weight (L x W x H / 5 g) when it exceeds the real weight', () => {
        const pillow = packParcel([{ quantity: 1, weightGrams: 800, sizeCm: [60, 40, 20] }], defaults);
        expect(pillow.volumetricWeightGrams).toBe(9600);
        expect(pillow.chargeableWeightGrams).toBe(9600);
        const book = packParcel([{ quantity: 1, weightGrams: 800, sizeCm: [21, 14, 3] }], defaults);
        expect(book.chargeableWeightGrams).toBe(800);
    });

    it('ignores lines with no quantity and never returns a zero dimension', () => {
        const parcel = packParcel([{ quantity: 0, weightGrams: 100, sizeCm: [1, 1, 1] }], defaults);
        expect(parcel).toMatchObject({ totalWeightGrams: 0, length: 1, width: 1, height: 1 });
    });
});

describe('buckets and cache keys', () => {
    it('rounds up to the bucket upper bound', () => {
        expect(bucketUp(1, 500)).toBe(500);
        expect(bucketUp(500, 500)).toBe(500);
        expect(bucketUp(501, 500)).toBe(1000);
        expect(bucketUp(0, 500)).toBe(0);
        expect(bucketUp(12_345_678, 10_000_000)).toBe(20_000_000);
    });

    it('keys by origin, destination, weight bucket, value bucket, service, collection and payment type', () => {
        const base = {
            origin: 2401,
            destination: 901,
            weightBucket: 1000,
            valueBucket: 10_000_000,
            service: '',
            collectionType: 'pick_up',
            paymentType: 'SENDER',
        };
        expect(quoteCacheKey(base)).toBe('postex-quote:2401:901:w1000:v10000000:any:pick_up:SENDER');
        const variants = [
            { destination: 902 },
            { weightBucket: 1500 },
            { valueBucket: 20_000_000 },
            { service: 'POST/PISHTAZ' },
            { paymentType: 'COD' },
        ];
        const keys = new Set(variants.map(v => quoteCacheKey({ ...base, ...v })));
        expect(keys.size).toBe(variants.length);
        expect(keys.has(quoteCacheKey(base))).toBe(false);
    });
});

describe('coversWholeOrder', () => {
    const lines = [
        { id: 1, quantity: 2 },
        { id: 2, quantity: 1 },
    ];

    it('is true when every unit of every line is in the fulfillment', () => {
        expect(
            coversWholeOrder(lines, [
                { orderLineId: '1', quantity: 2 },
                { orderLineId: 2, quantity: 1 },
            ]),
        ).toBe(true);
        expect(
            coversWholeOrder(lines, [
                { orderLineId: 1, quantity: 1 },
                { orderLineId: 1, quantity: 1 },
                { orderLineId: 2, quantity: 1 },
            ]),
        ).toBe(true);
    });

    it('is false when a line or a unit is left out', () => {
        expect(coversWholeOrder(lines, [{ orderLineId: 1, quantity: 2 }])).toBe(false);
        expect(
            coversWholeOrder(lines, [
                { orderLineId: 1, quantity: 1 },
                { orderLineId: 2, quantity: 1 },
            ]),
        ).toBe(false);
    });
});
