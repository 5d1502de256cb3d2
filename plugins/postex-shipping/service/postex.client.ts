import { providerSpan } from '../../../src/observe/provider-span';

/** Typed HTTP client of the Postex API (`/api/v1`, header `x-api-key`). It never retries: callers decide. */

export type PostexFailureKind = 'timeout' | 'network' | 'http' | 'rejected' | 'malformed' | 'not-found';

export type PostexResult<T> =
    { ok: true; data: T } | { ok: false; kind: PostexFailureKind; status?: number; message: string };

export type PostexPaymentType = 'SENDER' | 'COD' | 'FREE_SHIPPING' | 'RECEIVER';
export type PostexCollectionType = 'pick_up' | 'courier_drop_off' | 'postex_drop_off';

export interface PostexParcelProperties {
    length: number;
    width: number;
    height: number;
    total_weight: number;
    total_value: number;
    box_type_id?: number;
    is_fragile?: boolean;
    is_liquid?: boolean;
}

export interface PostexQuoteRequest {
    collection_type: PostexCollectionType;
    from_city_code: number;
    parcels: Array<{
        custom_parcel_id: string;
        to_city_code: number;
        payment_type: PostexPaymentType;
        parcel_properties: PostexParcelProperties;
    }>;
    courier?: { courier_code: string; service_type: string };
}

export interface PostexServicePrice {
    courierCode: string;
    courierName: string;
    serviceType: string;
    serviceName: string;
    slaDays: number;
    slaHours: number;
    vat: number;
    discountAmount: number;
    initPrice: number;
    totalPrice: number;
}

export interface PostexQuoteResponse {
    shipping_prices: Array<{ custom_parcel_id: string; service_price: PostexServicePrice[] }>;
}

export interface PostexProvinceDto {
    code: number;
    name: string;
}

export interface PostexCityDto {
    code: number;
    name: string;
    provinceCode: number;
}

export interface PostexParcelCreate {
    custom_order_no: string;
    to_city_code: number;
    payment_type: PostexPaymentType;
    /** Rial the courier collects from the receiver (COD only). */
    cod_amount: number;
    courier?: { courier_code: string; service_type: string };
    receiver: { name: string; phone: string; address: string; postal_code: string };
    sender?: { name: string; phone: string; address: string; postal_code: string };
    parcel_properties: PostexParcelProperties;
}

export interface PostexParcel {
    parcel_no: string;
    tracking_code: string;
    custom_order_no: string;
    status: string;
    payment_type: string;
    cod_amount: number;
}

export interface PostexTrackingEvent {
    status: string;
    description?: string;
    occurred_at: string;
}

export interface PostexClientOptions {
    baseUrl: string;
    apiKey: string;
    timeoutMs: number;
}

export class PostexClient {
    constructor(private readonly options: PostexClientOptions) {}

    quote(body: PostexQuoteRequest, timeoutMs?: number): Promise<PostexResult<PostexQuoteResponse>> {
        return traced('quote', () =>
            this.request<PostexQuoteResponse>('POST', '/shipping/quotes', body, timeoutMs, json => {
                const prices = (json as Partial<PostexQuoteResponse>).shipping_prices;
                return Array.isArray(prices) ? { shipping_prices: prices } : undefined;
            }),
        );
    }

    provinces(): Promise<PostexResult<PostexProvinceDto[]>> {
        return traced('provinces', () =>
            this.request('GET', '/locality/provinces', undefined, undefined, arrayOrData<PostexProvinceDto>),
        );
    }

    cities(): Promise<PostexResult<PostexCityDto[]>> {
        return traced('cities', () =>
            this.request('GET', '/locality/cities/all', undefined, undefined, arrayOrData<PostexCityDto>),
        );
    }

    createParcels(
        fromCityCode: number,
        parcels: PostexParcelCreate[],
    ): Promise<PostexResult<PostexParcel[]>> {
        return traced('create_parcels', () =>
            this.request(
                'POST',
                '/parcels/bulk',
                { from_city_code: fromCityCode, parcels },
                undefined,
                arrayOrData<PostexParcel>,
            ),
        );
    }

    findByCustomOrderNo(no: string): Promise<PostexResult<PostexParcel>> {
        return traced('find_parcel', () =>
            this.request(
                'GET',
                `/parcels/custom-order-no/${encodeURIComponent(no)}`,
                undefined,
                undefined,
                json => dataObject<PostexParcel>(json, 'parcel_no'),
            ),
        );
    }

