export const loggerCtx = 'PostexShippingPlugin';
export const PLUGIN_INIT_OPTIONS = Symbol('POSTEX_SHIPPING_PLUGIN_OPTIONS');

export const POSTEX_CALCULATOR_CODE = 'postex';
export const POSTEX_CHECKER_CODE = 'postex-eligibility';
export const POSTEX_HANDLER_CODE = 'postex';
export const COD_HANDLER_CODE = 'cash-on-delivery';
export const COD_CHECKER_CODE = 'cash-on-delivery-eligibility';

/** Rows per list of `postexParcelsNeedingAttention`, oldest first. */
export const ATTENTION_LIST_LIMIT = 200;

export const CREATE_PARCEL_QUEUE = 'postex-create-parcel';
export const SYNC_PLACES_QUEUE = 'postex-sync-places';
export const TRACKING_TASK_ID = 'postex-poll-tracking';
export const SYNC_PLACES_TASK_ID = 'postex-sync-places';
/** Admin UI form input of the `postexLabelUrl` custom field (registered by ui/providers.ts). */
export const POSTEX_LABEL_INPUT_ID = 'postex-label-link';

/** Path of a fulfillment's label PDF on this server (`GET`: an administrator's session, or a signed link). */
export function labelPath(fulfillmentId: string | number): string {
    return `/postex/label/${encodeURIComponent(String(fulfillmentId))}`;
}
