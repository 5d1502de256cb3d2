import { PluginCommonModule, Type, VendurePlugin } from '@vendure/core';

import { adminApiExtensions, shopApiExtensions } from './api/api-extensions';
import {
    MarkZibalAttemptRefundedResultResolver,
    ZibalAdminResolver,
    ZibalCallbackController,
    ZibalPaymentIntentResultResolver,
    ZibalShopResolver,
} from './api/zibal.resolvers';
import { zibalReconcileTask } from './config/reconcile.task';
import { zibalOrderProcess } from './config/zibal-order-process';
import { zibalPaymentHandler } from './config/zibal-payment.handler';
import { CLAIM_TTL_MS, ZIBAL_PLUGIN_OPTIONS } from './constants';
import { ZibalPaymentAttempt } from './entities/zibal-payment-attempt.entity';
import { OrderLock } from './service/order-lock';
import { ZibalService } from './service/zibal.service';
import { ResolvedZibalOptions, ZibalPluginOptions } from './types';

/**
 * @description
 * Zibal (زیبال) payments for Iranian bank cards, with the redirect flow:
 *
 * 1. The storefront calls `createZibalPaymentIntent` on the active order (customer, shipping address and
 *    shipping method set) and sends the browser to the returned `paymentUrl`.
 * 2. Zibal sends the browser back to `GET /payments/zibal/callback`. The plugin trusts nothing in that query:
 *    it verifies the stored attempt with Zibal and adds a Settled payment only for the verified, stored amount,
 *    exactly once however often the callback arrives, and one payment per order however many attempts were paid,
 *    then redirects to the storefront's success or failure page. While a payment is being verified, the order
 *    cannot go back to AddingItems (an `OrderStateTransitionError`).
 * 3. A scheduled task (`zibal-reconcile`, on the worker) settles payments whose shopper closed the browser and
 *    expires abandoned attempts, through the same settle path.
 * 4. Refunds go through Zibal's platform API when a platform token is set, else they are recorded for staff.
 *
 * ```ts
 * plugins: [
 *   ZibalPaymentPlugin.init({
 *     merchant: process.env.ZIBAL_MERCHANT,
 *     apiUrl: 'https://gateway.zibal.ir',
 *     publicUrl: 'https://api.shop.ir',
 *     storefrontUrl: 'https://shop.ir',
 *   }),
 * ]
 * ```
 * Then create a PaymentMethod with the `zibal` handler. See the plugin's README for the GraphQL API and errors.
 *
 * @docsCategory plugins
 */
@VendurePlugin({
    imports: [PluginCommonModule],
    entities: [ZibalPaymentAttempt],
    providers: [
        { provide: ZIBAL_PLUGIN_OPTIONS, useFactory: () => ZibalPaymentPlugin.options },
        OrderLock,
        ZibalService,
    ],
    controllers: [ZibalCallbackController],
    shopApiExtensions: {
        schema: shopApiExtensions,
        resolvers: [ZibalShopResolver, ZibalPaymentIntentResultResolver],
    },
    adminApiExtensions: {
        schema: adminApiExtensions,
        resolvers: [ZibalAdminResolver, MarkZibalAttemptRefundedResultResolver],
    },
    configuration: config => {
        config.paymentOptions.paymentMethodHandlers.push(zibalPaymentHandler);
        // An order stays as it is while one of its Zibal payments is being verified.
        config.orderOptions.process = [...(config.orderOptions.process ?? []), zibalOrderProcess];
        // A manual refund stays Pending until staff settle it; Vendure always transitions a new refund to the
        // handler's state, and its default process has no Pending -> Pending.
        config.paymentOptions.refundProcess = [
            ...(config.paymentOptions.refundProcess ?? []),
            { transitions: { Pending: { to: ['Pending'] } } },
        ];
        config.schedulerOptions.tasks = [
            ...(config.schedulerOptions.tasks ?? []),
            zibalReconcileTask.configure({ schedule: ZibalPaymentPlugin.options.reconcileSchedule }),
        ];
        return config;
    },
    compatibility: '^3.7.0',
})
export class ZibalPaymentPlugin {
    static options: ResolvedZibalOptions;

    static init(options: ZibalPluginOptions): Type<ZibalPaymentPlugin> {
        const storefront = options.storefrontUrl.replace(/\/$/, '');
        this.options = {
            connectTimeoutMs: 10_000,
            readTimeoutMs: 30_000,
            shopperTimeoutMs: 2_500,
            reconcileAfterMs: 10 * 60_000,
            claimTtlMs: CLAIM_TTL_MS,
            expireAfterMs: 60 * 60_000,
            reconcileSchedule: '*/5 * * * *',
            platformApiUrl: 'https://api.zibal.ir',
            successPath: code => `${storefront}/checkout/confirmation/${encodeURIComponent(code)}`,
            failurePath: code => `${storefront}/checkout/payment-failed/${encodeURIComponent(code)}`,
            ...options,
            apiUrl: options.apiUrl.replace(/\/$/, ''),
            publicUrl: options.publicUrl.replace(/\/$/, ''),
            storefrontUrl: storefront,
        };
        return ZibalPaymentPlugin;
    }
}
