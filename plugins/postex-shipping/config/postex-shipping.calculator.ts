import { Injector, LanguageCode, Logger, ShippingCalculator } from '@vendure/core';

import { fromRial } from '../../../src/iran/money';
import { loggerCtx, POSTEX_CALCULATOR_CODE } from '../constants';
import { PostexCalculatorArgs, PostexQuoteService } from '../service/postex-quote.service';
import { PostexCollectionType, PostexPaymentType } from '../service/postex.client';

let quoteService: PostexQuoteService;

/** Fallback used when the method's `fallbackPrice` argument is not set: 700,000 Rial (70,000 Toman), in money units. */
export const DEFAULT_FALLBACK_PRICE = fromRial(700_000);

/**
 * Live Postex price for the order (see {@link PostexQuoteService}); never throws: on any failure it returns
 * the fallback price with `metadata.source = 'fallback'`, or hides the method when `onFailure` is `hide`.
 */
export const postexShippingCalculator = new ShippingCalculator({
    code: POSTEX_CALCULATOR_CODE,
    description: [
        { languageCode: LanguageCode.en, value: 'Postex live price' },
        { languageCode: LanguageCode.fa, value: 'قیمت لحظه‌ای پستکس' },
    ],
    args: {
        courierCode: {
            type: 'string',
            required: false,
            defaultValue: '',
            label: [{ languageCode: LanguageCode.en, value: 'Courier code (empty: cheapest of all)' }],
        },
        serviceType: {
            type: 'string',
            required: false,
            defaultValue: '',
            label: [{ languageCode: LanguageCode.en, value: 'Service type (empty: cheapest)' }],
        },
        collectionType: {
            type: 'string',
            required: false,
            defaultValue: 'pick_up',
            ui: {
                component: 'select-form-input',
                options: [{ value: 'pick_up' }, { value: 'courier_drop_off' }, { value: 'postex_drop_off' }],
            },
        },
        originCityCode: {
            type: 'int',
            required: false,
            defaultValue: 0,
            label: [{ languageCode: LanguageCode.en, value: 'Origin city code (0: plugin option)' }],
        },
        fallbackPrice: {
            type: 'int',
            required: false,
            defaultValue: DEFAULT_FALLBACK_PRICE,
            ui: { component: 'currency-form-input' },
            label: [{ languageCode: LanguageCode.en, value: 'Fallback price (Rial, VAT included)' }],
        },
        onFailure: {
            type: 'string',
            required: false,
            defaultValue: 'fallback',
            ui: { component: 'select-form-input', options: [{ value: 'fallback' }, { value: 'hide' }] },
        },
        freeShippingThreshold: {
            type: 'int',
            required: false,
            defaultValue: 0,
            ui: { component: 'currency-form-input' },
            label: [{ languageCode: LanguageCode.en, value: 'Free shipping from (Rial, 0: never)' }],
        },
        paymentType: {
            type: 'string',
            required: false,
            defaultValue: 'SENDER',
            ui: { component: 'select-form-input', options: [{ value: 'SENDER' }, { value: 'COD' }] },
        },
        taxRate: {
            type: 'int',
            required: false,
            defaultValue: 10,
            label: [{ languageCode: LanguageCode.en, value: 'Tax rate of fallback/free prices (%)' }],
        },
    },
    init(injector: Injector) {
        quoteService = injector.get(PostexQuoteService);
    },
    async calculate(ctx, order, args) {
        const resolved: PostexCalculatorArgs = {
            courierCode: args.courierCode ?? '',
            serviceType: args.serviceType ?? '',
            collectionType: (args.collectionType || 'pick_up') as PostexCollectionType,
            originCityCode: args.originCityCode ?? 0,
            fallbackPrice: args.fallbackPrice ?? DEFAULT_FALLBACK_PRICE,
            onFailure: args.onFailure === 'hide' ? 'hide' : 'fallback',
            freeShippingThreshold: args.freeShippingThreshold ?? 0,
            paymentType: (args.paymentType || 'SENDER') as PostexPaymentType,
            taxRate: args.taxRate ?? 10,
        };
        try {
            return await quoteService.calculate(ctx, order, resolved);
        } catch (e) {
            // Never break eligibleShippingMethods: an unexpected error is logged and priced like an outage.
            Logger.error(
                `Postex calculator failed for order ${order.code}: ${(e as Error).message}`,
                loggerCtx,
            );
            return resolved.onFailure === 'hide'
                ? undefined
                : {
                      price: resolved.fallbackPrice,
                      priceIncludesTax: true,
                      taxRate: resolved.taxRate,
                      metadata: { source: 'fallback', fallbackReason: 'error' },
                  };
        }
    },
});
