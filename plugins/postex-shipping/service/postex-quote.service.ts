import { Inject, Injectable } from '@nestjs/common';
import { CacheService, Logger, Order, OrderLine, RequestContext } from '@vendure/core';

import { fromRial, toRial } from '../../../src/iran/money';
import { Signal } from '../../../src/observe/signal';
import { loggerCtx, PLUGIN_INIT_OPTIONS } from '../constants';
import { PostexQuoteMetadata, PostexShippingOptions } from '../types';

import { CircuitBreaker, RequestCoalescer } from './circuit-breaker';
import { bucketUp, packParcel, PackedParcel, quoteCacheKey } from './parcel-math';
import {
    PostexClient,
    PostexCollectionType,
    PostexFailureKind,
    PostexPaymentType,
    PostexServicePrice,
} from './postex.client';
import { PostexPlacesService } from './postex-places.service';

/** The calculator's arguments, with defaults applied. */
export interface PostexCalculatorArgs {
    courierCode: string;
    serviceType: string;
    collectionType: PostexCollectionType;
    originCityCode: number;
    fallbackPrice: number;
    onFailure: 'fallback' | 'hide';
    freeShippingThreshold: number;
    paymentType: PostexPaymentType;
    taxRate: number;
}

/** What is cached per key: the chosen service's price as Postex gave it (Rial), enough to answer without Postex. */
interface CachedQuote {
    courierCode: string;
    courierName: string;
    serviceType: string;
    serviceName: string;
    slaDays: number;
    totalPrice: number;
    vat: number;
    initPrice: number;
}

type QuoteOutcome = { ok: true; quote: CachedQuote; fromCache: boolean } | { ok: false; reason: string };

export interface ShippingQuoteResult {
    price: number;
    priceIncludesTax: boolean;
    taxRate: number;
    metadata: PostexQuoteMetadata & Record<string, unknown>;
}

/**
 * Prices an order through Postex, fast and outage-proof: answers from Vendure's cache (Redis in production)
 * keyed by origin, destination, weight bucket, value bucket and service; concurrent identical misses share
 * one upstream call; a circuit breaker stops calling a failing Postex; any failure gives the fallback price.
 */
@Injectable()
export class PostexQuoteService {
    readonly breaker: CircuitBreaker;
    private readonly coalescer = new RequestCoalescer<QuoteOutcome>();

    constructor(
        private readonly cacheService: CacheService,
        private readonly places: PostexPlacesService,
        @Inject(PLUGIN_INIT_OPTIONS) private readonly options: PostexShippingOptions,
        private readonly client: PostexClient,
    ) {
        this.breaker = new CircuitBreaker({
            failureThreshold: options.breakerFailureThreshold,
            cooldownMs: options.breakerCooldownMs,
            onStateChange: (state, reason) => {
                if (state === 'open') {
                    Logger.warn(
                        `Postex quotes failing (${reason ?? 'unknown'}): circuit open, fallback prices for ${options.breakerCooldownMs} ms`,
                        loggerCtx,
                    );
                } else if (state === 'closed') {
                    Logger.info('Postex quotes answer again: circuit closed', loggerCtx);
                }
            },
        });
    }

    /** The parcel Postex would carry for this order, by the packing rule (see parcel-math.ts). */
    packOrder(order: Order): PackedParcel {
        return this.packLines(order.lines.map(line => ({ line, quantity: line.quantity })));
    }

    /** Packs some units of some order lines (a fulfillment's), with their variants' weights and sizes. */
    packLines(items: Array<{ line: OrderLine; quantity: number }>): PackedParcel {
        return packParcel(
            items.map(({ line, quantity }) => {
                const fields = (line.productVariant?.customFields ?? {}) as Record<string, unknown>;
                const num = (name: string) => Number(fields[name] ?? 0) || 0;
                return {
                    quantity,
                    weightGrams: num('weight'),
                    sizeCm: [num('length'), num('width'), num('height')],
                };
            }),
            {
                itemWeightGrams: this.options.defaultItemWeightGrams,
                itemSizeCm: this.options.defaultItemSizeCm,
            },
        );
    }

    /**
     * Every price asked: where it came from (`cache`, `postex`, `fallback` with the reason, `free`, `hidden`) and
     * how long it took. For metrics; nothing in the plugin depends on a subscriber.
     */
    readonly quoted = new Signal<{ source: string; reason?: string; seconds: number }>();

    async calculate(
        ctx: RequestContext,
        order: Order,
        args: PostexCalculatorArgs,
    ): Promise<ShippingQuoteResult | undefined> {
        const started = performance.now();
        const result = await this.price(order, args);
        const metadata = result?.metadata as {
            source?: string;
            freeShipping?: boolean;
            fallbackReason?: string;
        };
        this.quoted.emit({
            source: !result ? 'hidden' : metadata?.freeShipping ? 'free' : (metadata?.source ?? 'postex'),
            reason: metadata?.fallbackReason,
            seconds: (performance.now() - started) / 1000,
        });
        return result;
    }

