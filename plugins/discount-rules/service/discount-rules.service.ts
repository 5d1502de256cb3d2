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
import { FIRST_ORDER_SCOPE, mobileLimitScope } from '../logic/claims';
import { mobileSpellings } from '../logic/mobile-variants';
import { ResolvedDiscountRulesOptions } from '../types';

/** `fresh`: query the database now rather than reuse this request's earlier answer (checks at checkout). */
export interface FreshOption {
    fresh?: boolean;
}

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
     * The first-order rule: the shopper is known (account, email or mobile) and has no other order placed or
     * waiting for payment, and this order was not refused the first order at checkout in this request.
     */
    async isFirstOrder(
        ctx: RequestContext,
        order: Order,
        who: ShopperIdentity,
        options: FreshOption = {},
    ): Promise<boolean> {
        if (!who.customerId && !who.email && !who.mobiles.length) {
            return false; // Unknown shopper: the discount shows once they say who they are.
        }
        if (this.usedElsewhere(ctx, order.id, FIRST_ORDER_SCOPE)) {
            return false;
        }
        return !(await this.hasEarlierOrder(ctx, order, who, options));
    }

    /** The per-mobile limit: the shopper has a mobile, used the promotion fewer than `limit` times. */
    async withinMobileLimit(
        ctx: RequestContext,
        order: Order,
        promotionId: ID,
        limit: number,
        who: ShopperIdentity,
        options: FreshOption = {},
    ): Promise<boolean> {
        if (!who.mobiles.length) {
            return false; // Cannot be counted without a number: applies once the shopper gives one.
        }
        if (this.usedElsewhere(ctx, order.id, mobileLimitScope(promotionId))) {
            return false;
        }
        return (await this.countUsagesByMobile(ctx, promotionId, who.mobiles, order.id, options)) < limit;
    }

    /**
     * Whether the same shopper has another order that is placed (not cancelled) or waiting for payment: same
     * customer, same email, or one of their mobiles as an earlier order's customer phone or shipping mobile
     * (guests get a Customer per email and may leave the customer phone empty). Orders waiting for payment
     * count, as in Vendure's own usage limits, so two open checkouts cannot both be "the first".
     */
    async hasEarlierOrder(
        ctx: RequestContext,
        order: Order,
        who: ShopperIdentity,
        { fresh = false }: FreshOption = {},
    ): Promise<boolean> {
        const query = async () => {
            const qb = this.connection
                .getRepository(ctx, Order)
                .createQueryBuilder('o')
                .leftJoin('o.customer', 'c')
                .where('o.id != :orderId', { orderId: order.id })
                .andWhere('o.type != :seller', { seller: OrderType.Seller })
                .andWhere(placedOrWaitingForPayment())
                .andWhere(this.sameShopper(who));
            return (await qb.getCount()) > 0;
        };
        const key = `dr:earlier:${order.id}:${who.customerId}:${who.email}:${who.mobiles.join(',')}`;
        return fresh ? query() : this.requestCache.get(ctx, key, query);
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
        { fresh = false }: FreshOption = {},
    ): Promise<number> {
        const query = () =>
            this.connection
                .getRepository(ctx, Order)
                .createQueryBuilder('o')
                .innerJoin('o.promotions', 'p', 'p.id = :promotionId', { promotionId })
                .leftJoin('o.customer', 'c')
                .where('o.id != :orderId', { orderId: excludeOrderId })
                .andWhere('o.type != :seller', { seller: OrderType.Seller })
                .andWhere(placedOrWaitingForPayment())
                .andWhere(this.sameShopper({ mobiles }))
                .getCount();
        const key = `dr:usage:${promotionId}:${mobiles.join(',')}:${excludeOrderId}`;
        return fresh ? query() : this.requestCache.get(ctx, key, query);
    }

    /**
     * Records that the order was refused a one-time discount at checkout because another order holds it, so
     * that the repricing in the same request leaves the discount off even before that other order is visible
     * as waiting for payment (later requests see it and decide the same by the usual rule).
     */
    markUsedElsewhere(ctx: RequestContext, orderId: ID, scope: string): void {
        this.requestCache.set(ctx, `dr:used-elsewhere:${orderId}:${scope}`, true);
    }

    usedElsewhere(ctx: RequestContext, orderId: ID, scope: string): boolean {
        return this.requestCache.get<boolean>(ctx, `dr:used-elsewhere:${orderId}:${scope}`) === true;
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
