/** Where SMS.ir is and how to call it. */
export interface SmsirOptions {
    /** Base URL of SMS.ir REST v1, e.g. `https://api.sms.ir` (or the simulator's `/smsir`). */
    baseUrl: string;
    /** The `X-API-KEY` of the SMS.ir panel. */
    apiKey: string;
    /** The id of the verify (OTP) template that holds the code parameter. */
    templateId: number;
    /** Name of the template parameter that receives the code, without `#` (default `CODE`). */
    templateParameterName?: string;
    /**
     * Milliseconds allowed to connect, and then for the answer (default 5000 each). A send that could not
     * connect was certainly not sent; one whose answer is late may have been.
     */
    requestTimeoutMs?: number;
}

/** Hourly and daily send caps for one scope. */
export interface SendCap {
    hourly: number;
    daily: number;
}

export interface SmsOtpPluginOptions {
    smsir: SmsirOptions;
    /**
     * Secret the code hashes are keyed with (HMAC-SHA256). A key is derived from it, so the app's cookie secret
     * can be passed. All server instances must share it.
     */
    secret: string;
    /**
     * Redis for the send counters and cooldowns, shared by every server instance. Without it the counters live
     * in the memory of this process (embedded profile: one process).
     */
    redis?: { url: string; keyPrefix: string };
    /** How long a code is valid, in seconds (default 120, at most 600). */
    codeLifetimeSeconds?: number;
    /** Wrong tries before a code is dead (default 5). */
    maxAttempts?: number;
    /** Seconds before the same number can get another code (default 60). */
    resendCooldownSeconds?: number;
    /** Send caps per number, per client IP and for the whole shop (defaults 5/10, 20/100, 1000/10000). */
    caps?: { phone?: Partial<SendCap>; ip?: Partial<SendCap>; global?: Partial<SendCap> };
    /**
     * Domain of the placeholder email address Vendure requires on Customers who sign up by phone
     * (`09123456789@phone.invalid`; `.invalid` can never receive mail, RFC 6761). Default `phone.invalid`.
     */
    placeholderEmailDomain?: string;
    /** Set when SMS.ir is the built-in simulator: logged once at start so developers can read their codes. */
    simulatorInboxUrl?: string;
    /** The clock, for tests of expiry. Default `Date.now`. */
    now?: () => number;
}

/** The options with every default filled in. */
export interface ResolvedSmsOtpOptions extends Required<
    Omit<SmsOtpPluginOptions, 'redis' | 'simulatorInboxUrl' | 'caps'>
> {
    smsir: Required<SmsirOptions>;
    redis?: { url: string; keyPrefix: string };
    simulatorInboxUrl?: string;
    caps: { phone: SendCap; ip: SendCap; global: SendCap };
}

/** What a code is for: logging in, or proving a logged-in customer owns a number they add. */
export type OtpPurpose = 'LOGIN' | 'LINK';

/** What happened to one send request at SMS.ir. `UNCERTAIN`: timeout or 5xx, the SMS may have gone out. */
export type OtpSendOutcome = 'SENT' | 'FAILED' | 'UNCERTAIN';