    private async price(order: Order, args: PostexCalculatorArgs): Promise<ShippingQuoteResult | undefined> {
        const value = order.subTotalWithTax;
        if (args.freeShippingThreshold > 0 && value >= args.freeShippingThreshold) {
            return {
                price: 0,
                priceIncludesTax: true,
                taxRate: args.taxRate,
                metadata: { source: 'postex', freeShipping: true },
            };
        }
        const destination = await this.places.resolveCity(order.shippingAddress);
        if (!destination) {
            return this.failure(order, args, 'unknown-city');
        }
        const origin = args.originCityCode || this.options.originCityCode;
        const parcel = this.packOrder(order);
        const weightBucket = bucketUp(parcel.chargeableWeightGrams, this.options.weightBucketGrams);
        // Postex counts in Rial: the declared value is the order's value in whole Rials (money units / 100).
        const valueBucket = bucketUp(toRial(value), this.options.valueBucketRial);
        const key = quoteCacheKey({
            origin,
            destination: destination.code,
            weightBucket,
            valueBucket,
            service: [args.courierCode, args.serviceType].filter(Boolean).join('/'),
            collectionType: args.collectionType,
            paymentType: args.paymentType,
        });
        const cached = await this.cacheService.get<CachedQuote>(key);
        const outcome: QuoteOutcome = cached
            ? { ok: true, quote: cached, fromCache: true }
            : await this.coalescer.run(key, () =>
                  this.fetchQuote(
                      key,
                      {
                          collection_type: args.collectionType,
                          from_city_code: origin,
                          parcels: [
                              {
                                  custom_parcel_id: order.code,
                                  to_city_code: destination.code,
                                  payment_type: args.paymentType,
                                  // The bucket's upper bounds, so the cached price is right for every cart in the bucket.
                                  parcel_properties: {
                                      length: parcel.length,
                                      width: parcel.width,
                                      height: parcel.height,
                                      total_weight: Math.max(weightBucket, 1),
                                      total_value: valueBucket,
                                  },
                              },
                          ],
                          ...(args.courierCode && args.serviceType
                              ? {
                                    courier: {
                                        courier_code: args.courierCode,
                                        service_type: args.serviceType,
                                    },
                                }
                              : {}),
                      },
                      args,
                      order.code,
                  ),
              );
        if (!outcome.ok) {
            return this.failure(order, args, outcome.reason);
        }
        const q = outcome.quote;
        return {
            price: fromRial(q.totalPrice),
            priceIncludesTax: true,
            taxRate: q.initPrice > 0 ? Math.round((q.vat / q.initPrice) * 1000) / 10 : args.taxRate,
            metadata: {
                source: outcome.fromCache ? 'cache' : 'postex',
                courier: q.courierCode,
                courierName: q.courierName,
                service: q.serviceType,
                serviceName: q.serviceName,
                slaDays: q.slaDays,
            },
        };
    }

    private async fetchQuote(
        key: string,
        body: Parameters<PostexClient['quote']>[0],
        args: PostexCalculatorArgs,
        orderCode: string,
    ): Promise<QuoteOutcome> {
        if (!this.breaker.tryAcquire()) {
            return { ok: false, reason: 'circuit-open' };
        }
        const result = await this.client.quote(body, this.options.quoteTimeoutMs);
        if (!result.ok) {
            // A rejected request (e.g. unknown city) is our input's fault, not an outage.
            if (result.kind === 'rejected') {
                this.breaker.recordSuccess();
            } else {
                this.breaker.recordFailure(result.kind);
            }
            Logger.verbose(`Postex quote failed for order ${orderCode}: ${result.message}`, loggerCtx);
            return { ok: false, reason: failureReason(result.kind) };
        }
        this.breaker.recordSuccess();
        const service = pickService(
            result.data.shipping_prices.flatMap(p => p.service_price ?? []),
            args.courierCode,
            args.serviceType,
        );
        if (!service || !Number.isSafeInteger(service.totalPrice) || service.totalPrice < 0) {
            return { ok: false, reason: 'no-service' };
        }
        const quote: CachedQuote = {
            courierCode: service.courierCode,
            courierName: service.courierName,
            serviceType: service.serviceType,
            serviceName: service.serviceName,
            slaDays: service.slaDays,
            totalPrice: service.totalPrice,
            vat: service.vat,
            initPrice: service.initPrice,
        };
        await this.cacheService.set(key, quote, {
            ttl: this.options.quoteCacheTtlMs,
            tags: ['postex-quote'],
        });
        return { ok: true, quote, fromCache: false };
    }

    private failure(
        order: Order,
        args: PostexCalculatorArgs,
        reason: string,
    ): ShippingQuoteResult | undefined {
        if (args.onFailure === 'hide') {
            return undefined;
        }
        Logger.debug(`Postex fallback price for order ${order.code}: ${reason}`, loggerCtx);
        return {
            price: args.fallbackPrice,
            priceIncludesTax: true,
            taxRate: args.taxRate,
            metadata: { source: 'fallback', fallbackReason: reason },
        };
    }
}

function failureReason(kind: PostexFailureKind): string {
    return kind === 'timeout' ? 'timeout' : kind === 'rejected' ? 'rejected' : 'error';
}

/** The cheapest service matching the courier/service filter (empty filter fields match anything). */
export function pickService(
    services: PostexServicePrice[],
    courierCode: string,
    serviceType: string,
): PostexServicePrice | undefined {
    return services
        .filter(
            s =>
                (!courierCode || s.courierCode === courierCode) &&
                (!serviceType || s.serviceType === serviceType),
        )
        .sort((a, b) => a.totalPrice - b.totalPrice)[0];
}
