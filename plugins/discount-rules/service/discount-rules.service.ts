import { Inject, Injectable } from '@nestjs/common';
import { OrderType } from '@vendure/common/lib/generated-types';
import {
    Customer,
    ID,
    Order,
    RequestContext,
    RequestContextCacheService,
    TransactionalConnection,
} from '@vendure/core';
import { Brackets } from 'typeorm';

import { IranianMobile, normalizeIranianMobile } from '../../../src/iran/mobile';
import { PLUGIN_INIT_OPTIONS } from '../constants';
import { mobileSpellings } from '../logic/mobile-variants';
import { ResolvedDiscountRulesOptions } from '../types';

/** Who is buying, as far as the order tells: used to match earlier orders of the same person. */
export interface ShopperIdentity {
    customerId?: ID;
    email?: string;
    mobile?: IranianMobile;
}

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

    /** The shopper's customer id, email and mobile (customer's phone, else the shipping address's phone). */
    async identify(ctx: RequestContext, order: Order): Promise<ShopperIdentity> {
        const customerId = order.customerId ?? order.customer?.id;
        const customer =
            order.customer ??
            (customerId
                ? await this.requestCache.get(ctx, `dr:customer:${customerId}`, () =>
                      this.connection.getRepository(ctx, Customer).findOne({ where: { id: customerId } }),
                  )
                : undefined);
        const phone = customer?.phoneNumber || order.shippingAddress?.phoneNumber || '';
        return {
            customerId,
            email: customer?.emailAddress?.toLowerCase() || undefined,
            mobile: normalizeIranianMobile(phone),
        };
    }

    /**
     * Whether the same shopper placed an order before (not cancelled): same customer, same email or same
     * mobile number (guests get a Customer per email, so the email match covers repeat guests).
     */
    async hasEarlierOrder(ctx: RequestContext, order: Order, who: ShopperIdentity): Promise<boolean> {
        const key = `dr:earlier:${order.id}:${who.customerId}:${who.email}:${who.mobile}`;
        return this.requestCache.get(ctx, key, async () => {
            const qb = this.connection
                .getRepository(ctx, Order)
                .createQueryBuilder('o')
                .leftJoin('o.customer', 'c')
                .where('o.id != :orderId', { orderId: order.id })
                .andWhere('o.orderPlacedAt IS NOT NULL')
                .andWhere('o.state != :cancelled', { cancelled: 'Cancelled' })
                .andWhere('o.type != :seller', { seller: OrderType.Seller })
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
        mobile: IranianMobile,
        excludeOrderId: ID,
    ): Promise<number> {
        const key = `dr:usage:${promotionId}:${mobile}:${excludeOrderId}`;
        return this.requestCache.get(ctx, key, () =>
            this.connection
                .getRepository(ctx, Order)
                .createQueryBuilder('o')
                .innerJoin('o.promotions', 'p', 'p.id = :promotionId', { promotionId })
                .innerJoin('o.customer', 'c')
                .where('o.id != :orderId', { orderId: excludeOrderId })
                .andWhere('o.type != :seller', { seller: OrderType.Seller })
                .andWhere('c.phoneNumber IN (:...phones)', { phones: mobileSpellings(mobile) })
                .andWhere(
                    new Brackets(b =>
                        b
                            .where('o.state = :arranging', { arranging: 'ArrangingPayment' })
                            .orWhere(
                                new Brackets(placed =>
                                    placed
                                        .where('o.orderPlacedAt IS NOT NULL')
                                        .andWhere('o.state != :cancelled', { cancelled: 'Cancelled' }),
                                ),
                            ),
                    ),
                )
                .getCount(),
        );
    }

    private sameShopper(who: ShopperIdentity): Brackets {
        return new Brackets(b => {
            b.where('1 = 0');
            if (who.customerId) {
                b.orWhere('c.id = :customerId', { customerId: who.customerId });
            }
            if (who.email) {
                b.orWhere('LOWER(c.emailAddress) = :email', { email: who.email });
            }
            if (who.mobile) {
                b.orWhere('c.phoneNumber IN (:...phones)', { phones: mobileSpellings(who.mobile) });
            }
        });
    }
}
