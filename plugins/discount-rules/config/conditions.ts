import { Injector, Logger, PromotionCondition } from '@vendure/core';

import { MINOR_UNITS_PER_RIAL } from '../../../src/iran/money';
import { loggerCtx, RULE_CODES } from '../constants';
import { jalaliPeriod, parseJalaliDate } from '../logic/jalali';
import { cheapestUnits } from '../logic/money-rules';
import { addressInRegion, provinceCodes } from '../logic/region';
import {
    isInWeeklyWindow,
    parseClockTime,
    wallTimeIn,
    WEEKDAY_CODES,
    WeekdayCode,
} from '../logic/tehran-time';
import { bestTier, parseTiers } from '../logic/tiers';
import { DiscountRulesService } from '../service/discount-rules.service';

import { enFa, PROVINCE_ARG_HELP } from './labels';

// Conditions are singletons built before Nest starts; Vendure hands them the injector in init().
let service: DiscountRulesService;
function init(injector: Injector): void {
    service = injector.get(DiscountRulesService);
}

/** 1. The shopper's first order: no earlier placed order by the same customer, email or mobile. */
export const firstOrderCondition = new PromotionCondition({
    code: RULE_CODES.firstOrder,
    description: enFa(
        "Customer's first order (no earlier order with the same account, email or mobile; needs the customer's details)",
        'اولین خرید مشتری (سفارش قبلی با همین حساب، ایمیل یا موبایل ندارد؛ پس از ورود اطلاعات مشتری)',
    ),
    args: {},
    init,
    async check(ctx, order) {
        return service.isFirstOrder(ctx, order, await service.identify(ctx, order));
    },
});

/** 2. Volume tiers: by quantity or by order amount; passes the best reached tier's percentage on. */
export const volumeTierCondition = new PromotionCondition({
    code: RULE_CODES.volumeTier,
    description: enFa(
        'Order reaches a volume tier (by { basis }): best tier only',
        'سفارش به یکی از پله‌های حجمی می‌رسد (بر اساس { basis })؛ فقط بهترین پله',
    ),
    args: {
        basis: {
            type: 'string',
            defaultValue: 'quantity',
            label: enFa('Tiers by', 'پله‌ها بر اساس'),
            ui: {
                component: 'select-form-input',
                options: [
                    { value: 'quantity', label: enFa('Number of items', 'تعداد کالا') },
                    {
                        value: 'amount',
                        label: enFa('Order amount (Rial, VAT incl.)', 'مبلغ سفارش (ریال، با مالیات)'),
                    },
                ],
            },
        },
        tiers: {
            type: 'string',
            list: true,
            label: enFa('Tiers (threshold:percent)', 'پله‌ها (آستانه:درصد)'),
            description: enFa(
                'One tier per row, e.g. 3:5, 5:10, 10:15 (3+ items 5%…) or 50000000:10 for amounts in Rial.',
                'هر ردیف یک پله، مثلاً 3:5 و 5:10 و 10:15 (از ۳ کالا ۵٪ …) یا 50000000:10 برای مبلغ به ریال.',
            ),
        },
    },
    init,
    check(ctx, order, args) {
        const { tiers, invalid } = parseTiers(args.tiers);
        if (invalid.length) {
            Logger.debug(`Ignoring malformed tiers ${JSON.stringify(invalid)}`, loggerCtx);
        }
        // Amount tiers are written in Rial, as merchants think of them; orders are in money units (Rial x 100).
        const value =
            args.basis === 'amount' ? order.subTotalWithTax / MINOR_UNITS_PER_RIAL : order.totalQuantity;
        const tier = bestTier(tiers, value);
        return tier ? { percent: tier.percent } : false;
    },
});

const WEEKDAY_LABELS: Record<WeekdayCode, [string, string]> = {
    sat: ['Saturday', 'شنبه'],
    sun: ['Sunday', 'یکشنبه'],
    mon: ['Monday', 'دوشنبه'],
    tue: ['Tuesday', 'سه‌شنبه'],
    wed: ['Wednesday', 'چهارشنبه'],
    thu: ['Thursday', 'پنجشنبه'],
    fri: ['Friday', 'جمعه'],
};

