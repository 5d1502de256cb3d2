export const loggerCtx = 'DiscountRulesPlugin';
export const PLUGIN_INIT_OPTIONS = Symbol('DISCOUNT_RULES_PLUGIN_OPTIONS');
export const DEFAULT_TIME_ZONE = 'Asia/Tehran';

/** Codes of the promotion conditions and actions this plugin adds (stored in each Promotion's JSON). */
export const RULE_CODES = {
    firstOrder: 'dr_first_order',
    volumeTier: 'dr_volume_tier',
    weeklyWindow: 'dr_weekly_window',
    jalaliPeriod: 'dr_jalali_period',
    everyNItems: 'dr_every_n_items',
    exclusive: 'dr_exclusive',
    shippingRegion: 'dr_shipping_region',
    usageLimitPerMobile: 'dr_usage_limit_per_mobile',
    tieredDiscount: 'dr_tiered_percentage_discount',
    cheapestItem: 'dr_cheapest_item_discount',
    cappedPercentage: 'dr_capped_order_percentage_discount',
} as const;

/** Internal Order custom field: the canonical mobile of the shipping address once the order went to payment. */
export const SHIPPING_MOBILE_FIELD = 'shippingMobile';
