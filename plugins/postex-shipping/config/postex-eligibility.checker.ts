import { Injector, LanguageCode, ShippingEligibilityChecker } from '@vendure/core';

import { POSTEX_CHECKER_CODE } from '../constants';
import { PostexPlacesService } from '../service/postex-places.service';
import { PostexQuoteService } from '../service/postex-quote.service';

let places: PostexPlacesService;
let quotes: PostexQuoteService;
let defaultMaxWeight = 30_000;

export function setDefaultMaxWeight(grams: number): void {
    defaultMaxWeight = grams;
}

/** Eligible when the shipping address is in Iran, in a city Postex serves, and the parcel is within limits. */
export const postexEligibilityChecker = new ShippingEligibilityChecker({
    code: POSTEX_CHECKER_CODE,
    description: [
        {
            languageCode: LanguageCode.en,
            value: 'Iranian address in a Postex city, parcel within weight limits',
        },
        { languageCode: LanguageCode.fa, value: 'نشانی در شهرهای تحت پوشش پستکس و وزن مجاز' },
    ],
    args: {
        maxWeightGrams: {
            type: 'int',
            required: false,
            defaultValue: 0,
            label: [{ languageCode: LanguageCode.en, value: 'Maximum weight in grams (0: plugin option)' }],
        },
    },
    init(injector: Injector) {
        places = injector.get(PostexPlacesService);
        quotes = injector.get(PostexQuoteService);
    },
    async check(_ctx, order, args) {
        const city = await places.resolveCity(order.shippingAddress);
        if (!city) {
            return false;
        }
        const limit = args.maxWeightGrams || defaultMaxWeight;
        return quotes.packOrder(order).totalWeightGrams <= limit;
    },
});
