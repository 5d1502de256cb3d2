import { Injector, OrderProcess, OrderState } from '@vendure/core';

import { ZibalService } from '../service/zibal.service';

let zibalService: ZibalService;

/**
 * Keeps an order in ArrangingPayment while one of its Zibal payments is being verified: going back to the cart
 * (to add items, change quantities or the shipping method) or cancelling is refused with an
 * `OrderStateTransitionError` until the payment is settled or given up. Moving on to PaymentSettled or
 * PaymentAuthorized is how a payment ends the state, so those are not checked.
 */
export const zibalOrderProcess: OrderProcess<OrderState> = {
    init(injector: Injector) {
        zibalService = injector.get(ZibalService);
    },
    onTransitionStart(fromState, toState, { ctx, order }) {
        if (
            fromState !== 'ArrangingPayment' ||
            toState === 'PaymentSettled' ||
            toState === 'PaymentAuthorized'
        ) {
            return;
        }
        return zibalService.refuseOrderChange(ctx, order, fromState);
    },
};
