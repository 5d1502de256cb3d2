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

/**
 * Code at the start of the `transitionError` of a transition to ArrangingPayment refused because a one-time
 * discount (first order, uses per mobile) of the order was already used by another order of the shopper.
 */
export const DISCOUNT_ALREADY_USED = 'DISCOUNT_ALREADY_USED';

/** The `transitionError` a storefront shows when the checkout is refused; starts with a stable code. */
export const DISCOUNT_ALREADY_USED_MESSAGE =
    `${DISCOUNT_ALREADY_USED}: A one-time discount on this order (first order, or limited uses per mobile ` +
    'number) has already been used by another order with the same account, email or mobile number. The order ' +
    'has been recalculated without it: please check the new total before paying. | تخفیف یک‌بارمصرف این سفارش ' +
    '(اولین خرید یا محدود برای هر شماره موبایل) پیش‌تر در سفارش دیگری با همین حساب، ایمیل یا شماره موبایل ' +
    'استفاده شده است. مبلغ سفارش بدون آن دوباره محاسبه شد؛ لطفاً پیش از پرداخت مبلغ جدید را ببینید.';
