export const loggerCtx = 'ZibalPaymentPlugin';
export const ZIBAL_PLUGIN_OPTIONS = Symbol('ZIBAL_PLUGIN_OPTIONS');
export const ZIBAL_HANDLER_CODE = 'zibal';
export const ZIBAL_RECONCILE_TASK_ID = 'zibal-reconcile';
export const CALLBACK_PATH = 'payments/zibal/callback';
/** Zibal refuses amounts of 1,000 Rial or less (result 105). In Rial, as Zibal counts. */
export const ZIBAL_MINIMUM_RIAL = 1001;
/** Default of `claimTtlMs`: how long one process may hold an attempt while it verifies and settles it. */
export const CLAIM_TTL_MS = 120_000;
/** How long a duplicate callback waits for the request that is verifying the same attempt. */
export const CALLBACK_WAIT_MS = 15_000;

/** Attempts the reconciliation task loads at a time (it goes through all that are due). */
export const RECONCILE_PAGE_SIZE = 200;
/** Rows per list of `zibalPaymentsNeedingAttention` (oldest first: the longest-waiting shopper is seen). */
export const ATTENTION_LIST_LIMIT = 200;
