import { LanguageCode, PluginCommonModule, ScheduledTask, Type, VendurePlugin } from '@vendure/core';

import { adminApiExtensions, shopApiExtensions } from './api/api-extensions';
import {
    PostexAdminResolver,
    PostexFulfillmentResolver,
    PostexLabelLinkResultResolver,
    RetryPostexParcelCreationResultResolver,
    PostexPlacesResolver,
} from './api/postex.resolver';
import { PostexLabelController } from './api/postex-label.controller';
import { cashOnDeliveryEligibilityChecker } from './config/cod-eligibility.checker';
import { cashOnDeliveryHandler } from './config/cod-payment.handler';
import { postexEligibilityChecker, setDefaultMaxWeight } from './config/postex-eligibility.checker';
import { postexFulfillmentHandler } from './config/postex-fulfillment.handler';
import { postexShippingCalculator } from './config/postex-shipping.calculator';
import {
    PLUGIN_INIT_OPTIONS,
    POSTEX_LABEL_INPUT_ID,
    SYNC_PLACES_TASK_ID,
    TRACKING_TASK_ID,
} from './constants';
import { PostexCity, PostexProvince } from './entities/postex-place.entity';
import { PostexClient } from './service/postex.client';
import { PostexLabelService } from './service/postex-label.service';
import { PostexParcelService } from './service/postex-parcel.service';
import { PostexPlacesService } from './service/postex-places.service';
import { PostexQuoteService } from './service/postex-quote.service';
import { PostexShippingInitOptions, PostexShippingOptions } from './types';

export const DEFAULT_OPTIONS: Omit<PostexShippingOptions, 'apiUrl'> = {
    apiKey: '',
    quoteTimeoutMs: 2_500,
    requestTimeoutMs: 10_000,
    quoteCacheTtlMs: 30 * 60_000,
    weightBucketGrams: 500,
    valueBucketRial: 10_000_000,
    breakerFailureThreshold: 3,
    breakerCooldownMs: 30_000,
    defaultItemWeightGrams: 500,
    defaultItemSizeCm: [20, 15, 10],
    maxParcelWeightGrams: 30_000,
    originCityCode: 2401,
    sender: { name: 'فروشگاه', phone: '02100000000', address: 'تهران', postalCode: '1111111111' },
    trackingSchedule: '*/10 * * * *',
    placesSyncSchedule: '0 3 * * *',
    createParcelRetries: 5,
    lateParcelLookupMs: 30_000,
    labelLinkTtlSeconds: 300,
};

/**
 * # Postex shipping and cash on delivery
 *
 * Live Postex prices at checkout (cached, coalesced, with a timeout, a circuit breaker and a fallback price),
 * Postex provinces and cities synced into the database for address pickers, parcels created on the worker and
 * tracked by a scheduled task, and a cash-on-delivery payment method settled when the parcel is delivered.
 *
 * ## Setup
 * ```ts
 * PostexShippingPlugin.init({ apiUrl: 'https://api.postex.ir/api/v1', apiKey: process.env.POSTEX_API_KEY, originCityCode: 2401 })
 * ```
 * then run the migration that creates `postex_province`, `postex_city` and the fulfillment custom fields.
 * Create a shipping method with calculator `postex`, checker `postex-eligibility` and fulfillment handler
 * `postex`, and a payment method with handler `cash-on-delivery` (checker `cash-on-delivery-eligibility`).
 *
 * ## Storefront
 * ```graphql
 * query { postexProvinces { code name } postexCities(provinceCode: 24) { code name } }
 * query { eligibleShippingMethods { id code priceWithTax metadata } }  # metadata: courier, service, slaDays, source
 * mutation { addPaymentToOrder(input: { method: "cash-on-delivery", metadata: {} }) { ... on Order { state } } }
 * ```
 * See README.md for the options, the packing rule, the cache and breaker behaviour and the COD flow.
 */