/** 3a. A recurring weekly window in Tehran time, e.g. Thursday and Friday 18:00–23:59. */
export const weeklyWindowCondition = new PromotionCondition({
    code: RULE_CODES.weeklyWindow,
    description: enFa(
        'Weekly time window (Tehran time) from { from } to { to }',
        'بازه زمانی هفتگی (به وقت تهران) از { from } تا { to }',
    ),
    args: {
        days: {
            type: 'string',
            list: true,
            label: enFa('Days', 'روزها'),
            ui: {
                component: 'select-form-input',
                options: (Object.keys(WEEKDAY_LABELS) as WeekdayCode[]).map(value => ({
                    value,
                    label: enFa(...WEEKDAY_LABELS[value]),
                })),
            },
        },
        from: {
            type: 'string',
            defaultValue: '00:00',
            label: enFa('From (HH:mm)', 'از ساعت (HH:mm)'),
        },
        to: {
            type: 'string',
            defaultValue: '23:59',
            label: enFa('To (HH:mm, inclusive)', 'تا ساعت (HH:mm، شامل)'),
            description: enFa(
                'Earlier than "from" = runs past midnight into the next day (the day listed is the start day).',
                'اگر زودتر از «از ساعت» باشد، بازه از نیمه‌شب می‌گذرد و تا روز بعد ادامه دارد (روز انتخاب‌شده روز شروع است).',
            ),
        },
    },
    init,
    check(ctx, order, args) {
        const from = parseClockTime(args.from);
        const to = parseClockTime(args.to);
        const days = args.days.filter((d): d is WeekdayCode =>
            (WEEKDAY_CODES as readonly string[]).includes(d),
        );
        if (from === undefined || to === undefined) {
            return false;
        }
        return isInWeeklyWindow({ days, from, to }, wallTimeIn(service.timeZone, service.now()));
    },
});

/** 3b. A campaign period in Jalali dates, whole days in Tehran time, e.g. Nowruz 1406/01/01–1406/01/13. */
export const jalaliPeriodCondition = new PromotionCondition({
    code: RULE_CODES.jalaliPeriod,
    description: enFa(
        'Campaign period (Jalali, Tehran time) from { from } to { to }',
        'دوره کمپین (تاریخ شمسی، به وقت تهران) از { from } تا { to }',
    ),
    args: {
        from: {
            type: 'string',
            label: enFa('First day (YYYY/MM/DD)', 'روز اول (سال/ماه/روز)'),
            description: enFa('Jalali date, e.g. 1406/01/01', 'تاریخ شمسی، مثلاً ۱۴۰۶/۰۱/۰۱'),
        },
        to: {
            type: 'string',
            label: enFa('Last day (YYYY/MM/DD, inclusive)', 'روز آخر (سال/ماه/روز، شامل)'),
            description: enFa('Jalali date, e.g. 1406/01/13', 'تاریخ شمسی، مثلاً ۱۴۰۶/۰۱/۱۳'),
        },
    },
    init,
    check(ctx, order, args) {
        const period = jalaliPeriodOf(args.from, args.to);
        const now = service.now().getTime();
        return !!period && now >= period.start.getTime() && now < period.end.getTime();
    },
});

// Conditions run many times per recalculation; the period of a promotion's args never changes.
const periods = new Map<string, { start: Date; end: Date } | undefined>();
function jalaliPeriodOf(fromText: string, toText: string): { start: Date; end: Date } | undefined {
    const key = `${service.timeZone}|${fromText}|${toText}`;
    if (!periods.has(key)) {
        const from = parseJalaliDate(fromText);
        const to = parseJalaliDate(toText);
        if (!from || !to) {
            Logger.warn(
                `Invalid Jalali period "${fromText}"–"${toText}": the promotion never applies`,
                loggerCtx,
            );
        }
        if (periods.size > 1000) {
            periods.clear();
        }
        periods.set(key, from && to ? jalaliPeriod(service.timeZone, from, to) : undefined);
    }
    return periods.get(key);
}

