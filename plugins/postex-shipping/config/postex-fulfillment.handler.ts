import { FulfillmentHandler, LanguageCode } from '@vendure/core';

import { POSTEX_HANDLER_CODE } from '../constants';

/**
 * Creates a Postex fulfillment. The parcel itself is created right after, by the `postex-create-parcel` job on
 * the worker (so a slow or failing Postex never blocks the Admin UI); the job stores the parcel number, the
 * tracking code and the label link on the fulfillment.
 */
export const postexFulfillmentHandler = new FulfillmentHandler({
    code: POSTEX_HANDLER_CODE,
    description: [
        { languageCode: LanguageCode.en, value: 'Ship with Postex' },
        { languageCode: LanguageCode.fa, value: 'ارسال با پستکس' },
    ],
    args: {},
    createFulfillment: () => ({
        method: 'Postex',
        customFields: { postexStatus: 'QUEUED' },
    }),
});
