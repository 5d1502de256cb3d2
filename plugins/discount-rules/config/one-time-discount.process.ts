import { Injector, OrderProcess, OrderState } from '@vendure/core';

import { DiscountClaimService } from '../service/discount-claim.service';

let claims: DiscountClaimService;

/**
 * The one-time rules at checkout: an order going to ArrangingPayment claims its first-order and per-mobile
 * discounts inside the transition's transaction, or the transition is refused (the order repriced without
 * them, the `transitionError` starting with DISCOUNT_ALREADY_USED). Cancelling the order, or taking it back to
 * AddingItems, frees them. Registered after Vendure's default process, so its checks run first.
 */
export const oneTimeDiscountProcess: OrderProcess<OrderState> = {
    init(injector: Injector) {
        claims = injector.get(DiscountClaimService);
    },
    async onTransitionStart(_fromState, toState, { ctx, order }) {
        return toState === 'ArrangingPayment' ? claims.claimForPayment(ctx, order) : undefined;
    },
    async onTransitionEnd(fromState, toState, { ctx, order }) {
        // Every new cart goes Created -> AddingItems holding nothing: no query for those.
        if (toState === 'Cancelled' || (toState === 'AddingItems' && fromState !== 'Created')) {
            await claims.release(ctx, order.id);
        }
    },
};
