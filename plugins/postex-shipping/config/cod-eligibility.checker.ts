import { LanguageCode, PaymentMethodEligibilityChecker } from '@vendure/core';

import { COD_CHECKER_CODE } from '../constants';
import { canonicalProvinceName } from '../service/place-matching';

/**
 * Cash on delivery only for orders up to a maximum amount and, optionally, only in some provinces.
 * A message in Persian tells the shopper why it is not offered.
 */
export const cashOnDeliveryEligibilityChecker = new PaymentMethodEligibilityChecker({
    code: COD_CHECKER_CODE,
    description: [
        { languageCode: LanguageCode.en, value: 'Cash on delivery: maximum amount and provinces' },
        { languageCode: LanguageCode.fa, value: 'پرداخت در محل: سقف مبلغ و استان‌ها' },
    ],
    args: {
        maxOrderAmount: {
            type: 'int',
            required: false,
            defaultValue: 0,
            ui: { component: 'currency-form-input' },
            label: [{ languageCode: LanguageCode.en, value: 'Maximum order total (Rial, 0: no limit)' }],
        },
        provinces: {
            type: 'string',
            required: false,
            defaultValue: '',
            label: [
                {
                    languageCode: LanguageCode.en,
                    value: 'Provinces (comma separated names or IR-xx codes; empty: all)',
                },
            ],
        },
    },
    check: (_ctx, order, args) => {
        if (args.maxOrderAmount && order.totalWithTax > args.maxOrderAmount) {
            return 'مبلغ سفارش برای پرداخت در محل بیش از سقف مجاز است';
        }
        const allowed = (args.provinces ?? '')
            .split(/[,،]/)
            .map(p => p.trim())
            .filter(Boolean)
            .map(canonicalProvinceName);
        if (allowed.length && !allowed.includes(canonicalProvinceName(order.shippingAddress?.province))) {
            return 'پرداخت در محل برای این استان فعال نیست';
        }
        return true;
    },
});
