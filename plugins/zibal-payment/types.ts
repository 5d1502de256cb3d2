/** Options of {@link ZibalPaymentPlugin}. */
export interface ZibalPluginOptions {
    /** Zibal merchant id (`ZIBAL_MERCHANT`); `zibal` is Zibal's sandbox merchant. */
    merchant: string;
    /** Base URL of Zibal's IPG API, e.g. `https://gateway.zibal.ir` (the shopper is sent to `<apiUrl>/start/<trackId>`). */
    apiUrl: string;
    /** Public base URL of this server, used to build the callback URL `<publicUrl>/payments/zibal/callback`. */
    publicUrl: string;
    /**
     * Where the shopper's browser goes after the callback: `<storefrontUrl>/checkout/confirmation/<orderCode>`
     * on success, `<storefrontUrl>/checkout/payment-failed/<orderCode>` otherwise (override with the two options below).
     */
    storefrontUrl: string;
    successPath?: (orderCode: string) => string;
    failurePath?: (orderCode: string) => string;
    /** Zibal's platform API for refunds (`https://api.zibal.ir`), used only with a `platformToken`. */
    platformApiUrl?: string;
    /** Bearer token of Zibal's platform API. Without it refunds are recorded as manual (Pending) refunds. */
    platformToken?: string;
    /** Time to open a connection to Zibal. Default 10 s. */
    connectTimeoutMs?: number;
    /** Time for Zibal to answer once connected. Default 30 s. */
    readTimeoutMs?: number;
    /**
     * Time for the whole call (connecting included) while a shopper waits: starting a payment, and the verify and
     * inquiry of the callback. Past it the shopper gets a clear answer (`ZibalGatewayError`; after paying, the
     * failure page) and reconciliation settles a paid attempt later. Default 2.5 s (checkout answers within 4 s).
     */
    shopperTimeoutMs?: number;
    /** Reconciliation: attempts still pending this long after creation are inquired. Default 10 minutes. */
    reconcileAfterMs?: number;
    /**
     * How long a process may hold an attempt while verifying it; a claim left by a stopped process is taken over
     * by reconciliation after this. Longer than Zibal's connect + read timeouts. Default 2 minutes.
     */
    claimTtlMs?: number;
    /** Reconciliation: unpaid attempts older than this are expired. Default 60 minutes. */
    expireAfterMs?: number;
    /** Cron schedule of the reconciliation task. Default every 5 minutes. */
    reconcileSchedule?: string;
}

export type ResolvedZibalOptions = Required<Omit<ZibalPluginOptions, 'platformToken'>> & {
    platformToken?: string;
};

/** State of one payment attempt (one Zibal trackId). */
export type ZibalAttemptState =
    /** created at Zibal, the shopper may be paying */
    | 'pending'
    /** a process holds it while verifying and settling */
    | 'verifying'
    /** verified and added to the order as a Settled payment */
    | 'settled'
    /** Zibal reports it not paid (cancelled, card errors, ...) */
    | 'failed'
    /** never paid within `expireAfterMs` */
    | 'expired'
    /** paid, but not verified because the order was already paid or changed; Zibal returns unverified money */
    | 'rejected'
    /**
     * paid AND verified at Zibal (the money is taken) but not on the order: the verified amount differed, the
     * order changed meanwhile, or Vendure refused the payment. Logged as an error; staff must refund it.
     */
    | 'refund-due'
    /** was refund-due; staff paid the money back by hand and recorded it (`markZibalAttemptRefunded`) */
    | 'refunded';

export interface ZibalAttemptEvent {
    at: string;
    event: string;
    result?: number;
    status?: number;
    note?: string;
}
