/** Options of {@link PostexShippingPlugin}; every field has a default (see `DEFAULT_OPTIONS`). */
export interface PostexShippingOptions {
    /** Base URL of the Postex API including `/api/v1` (the real one or the simulator). */
    apiUrl: string;
    /** Value of the `x-api-key` header. */
    apiKey: string;
    /** How long a quote request may take before the fallback price is used (ms). Default 2500 (checkout answers within 4 s). */
    quoteTimeoutMs: number;
    /** Timeout of the other Postex calls (parcel create, tracking, label) (ms). Default 10000. */
    requestTimeoutMs: number;
    /** How long a quote stays in the cache (ms). Default 30 minutes. */
    quoteCacheTtlMs: number;
    /** Width of a weight bucket in grams; the chargeable weight is rounded up to it. Default 500. */
    weightBucketGrams: number;
    /** Width of a value bucket in Rial; the parcel value is rounded up to it. Default 10,000,000 (1M Toman). */
    valueBucketRial: number;
    /** Consecutive failed quote calls that open the circuit breaker. Default 3. */
    breakerFailureThreshold: number;
    /** How long an open breaker stops calling Postex before one trial call (ms). Default 30000. */
    breakerCooldownMs: number;
    /** Weight assumed for a variant whose `weight` custom field is 0 (grams). Default 500. */
    defaultItemWeightGrams: number;
    /** Box assumed for a variant without dimensions: [length, width, height] in cm. Default [20, 15, 10]. */
    defaultItemSizeCm: [number, number, number];
    /** Heaviest parcel the couriers accept (grams); heavier carts are not eligible. Default 30000. */
    maxParcelWeightGrams: number;
    /** Origin city code used for parcels (the shop's warehouse). Default 2401 (Tehran in the simulator). */
    originCityCode: number;
    /** The sender printed on parcels. */
    sender: { name: string; phone: string; address: string; postalCode: string };
    /** Cron of the tracking poll. Default every 10 minutes. */
    trackingSchedule: string;
    /** Cron of the localities sync. Default daily at 03:00. */
    placesSyncSchedule: string;
    /** Retries of the parcel-create job (its backoff comes from the job queue plugin). Default 5. */
    createParcelRetries: number;
    /**
     * After a parcel create without a clear answer (timeout, dropped connection, 5xx, unreadable body), how long
     * to wait before looking the parcel up again, since Postex may still be creating it: only then does the job
     * fail, and its retry creates the parcel anew if Postex still does not have it (ms). Default 30000.
     */
    lateParcelLookupMs: number;
    /** How long a label link from `createPostexLabelLink` stays valid (seconds). Default 300. */
    labelLinkTtlSeconds: number;
}

export type PostexShippingInitOptions = Partial<PostexShippingOptions> &
    Pick<PostexShippingOptions, 'apiUrl'>;

/** Where a shipping price came from: Postex itself (live or cached), or the configured fallback. */
export type QuoteSource = 'postex' | 'cache' | 'fallback';

export interface PostexQuoteMetadata {
    source: QuoteSource;
    courier?: string;
    courierName?: string;
    service?: string;
    serviceName?: string;
    slaDays?: number;
    /** Set when the fallback price is used: `timeout`, `error`, `circuit-open`, `unknown-city`. */
    fallbackReason?: string;
    freeShipping?: boolean;
}
