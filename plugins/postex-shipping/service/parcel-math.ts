/**
 * Pure parcel arithmetic: the packing rule, the chargeable weight and the cache buckets.
 *
 * Packing rule: every item's dimensions are sorted so that length >= width >= height; the items are laid
 * flat and stacked in one box, so the box is as long as the longest item, as wide as the widest item and as
 * high as the sum of all item heights (quantity included). Volumetric weight is length x width x height / 5
 * grams (the couriers' 5000 cm³/kg divisor), and the chargeable weight is the larger of it and the real weight.
 */
export interface PackItem {
    quantity: number;
    weightGrams: number;
    /** [length, width, height] in cm, any order; zeros mean "unknown". */
    sizeCm: [number, number, number];
}

export interface PackDefaults {
    itemWeightGrams: number;
    itemSizeCm: [number, number, number];
}

export interface PackedParcel {
    totalWeightGrams: number;
    length: number;
    width: number;
    height: number;
    volumetricWeightGrams: number;
    chargeableWeightGrams: number;
}

export function packParcel(items: PackItem[], defaults: PackDefaults): PackedParcel {
    let totalWeightGrams = 0;
    let length = 0;
    let width = 0;
    let height = 0;
    for (const item of items) {
        if (item.quantity <= 0) {
            continue;
        }
        const weight = item.weightGrams > 0 ? item.weightGrams : defaults.itemWeightGrams;
        const size = item.sizeCm.every(d => d > 0) ? item.sizeCm : defaults.itemSizeCm;
        const [l, w, h] = [...size].sort((a, b) => b - a);
        totalWeightGrams += weight * item.quantity;
        length = Math.max(length, l);
        width = Math.max(width, w);
        height += h * item.quantity;
    }
    [length, width, height] = [length, width, height].map(d => Math.max(1, Math.ceil(d)));
    const volumetricWeightGrams = Math.ceil((length * width * height) / 5);
    return {
        totalWeightGrams,
        length,
        width,
        height,
        volumetricWeightGrams,
        chargeableWeightGrams: Math.max(totalWeightGrams, volumetricWeightGrams),
    };
}

/** Rounds `value` up to the next multiple of `bucket` (a bucket's upper bound; 0 stays 0). */
export function bucketUp(value: number, bucket: number): number {
    if (value <= 0) {
        return 0;
    }
    return Math.ceil(value / bucket) * bucket;
}

export interface QuoteKeyParts {
    origin: number;
    destination: number;
    weightBucket: number;
    valueBucket: number;
    service: string;
    collectionType: string;
    paymentType: string;
}

export function quoteCacheKey(p: QuoteKeyParts): string {
    return [
        'postex-quote',
        p.origin,
        p.destination,
        `w${p.weightBucket}`,
        `v${p.valueBucket}`,
        p.service || 'any',
        p.collectionType,
        p.paymentType,
    ].join(':');
}

/** Whether the fulfilled quantities cover every unit of every order line (the parcel carries the whole order). */
export function coversWholeOrder(
    orderLines: Array<{ id: string | number; quantity: number }>,
    fulfilled: Array<{ orderLineId: string | number; quantity: number }>,
): boolean {
    const shipped = new Map<string, number>();
    for (const f of fulfilled) {
        shipped.set(String(f.orderLineId), (shipped.get(String(f.orderLineId)) ?? 0) + f.quantity);
    }
    return orderLines.every(line => (shipped.get(String(line.id)) ?? 0) >= line.quantity);
}
