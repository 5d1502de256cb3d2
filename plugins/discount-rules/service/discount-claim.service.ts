import { Injectable } from '@nestjs/common';
import { ID } from '@vendure/common/lib/shared-types';
import {
    idsAreEqual,
    Logger,
    Order,
    OrderService,
    PromotionService,
    RequestContext,
    TransactionalConnection,
} from '@vendure/core';

import { DISCOUNT_ALREADY_USED_MESSAGE, loggerCtx, RULE_CODES } from '../constants';
import { DiscountClaim } from '../entities/discount-claim.entity';
import { ClaimPlan, claimPlans } from '../logic/claims';

import { DiscountRulesService, ShopperIdentity } from './discount-rules.service';

/**
 * Makes the one-time rules (first order, uses per mobile) hold when an order commits to payment. Conditions
 * run when the cart is repriced, so two carts of one shopper repriced before either is placed both show the
 * discount. At the transition to ArrangingPayment, inside that transition's transaction, the order claims a
 * row per rule and shopper identity ({@link DiscountClaim}, unique): the insert of a second checkout waits
 * for the first one's transaction (PostgreSQL) or sees its row (SQLite), so only one of them holds it, on any
 * number of server instances. The rule is then checked again against committed orders. An order refused
 * either way is repriced without the discount and the transition fails with DISCOUNT_ALREADY_USED_MESSAGE.
 */
@Injectable()
export class DiscountClaimService {
    constructor(
        private connection: TransactionalConnection,
        private rules: DiscountRulesService,
        private orderService: OrderService,
        private promotionService: PromotionService,
    ) {}

    /** Claims the order's one-time discounts; returns the refusal message, or undefined when it may go on. */
    async claimForPayment(ctx: RequestContext, order: Order): Promise<string | undefined> {
        await this.release(ctx, order.id); // whatever an earlier attempt of this order held
        const promotions = await this.promotionService.getActivePromotionsOnOrder(ctx, order.id);
        const who = await this.rules.identify(ctx, order);
        const refused: ClaimPlan[] = [];
        for (const plan of claimPlans(promotions, who)) {
            if (
                !(await this.claim(ctx, order.id, plan)) ||
                !(await this.stillApplies(ctx, order, who, plan))
            ) {
                refused.push(plan);
            }
        }
        if (!refused.length) {
            return undefined;
        }
        await this.release(ctx, order.id);
        for (const plan of refused) {
            this.rules.markUsedElsewhere(ctx, order.id, plan.scope);
        }
        await this.orderService.applyPriceAdjustments(ctx, order);
        Logger.info(
            `Order ${order.code}: checkout refused, ${refused.map(p => p.scope).join(', ')} already used by ` +
                'another order of the shopper; repriced without it',
            loggerCtx,
        );
        return DISCOUNT_ALREADY_USED_MESSAGE;
    }

    /** Frees the order's claims (cancelled, or back to AddingItems). */
    async release(ctx: RequestContext, orderId: ID): Promise<void> {
        await this.connection.getRepository(ctx, DiscountClaim).delete({ orderId });
    }

    /** Takes a free slot for every identity of the plan; false when one of them has none left. */
    private async claim(ctx: RequestContext, orderId: ID, plan: ClaimPlan): Promise<boolean> {
        const repository = this.connection.getRepository(ctx, DiscountClaim);
        for (const identity of plan.identities) {
            let held = false;
            for (let slot = 0; slot < plan.limit && !held; slot++) {
                const key = { scope: plan.scope, identityHash: identity.hash, slot };
                // ON CONFLICT DO NOTHING / INSERT OR IGNORE: a conflict is an answer, not an error that would
                // abort the PostgreSQL transaction. On PostgreSQL it waits for an uncommitted conflicting row.
                await repository
                    .createQueryBuilder()
                    .insert()
                    .into(DiscountClaim)
                    .values({ ...key, identityKind: identity.kind, orderId })
                    .orIgnore()
                    .updateEntity(false)
                    .execute();
                const holder = await repository.findOne({ where: key, select: { id: true, orderId: true } });
                held = !!holder && idsAreEqual(holder.orderId, orderId);
            }
            if (!held) {
                return false;
            }
        }
        return true;
    }

    /** The rule itself, against what is committed now (the claim made concurrent checkouts wait for it). */
    private stillApplies(
        ctx: RequestContext,
        order: Order,
        who: ShopperIdentity,
        plan: ClaimPlan,
    ): Promise<boolean> {
        return plan.rule === RULE_CODES.firstOrder
            ? this.rules.isFirstOrder(ctx, order, who, { fresh: true })
            : this.rules.withinMobileLimit(ctx, order, plan.promotionId, plan.limit, who, { fresh: true });
    }
}