    cancelParcel(parcelNo: string): Promise<PostexResult<true>> {
        return traced('cancel_parcel', () =>
            this.request(
                'POST',
                `/parcels/cancel-request/${encodeURIComponent(parcelNo)}`,
                {},
                undefined,
                () => true,
            ),
        );
    }

    trackingEvents(parcelNo: string): Promise<PostexResult<PostexTrackingEvent[]>> {
        return traced('tracking', () =>
            this.request(
                'GET',
                `/tracking/events/${encodeURIComponent(parcelNo)}`,
                undefined,
                undefined,
                json => {
                    const data = (json as { data?: { events?: unknown } }).data;
                    const events = data?.events ?? (Array.isArray(json) ? json : undefined);
                    return Array.isArray(events) ? (events as PostexTrackingEvent[]) : undefined;
                },
            ),
        );
    }

    /** The label PDF as bytes. */
    label(parcelNo: string): Promise<PostexResult<Buffer>> {
        return traced('label', () => this.labelOnce(parcelNo));
    }

    private async labelOnce(parcelNo: string): Promise<PostexResult<Buffer>> {
        const res = await this.send(
            'GET',
            `/parcels/${encodeURIComponent(parcelNo)}/label`,
            undefined,
            undefined,
        );
        if (!res.ok) {
            return res;
        }
        return { ok: true, data: Buffer.from(await res.data.arrayBuffer()) };
    }

    private async send(
        method: string,
        path: string,
        body: unknown,
        timeoutMs: number | undefined,
    ): Promise<PostexResult<globalThis.Response>> {
        const timeout = timeoutMs ?? this.options.timeoutMs;
        try {
            const response = await fetch(`${this.options.baseUrl}${path}`, {
                method,
                headers: {
                    'x-api-key': this.options.apiKey,
                    accept: 'application/json',
                    ...(body === undefined ? {} : { 'content-type': 'application/json' }),
                },
                body: body === undefined ? undefined : JSON.stringify(body),
                signal: AbortSignal.timeout(timeout),
            });
            if (response.status === 404) {
                return { ok: false, kind: 'not-found', status: 404, message: `${path}: not found` };
            }
            if (!response.ok) {
                const text = await response.text().catch(() => '');
                return {
                    ok: false,
                    kind: 'http',
                    status: response.status,
                    message: `${path}: HTTP ${response.status} ${text.slice(0, 200)}`,
                };
            }
            return { ok: true, data: response };
        } catch (e) {
            const name = (e as Error).name;
            if (name === 'TimeoutError' || name === 'AbortError') {
                return { ok: false, kind: 'timeout', message: `${path}: no answer within ${timeout} ms` };
            }
            return { ok: false, kind: 'network', message: `${path}: ${(e as Error).message}` };
        }
    }

    private async request<T>(
        method: string,
        path: string,
        body: unknown,
        timeoutMs: number | undefined,
        parse: (json: unknown) => T | undefined,
    ): Promise<PostexResult<T>> {
        const res = await this.send(method, path, body, timeoutMs);
        if (!res.ok) {
            return res;
        }
        let json: unknown;
        try {
            json = await res.data.json();
        } catch (e) {
            const name = (e as Error).name;
            if (name === 'TimeoutError' || name === 'AbortError') {
                return { ok: false, kind: 'timeout', message: `${path}: body not received in time` };
            }
            return { ok: false, kind: 'malformed', message: `${path}: response is not JSON` };
        }
        if (json && typeof json === 'object' && (json as { isSuccess?: boolean }).isSuccess === false) {
            return {
                ok: false,
                kind: 'rejected',
                message: `${path}: ${(json as { message?: string }).message ?? 'rejected'}`,
            };
        }
        const parsed = parse(json);
        if (parsed === undefined) {
            return { ok: false, kind: 'malformed', message: `${path}: unexpected response shape` };
        }
        return { ok: true, data: parsed };
    }
}

/** A span per call (src/observe/provider-span.ts): the operation and `ok` or the failure kind, no parcel data. */
function traced<T>(operation: string, call: () => Promise<PostexResult<T>>): Promise<PostexResult<T>> {
    return providerSpan('postex', operation, call, r => (r.ok ? 'ok' : r.kind));
}

function arrayOrData<T>(json: unknown): T[] | undefined {
    if (Array.isArray(json)) {
        return json as T[];
    }
    const data = (json as { data?: unknown })?.data;
    return Array.isArray(data) ? (data as T[]) : undefined;
}

function dataObject<T>(json: unknown, requiredField: string): T | undefined {
    const data = (json as { data?: Record<string, unknown> })?.data;
    return data && typeof data === 'object' && requiredField in data ? (data as T) : undefined;
}