/**
 * 4. Needed by the cheapest-item action: the order has at least N items. Passes on which units are the
 * cheapest floor(items / N), per line, since an order-line action sees only its own line.
 */
export const everyNItemsCondition = new PromotionCondition({
    code: RULE_CODES.everyNItems,
    description: enFa(
        'Order has at least { n } items (counted in groups of { n })',
        'سفارش دست‌کم { n } کالا دارد (در گروه‌های { n } تایی)',
    ),
    args: {
        n: {
            type: 'int',
            defaultValue: 3,
            label: enFa('N (group size)', 'N (اندازه گروه)'),
            ui: { component: 'number-form-input', min: 1 },
        },
    },
    check(ctx, order, args) {
        if (args.n < 1 || order.totalQuantity < args.n) {
            return false;
        }
        const units = cheapestUnits(
            order.lines.map(l => ({ id: String(l.id), unitPrice: l.unitPriceWithTax, quantity: l.quantity })),
            args.n,
        );
        return { unitsPerLine: Object.fromEntries(units) };
    },
});

/** 5. Marks a promotion exclusive; the choice between it and the others is made by ExclusivePromotionsService. */
export const exclusiveCondition = new PromotionCondition({
    code: RULE_CODES.exclusive,
    description: enFa(
        'Exclusive: does not combine with other promotions. If it applies, the shopper gets whichever is larger: this promotion alone, or all combinable promotions together (ties: the combinable ones; between two exclusives: the one Vendure ranks first).',
        'انحصاری: با تخفیف دیگری جمع نمی‌شود. اگر شامل شود، هر کدام به نفع خریدار بیشتر باشد اعمال می‌شود: همین تخفیف به‌تنهایی یا همه تخفیف‌های قابل‌جمع با هم (در تساوی: تخفیف‌های قابل‌جمع؛ میان دو انحصاری: آنکه وندور زودتر اعمال می‌کند).',
    ),
    args: {},
    check() {
        return true;
    },
});

/** 6a. The shipping address is in one of the provinces (and, if listed, cities). */
export const shippingRegionCondition = new PromotionCondition({
    code: RULE_CODES.shippingRegion,
    description: enFa(
        'Shipping address in selected provinces/cities',
        'آدرس ارسال در استان‌ها/شهرهای انتخاب‌شده',
    ),
    args: {
        provinces: {
            type: 'string',
            list: true,
            label: enFa('Provinces', 'استان‌ها'),
            description: PROVINCE_ARG_HELP,
        },
        cities: {
            type: 'string',
            list: true,
            required: false,
            label: enFa('Cities (optional)', 'شهرها (اختیاری)'),
            description: enFa('Empty = every city of those provinces.', 'خالی یعنی همه شهرهای آن استان‌ها.'),
        },
    },
    check(ctx, order, args) {
        return addressInRegion(order.shippingAddress, {
            provinces: provinceCodes(args.provinces),
            cities: args.cities ?? [],
        });
    },
});

/** 8. Usage limit per mobile number, counted across accounts and guest checkouts with that number. */
export const usageLimitPerMobileCondition = new PromotionCondition({
    code: RULE_CODES.usageLimitPerMobile,
    description: enFa(
        'Usable { limit } times per mobile number (OTP accounts and guests; needs the mobile number)',
        'حداکثر { limit } بار برای هر شماره موبایل (حساب‌های ورود با کد یکبارمصرف و مهمان؛ پس از ورود شماره موبایل)',
    ),
    args: {
        limit: {
            type: 'int',
            defaultValue: 1,
            label: enFa('Uses per mobile number', 'دفعات مجاز برای هر موبایل'),
            ui: { component: 'number-form-input', min: 1 },
        },
    },
    init,
    async check(ctx, order, args, promotion) {
        const who = await service.identify(ctx, order);
        return service.withinMobileLimit(ctx, order, promotion.id, args.limit, who);
    },
});