@VendurePlugin({
    imports: [PluginCommonModule],
    compatibility: '^3.7.0',
    entities: [PostexProvince, PostexCity],
    providers: [
        { provide: PLUGIN_INIT_OPTIONS, useFactory: () => PostexShippingPlugin.options },
        {
            // One client for the plugin's services.
            provide: PostexClient,
            useFactory: (options: PostexShippingOptions) =>
                new PostexClient({
                    baseUrl: options.apiUrl,
                    apiKey: options.apiKey,
                    timeoutMs: options.requestTimeoutMs,
                }),
            inject: [PLUGIN_INIT_OPTIONS],
        },
        PostexPlacesService,
        PostexQuoteService,
        PostexParcelService,
        PostexLabelService,
    ],
    controllers: [PostexLabelController],
    shopApiExtensions: { schema: shopApiExtensions, resolvers: [PostexPlacesResolver] },
    adminApiExtensions: {
        schema: adminApiExtensions,
        resolvers: [
            PostexPlacesResolver,
            PostexAdminResolver,
            PostexFulfillmentResolver,
            PostexLabelLinkResultResolver,
            RetryPostexParcelCreationResultResolver,
        ],
    },
    configuration: config => {
        const options = PostexShippingPlugin.options;
        setDefaultMaxWeight(options.maxParcelWeightGrams);
        config.shippingOptions.shippingCalculators.push(postexShippingCalculator);
        config.shippingOptions.shippingEligibilityCheckers.push(postexEligibilityChecker);
        config.shippingOptions.fulfillmentHandlers.push(postexFulfillmentHandler);
        config.paymentOptions.paymentMethodHandlers.push(cashOnDeliveryHandler);
        config.paymentOptions.paymentMethodEligibilityCheckers = [
            ...(config.paymentOptions.paymentMethodEligibilityCheckers ?? []),
            cashOnDeliveryEligibilityChecker,
        ];
        const readonly = { public: false, readonly: true, nullable: true } as const;
        config.customFields.Fulfillment = [
            ...(config.customFields.Fulfillment ?? []),
            {
                name: 'postexParcelNo',
                type: 'string',
                ...readonly,
                label: [
                    { languageCode: LanguageCode.en, value: 'Postex parcel no.' },
                    { languageCode: LanguageCode.fa, value: 'شماره مرسوله پستکس' },
                ],
            },
            {
                name: 'postexStatus',
                type: 'string',
                ...readonly,
                label: [
                    { languageCode: LanguageCode.en, value: 'Postex status' },
                    { languageCode: LanguageCode.fa, value: 'وضعیت پستکس' },
                ],
            },
            {
                name: 'postexLabelUrl',
                type: 'string',
                ...readonly,
                // The Admin UI extension (ui-extension.ts) shows a download button that asks for a signed link;
                // the prebuilt Admin UI, without it, shows the path as text.
                ui: { component: POSTEX_LABEL_INPUT_ID },
                label: [
                    { languageCode: LanguageCode.en, value: 'Postex label (PDF)' },
                    { languageCode: LanguageCode.fa, value: 'برچسب پستکس (PDF)' },
                ],
            },
        ];
        config.schedulerOptions.tasks = [
            ...(config.schedulerOptions.tasks ?? []),
            new ScheduledTask({
                id: TRACKING_TASK_ID,
                description: 'Polls Postex tracking events and moves fulfillments and COD payments along',
                schedule: options.trackingSchedule,
                preventOverlap: true,
                execute: async ({ injector, scheduledContext }) =>
                    injector.get(PostexParcelService).pollTracking(scheduledContext),
            }),
            new ScheduledTask({
                id: SYNC_PLACES_TASK_ID,
                description: 'Queues a sync of the Postex provinces and cities',
                schedule: options.placesSyncSchedule,
                execute: async ({ injector }) => {
                    await injector.get(PostexPlacesService).enqueueSync('schedule');
                    return { queued: true };
                },
            }),
        ];
        return config;
    },
})
export class PostexShippingPlugin {
    static options: PostexShippingOptions;

    static init(options: PostexShippingInitOptions): Type<PostexShippingPlugin> {
        this.options = { ...DEFAULT_OPTIONS, ...options, apiUrl: options.apiUrl.replace(/\/$/, '') };
        return PostexShippingPlugin;
    }
}
