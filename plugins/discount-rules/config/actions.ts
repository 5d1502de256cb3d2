import { PromotionLineAction, PromotionOrderAction } from '@vendure/core';

import { roundToWholeRial } from '../../../src/iran/money';
import { RULE_CODES } from '../constants';
import { cappedPercentage } from '../logic/money-rules';

import { everyNItemsCondition, volumeTierCondition } from './conditions';
import { CAP_ARG, enFa } from './labels';

/** 2 + 7. The percentage of the best volume tier reached, optionally capped. */
export const tieredDiscountAction = new PromotionOrderAction({
    code: RULE_CODES.tieredDiscount,
    description: enFa(
        'Discount order by the percentage of the best volume tier reached (needs "Order reaches a volume tier")',
        'تخفیف سفارش به درصد بهترین پله حجمی (همراه شرط «سفارش به یکی از پله‌های حجمی می‌رسد»)',
    ),
    args: { maxDiscount: CAP_ARG },
    conditions: [volumeTierCondition],
    execute(ctx, order, args, state) {
        const base = ctx.channel.pricesIncludeTax ? order.subTotalWithTax : order.subTotal;
        return -cappedPercentage(base, state.dr_volume_tier.percent, args.maxDiscount);
    },
});

/** 7. "20% up to 500,000 Toman": an order percentage with a maximum amount. */
export const cappedPercentageAction = new PromotionOrderAction({
    code: RULE_CODES.cappedPercentage,
    description: enFa(
        'Discount order by { discount }% up to a maximum amount',
        'تخفیف { discount }٪ روی سفارش تا سقف مشخص',
    ),
    args: {
        discount: {
            type: 'float',
            label: enFa('Percentage', 'درصد'),
            ui: { component: 'number-form-input', suffix: '%', min: 0, max: 100 },
        },
        maxDiscount: CAP_ARG,
    },
    execute(ctx, order, args) {
        const base = ctx.channel.pricesIncludeTax ? order.subTotalWithTax : order.subTotal;
        return -cappedPercentage(base, args.discount, args.maxDiscount);
    },
});

/** 4. For every N items the cheapest gets a percentage off (100 = free); works across lines. */
export const cheapestItemAction = new PromotionLineAction({
    code: RULE_CODES.cheapestItem,
    description: enFa(
        'For every N items, the cheapest gets { discount }% off (100% = free; needs "Order has at least N items")',
        'به ازای هر N کالا، ارزان‌ترین { discount }٪ تخفیف می‌گیرد (۱۰۰٪ = رایگان؛ همراه شرط «سفارش دست‌کم N کالا دارد»)',
    ),
    args: {
        discount: {
            type: 'float',
            defaultValue: 100,
            label: enFa('Percentage off the cheapest', 'درصد تخفیف ارزان‌ترین'),
            ui: { component: 'number-form-input', suffix: '%', min: 0, max: 100 },
        },
    },
    conditions: [everyNItemsCondition],
    execute(ctx, orderLine, args, state) {
        const units = state.dr_every_n_items.unitsPerLine[String(orderLine.id)] ?? 0;
        const unitPrice = orderLine.listPriceIncludesTax ? orderLine.unitPriceWithTax : orderLine.unitPrice;
        return -roundToWholeRial((unitPrice * units * Math.min(args.discount, 100)) / 100);
    },
});
