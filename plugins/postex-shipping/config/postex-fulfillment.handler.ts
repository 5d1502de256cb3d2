import {
    FulfillmentHandler,
    Injector,
    LanguageCode,
    OrderLine,
    Payment,
    TransactionalConnection,
} from '@vendure/core';

import { POSTEX_HANDLER_CODE } from '../constants';
import { coversWholeOrder } from '../service/parcel-math';
import { isAuthorizedCodPayment } from '../service/postex-parcel.service';

let connection: TransactionalConnection;

/**
 * Creates a Postex fulfillment. The parcel itself is created right after, by the `postex-create-parcel` job on
 * the worker (so a slow or failing Postex never blocks the Admin UI); the job stores the parcel number, the
 * tracking code and the label link on the fulfillment.
 *
 * A cash-on-delivery order ships as one parcel that collects its whole amount, so its Postex fulfillment must
 * hold every line of the order: split into several, each parcel would collect the whole order again.
 */
export const postexFulfillmentHandler = new FulfillmentHandler({
    code: POSTEX_HANDLER_CODE,
    description: [
        { languageCode: LanguageCode.en, value: 'Ship with Postex' },
        { languageCode: LanguageCode.fa, value: 'ارسال با پستکس' },
    ],
    args: {},
    init(injector: Injector) {
        connection = injector.get(TransactionalConnection);
    },
    async createFulfillment(ctx, orders, lines) {
        for (const order of orders) {
            const payments = await connection
                .getRepository(ctx, Payment)
                .find({ where: { order: { id: order.id } } });
            if (!payments.some(isAuthorizedCodPayment)) {
                continue;
            }
            const orderLines = await connection
                .getRepository(ctx, OrderLine)
                .find({ where: { order: { id: order.id } } });
            if (orders.length > 1 || !coversWholeOrder(orderLines, lines)) {
                throw new Error(
                    `Order ${order.code} is paid on delivery: ship all of its lines in one Postex fulfillment, whose parcel collects the whole amount`,
                );
            }
        }
        return { method: 'Postex', customFields: { postexStatus: 'QUEUED' } };
    },
});
