import { LanguageCode, Logger, PaymentMethodHandler } from '@vendure/core';

import { formatRial } from '../../../src/iran/money';
import { COD_HANDLER_CODE, loggerCtx } from '../constants';

/**
 * Cash on delivery (پرداخت در محل): `addPaymentToOrder` authorizes the whole order total; the payment is
 * settled when Postex reports the COD parcel delivered and cancelled when it is returned (PostexParcelService).
 * An administrator may also settle it by hand (e.g. goods handed over in the shop).
 */
export const cashOnDeliveryHandler = new PaymentMethodHandler({
    code: COD_HANDLER_CODE,
    description: [
        { languageCode: LanguageCode.en, value: 'Cash on delivery' },
        { languageCode: LanguageCode.fa, value: 'پرداخت در محل' },
    ],
    args: {},
    createPayment: (_ctx, order, amount) => {
        Logger.info(`Order ${order.code}: cash on delivery authorized for ${formatRial(amount)}`, loggerCtx);
        return {
            amount,
            state: 'Authorized' as const,
            metadata: { cashOnDelivery: true, public: { cashOnDelivery: true } },
        };
    },
    settlePayment: () => ({ success: true }),
    cancelPayment: () => ({ success: true }),
});
