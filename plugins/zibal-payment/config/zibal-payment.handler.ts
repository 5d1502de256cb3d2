import { Injector, LanguageCode, Logger, PaymentMethodHandler } from '@vendure/core';

import { loggerCtx, ZIBAL_HANDLER_CODE } from '../constants';
import { payableAmount, ZibalService } from '../service/zibal.service';

let zibalService: ZibalService;

/**
 * The `zibal` payment method handler. Payments are created only by the plugin itself, after Zibal verified them
 * (see ZibalService.settleAttempt); `addPaymentToOrder` called by a shopper with this method is declined.
 */
export const zibalPaymentHandler = new PaymentMethodHandler({
    code: ZIBAL_HANDLER_CODE,
    description: [
        { languageCode: LanguageCode.en, value: 'Zibal online payment (Iranian bank cards)' },
        { languageCode: LanguageCode.fa, value: 'پرداخت اینترنتی زیبال (کارت‌های بانکی عضو شتاب)' },
    ],
    args: {},
    init(injector: Injector) {
        zibalService = injector.get(ZibalService);
    },
    async createPayment(ctx, order, amount, _args, metadata) {
        const attempt =
            ctx.apiType === 'admin'
                ? await zibalService.findAttemptBeingSettled(metadata.trackId, metadata.claimToken)
                : undefined;
        if (!attempt || attempt.orderId !== String(order.id)) {
            Logger.warn(
                `order ${order.code}: declined a zibal payment that the plugin did not verify`,
                loggerCtx,
            );
            return {
                amount: order.totalWithTax,
                state: 'Declined',
                errorMessage: 'Zibal payments are added by the payment callback, not by addPaymentToOrder',
                metadata: {},
            };
        }
        if (amount !== order.totalWithTax || payableAmount(order) !== attempt.amount) {
            // The settle checked the order under its lock; this is the last word, on the order Vendure pays.
            const why = `the order owes ${amount} of ${order.totalWithTax}, the verified payment is for ${attempt.amount}`;
            Logger.error(`order ${order.code}: declined trackId ${attempt.trackId}: ${why}`, loggerCtx);
            return {
                amount,
                state: 'Declined',
                errorMessage: `The order changed while its payment was verified: ${why}`,
                metadata: { trackId: attempt.trackId },
            };
        }
        return {
            amount: attempt.amount,
            state: 'Settled',
            transactionId: attempt.refNumber ?? attempt.trackId,
            metadata: {
                trackId: attempt.trackId,
                refNumber: attempt.refNumber,
                cardNumber: attempt.maskedCardNumber,
                paidAt: attempt.paidAt,
                statusHistory: attempt.history.map(
                    e => `${e.at} ${e.event}${e.status != null ? ` (status ${e.status})` : ''}`,
                ),
                public: { trackId: attempt.trackId, refNumber: attempt.refNumber },
            },
        };
    },
    settlePayment() {
        // Zibal payments are created Settled.
        return { success: true };
    },
    async createRefund(ctx, input, amount, order, payment) {
        return zibalService.refund(ctx, order.code, payment, amount, input.reason ?? undefined);
    },
});
