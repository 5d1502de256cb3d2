import { Inject, Injectable } from '@nestjs/common';
import { OrderType } from '@vendure/common/lib/generated-types';
import {
    Customer,
    ID,
    Order,
    OrderProcess,
    OrderState,
    RequestContext,
    RequestContextCacheService,
    TransactionalConnection,
} from '@vendure/core';
import { Brackets } from 'typeorm';

import { IranianMobile, normalizeIranianMobile } from '../../../src/iran/mobile';
import { PLUGIN_INIT_OPTIONS, SHIPPING_MOBILE_FIELD } from '../constants';
import { mobileSpellings } from '../logic/mobile-variants';
import { ResolvedDiscountRulesOptions } from '../types';

/** Who is buying, as far as the order tells: used to match earlier orders of the same person. */
export interface ShopperIdentity {
    customerId?: ID;
    email?: string;
    /** The customer's mobile and the shipping address's, when they are Iranian mobiles (at most two). */
    mobiles: IranianMobile[];
}

/** Records the shipping address's mobile on the order as it goes to payment (see SHIPPING_MOBILE_FIELD). */
export const recordShippingMobile: OrderProcess<OrderState> = {
    onTransitionStart(_fromState, toState, { order }) {
        if (toState === 'ArrangingPayment') {
            (order.customFields as Record<string, unknown>)[SHIPPING_MOBILE_FIELD] =
                normalizeIranianMobile(order.shippingAddress?.phoneNumber ?? '') ?? null;
        }
    },
};

/**
 * The database side of the discount rules. Promotion conditions run many times per order recalculation
 * (per line, per promotion, again for shipping), so every lookup is cached for the request.
 */
@Injectable()
export class DiscountRulesService {
    constructor(
        private connection: TransactionalConnection,
        private requestCache: RequestContextCacheService,
        @Inject(PLUGIN_INIT_OPTIONS) private options: ResolvedDiscountRulesOptions,
    ) {}

    now(): Date {
        return this.options.now();
    }

    get timeZone(): string {
        return this.options.timeZone;
    }

    /** The shopper's customer id, email and mobiles (the customer's phone and the shipping address's). */
    async identify(ctx: RequestContext, order: Order): Promise<ShopperIdentity> {
        const customerId = order.customerId ?? order.customer?.id;
        const customer =
            order.customer ??
            (customerId
                ? await this.requestCache.get(ctx, `dr:customer:${customerId}`, () =>
                      this.connection.getRepository(ctx, Customer).findOne({ where: { id: customerId } }),
                  )
                : undefined);
        const mobiles = [customer?.phoneNumber, order.shippingAddress?.phoneNumber]
            .map(phone => normalizeIranianMobile(phone ?? ''))
            .filter((m): m is IranianMobile => !!m);
        return {
            customerId,
            email: customer?.emailAddress?.toLowerCase() || undefined,
            mobiles: [...new Set(mobiles)],
        };
    }

    /**
     * Whether the same shopper has another order that is placed (not cancelled) or waiting for payment: same
     * customer, same email, or one of their mobiles as an earlier order's customer phone or shipping mobile
     * (guests get a Customer per email and may leave the customer phone empty). Orders waiting for payment
     * count, as in Vendure's own usage limits, so two open checkouts cannot both be "the first".
     */
    async hasEarlierOrder(ctx: RequestContext, order: Order, who: ShopperIdentity): Promise<boolean> {
        const key = `dr:earlier:${order.id}:${who.customerId}:${who.email}:${who.mobiles.join(',')}`;
        return this.requestCache.get(ctx, key, async () => {
            const qb = this.connection
                .getRepository(ctx, Order)
                .createQueryBuilder('o')
                .leftJoin('o.customer', 'c')
                .where('o.id != :orderId', { orderId: order.id })
                .andWhere('o.type != :seller', { seller: OrderType.Seller })
                .andWhere(placedOrWaitingForPayment())
                .andWhere(this.sameShopper(who));
            return (await qb.getCount()) > 0;
        });
    }

    /**
     * How often orders of this mobile number used the promotion: placed (not cancelled) orders plus orders
     * waiting for payment, as Vendure counts its own usage limits (so two open checkouts cannot both use it).
     */
    async countUsagesByMobile(
        ctx: RequestContext,
        promotionId: ID,
        mobiles: IranianMobile[],
        excludeOrderId: ID,
    ): Promise<number> {
        const key = `dr:usage:${promotionId}:${mobiles.join(',')}:${excludeOrderId}`;
        return this.requestCache.get(ctx, key, () =>
            this.connection
                .getRepository(ctx, Order)
                .createQueryBuilder('o')
                .innerJoin('o.promotions', 'p', 'p.id = :promotionId', { promotionId })
                .leftJoin('o.customer', 'c')
                .where('o.id != :orderId', { orderId: excludeOrderId })
                .andWhere('o.type != :seller', { seller: OrderType.Seller })
                .andWhere(placedOrWaitingForPayment())
                .andWhere(this.sameShopper({ mobiles }))
                .getCount(),
        );
    }

    private sameShopper(who: Partial<ShopperIdentity>): Brackets {
        return new Brackets(b => {
            b.where('1 = 0');
            if (who.customerId) {
                b.orWhere('c.id = :customerId', { customerId: who.customerId });
            }
            if (who.email) {
                b.orWhere('LOWER(c.emailAddress) = :email', { email: who.email });
            }
            if (who.mobiles?.length) {
                b.orWhere('c.phoneNumber IN (:...phones)', { phones: who.mobiles.flatMap(mobileSpellings) });
                b.orWhere(`o.customFields.${SHIPPING_MOBILE_FIELD} IN (:...mobiles)`, {
                    mobiles: who.mobiles,
                });
            }
        });
    }
}

/** Orders that count as used: waiting for payment, or placed and not cancelled. */
function placedOrWaitingForPayment(): Brackets {
    return new Brackets(b =>
        b
            .where('o.state = :arranging', { arranging: 'ArrangingPayment' })
            .orWhere(
                new Brackets(placed =>
                    placed
                        .where('o.orderPlacedAt IS NOT NULL')
                        .andWhere('o.state != :cancelled', { cancelled: 'Cancelled' }),
                ),
            ),
    );
}
