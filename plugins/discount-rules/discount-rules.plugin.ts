import { OnApplicationBootstrap } from '@nestjs/common';
import { APP_INTERCEPTOR } from '@nestjs/core';
import { ConfigService, Logger, PluginCommonModule, Type, VendurePlugin } from '@vendure/core';

import { RuleArgumentsInterceptor } from './api/rule-arguments.interceptor';
import { DEFAULT_TIME_ZONE, loggerCtx, PLUGIN_INIT_OPTIONS, SHIPPING_MOBILE_FIELD } from './constants';
import { cappedPercentageAction, cheapestItemAction, tieredDiscountAction } from './config/actions';
import {
    everyNItemsCondition,
    exclusiveCondition,
    firstOrderCondition,
    jalaliPeriodCondition,
    shippingRegionCondition,
    usageLimitPerMobileCondition,
    volumeTierCondition,
    weeklyWindowCondition,
} from './config/conditions';
import { oneTimeDiscountProcess } from './config/one-time-discount.process';
import { DiscountClaim } from './entities/discount-claim.entity';
import { DiscountClaimService } from './service/discount-claim.service';
import { DiscountRulesService, recordShippingMobile } from './service/discount-rules.service';
import { ExclusivePromotionsService } from './service/exclusive-promotions.service';
import { DiscountRulesPluginOptions, ResolvedDiscountRulesOptions } from './types';

/**
 * # Discount rules plugin
 *
 * Adds the promotions Iranian shops run that Vendure 3.7 lacks, as promotion conditions and actions with
 * English and Persian labels, so merchants set them up in the Admin UI's promotion editor:
 *
 * | rule | condition / action code |
 * |---|---|
 * | first order (account, email or mobile) | `dr_first_order` |
 * | volume tiers by quantity or amount, best tier only, optional cap | `dr_volume_tier` + `dr_tiered_percentage_discount` |
 * | weekly window in Tehran time (across midnight) | `dr_weekly_window` |
 * | Jalali campaign period (e.g. 1406/01/01–1406/01/13) | `dr_jalali_period` |
 * | every N items, the cheapest gets X% (100% = free) | `dr_every_n_items` + `dr_cheapest_item_discount` |
 * | exclusive: does not combine; best for the shopper wins | `dr_exclusive` |
 * | shipping province/city | `dr_shipping_region` |
 * | free shipping to provinces above an amount | `dr_shipping_region` + `minimum_order_amount` + `free_shipping` |
 * | "20% up to 500,000 Toman" | `dr_capped_order_percentage_discount` |
 * | usage limit per mobile number | `dr_usage_limit_per_mobile` |
 *
 * ## Setup
 * ```ts
 * plugins: [DiscountRulesPlugin.init({})]
 * ```
 * Apply the project's migrations (the plugin adds the table `discount_claim`). No GraphQL changes: the
 * storefront sees the discounts in the usual
 * `activeOrder { discounts { description amountWithTax } promotions { name } totalWithTax }`.
 *
 * ## One-time discounts at checkout
 * First-order and per-mobile discounts are claimed when the order goes to ArrangingPayment (one row per rule
 * and shopper identity, unique in the database, so concurrent checkouts on any number of instances cannot
 * both keep one). A refused checkout gets an `OrderStateTransitionError` whose `transitionError` starts with
 * `DISCOUNT_ALREADY_USED`, and the order is repriced without the discount:
 * ```graphql
 * mutation { transitionOrderToState(state: "ArrangingPayment") {
 *   ... on Order { state totalWithTax }
 *   ... on OrderStateTransitionError { errorCode transitionError } } }
 * ```
 * Show the message and the new total; the shopper may then go on without the discount.
 *
 * ## Exclusivity
 * A promotion with the "Exclusive" condition never combines with another. When one applies, the shopper
 * gets whichever is larger: all combinable promotions together, or one exclusive promotion alone
 * (ties: the combinable set, then the exclusive Vendure ranks first). See README.md.
 */
@VendurePlugin({
    imports: [PluginCommonModule],
    providers: [
        { provide: PLUGIN_INIT_OPTIONS, useFactory: () => DiscountRulesPlugin.options },
        DiscountRulesService,
        DiscountClaimService,
        ExclusivePromotionsService,
        // Promotions with arguments the rules cannot use are refused when saved.
        { provide: APP_INTERCEPTOR, useClass: RuleArgumentsInterceptor },
    ],
    entities: [DiscountClaim],
    configuration: config => {
        config.promotionOptions.promotionConditions.push(
            firstOrderCondition,
            volumeTierCondition,
            weeklyWindowCondition,
            jalaliPeriodCondition,
            everyNItemsCondition,
            exclusiveCondition,
            shippingRegionCondition,
            usageLimitPerMobileCondition,
        );
        config.promotionOptions.promotionActions.push(
            tieredDiscountAction,
            cappedPercentageAction,
            cheapestItemAction,
        );
        // The mobile of the shipping address, recorded as the order goes to payment: per-person rules find
        // earlier orders by it too, not only by the customer's own phone (which a guest may leave empty).
        config.customFields.Order = [
            ...(config.customFields.Order ?? []),
            { name: SHIPPING_MOBILE_FIELD, type: 'string', nullable: true, internal: true },
        ];
        config.orderOptions.process = [
            ...(config.orderOptions.process ?? []),
            recordShippingMobile,
            oneTimeDiscountProcess,
        ];
        return config;
    },
    compatibility: '^3.7.0',
})
export class DiscountRulesPlugin implements OnApplicationBootstrap {
    static options: ResolvedDiscountRulesOptions = { now: () => new Date(), timeZone: DEFAULT_TIME_ZONE };

    constructor(
        private exclusivePromotions: ExclusivePromotionsService,
        private configService: ConfigService,
    ) {}

    static init(options: DiscountRulesPluginOptions = {}): Type<DiscountRulesPlugin> {
        this.options = {
            now: options.now ?? (() => new Date()),
            timeZone: options.timeZone ?? DEFAULT_TIME_ZONE,
        };
        return DiscountRulesPlugin;
    }

    onApplicationBootstrap(): void {
        this.exclusivePromotions.install();
        // A process after ours that refuses the move to ArrangingPayment would leave the order's claims held
        // until it is cancelled or goes to payment again.
        const processes = this.configService.orderOptions.process;
        const ours = processes.indexOf(oneTimeDiscountProcess);
        if (ours < 0) {
            Logger.warn(
                'The order process of DiscountRulesPlugin was removed from orderOptions.process: first-order and ' +
                    'per-mobile discounts are not claimed at checkout',
                loggerCtx,
            );
        } else if (processes.slice(ours + 1).some(p => p.onTransitionStart)) {
            Logger.warn(
                'An order process registered after DiscountRulesPlugin checks transitions: register that plugin ' +
                    'before DiscountRulesPlugin so one-time discounts are claimed only by orders that go to payment',
                loggerCtx,
            );
        }
    }
}
