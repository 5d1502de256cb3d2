import { Parent, ResolveField, Resolver } from '@nestjs/graphql';
import { PluginCommonModule, roundMoney, VendurePlugin } from '@vendure/core';

interface Quote {
    price: number;
    priceWithTax: number;
}

/**
 * Vendure 3.7 derives a shipping quote's net price (or gross price) from the calculator's price with
 * `netPriceOf`/`grossPriceOf` and does not round it, so `eligibleShippingMethods { price }` of a VAT-inclusive
 * 500,000 Rial rate read 454,545.4545… Rial. These field resolvers round both through the money strategy, as
 * Vendure does for the shipping line the order gets, so a quote shows the same whole Rials as the order.
 */
@Resolver('ShippingMethodQuote')
export class ShippingMethodQuoteRoundingResolver {
    @ResolveField()
    price(@Parent() quote: Quote): number {
        return roundMoney(quote.price);
    }

    @ResolveField()
    priceWithTax(@Parent() quote: Quote): number {
        return roundMoney(quote.priceWithTax);
    }
}

/** The Admin API's `testShippingMethod` quote. */
@Resolver('TestShippingMethodQuote')
export class TestShippingMethodQuoteRoundingResolver extends ShippingMethodQuoteRoundingResolver {}

@VendurePlugin({
    imports: [PluginCommonModule],
    shopApiExtensions: { resolvers: [ShippingMethodQuoteRoundingResolver] },
    adminApiExtensions: {
        resolvers: [ShippingMethodQuoteRoundingResolver, TestShippingMethodQuoteRoundingResolver],
    },
    compatibility: '^3.7.0',
})
export class ShippingQuoteRoundingPlugin {}
