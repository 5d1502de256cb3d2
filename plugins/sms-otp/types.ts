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

/** What a send challenge is asked about: one code request. */
export interface SendChallengeContext {
    /** The number the code is for, normalised (`09…`). */
    phoneNumber: string;
    /** The client's address as the server sees it (`req.ip`), when known. */
    ip?: string;
    /** HMAC-SHA256 (hex) keyed by a key derived from the plugin's `secret`: for stateless challenge tokens. */
    sign(data: string): string;
    /**
     * Takes `key` for `ttlSeconds` in the plugin's counter store (Redis or memory, so shared by every instance
     * when Redis is used): true for the first caller only. Makes a solution single use.
     */
    claimOnce(key: string, ttlSeconds: number): Promise<boolean>;
    /** The plugin's clock. */
    now(): number;
}

/**
 * A challenge the client must solve before a code is sent once the shop has sent more than `challenge.above`
 * codes in the hour or day: proof of work by default ({@link ProofOfWorkChallengeStrategy}), or e.g. a CAPTCHA
 * whose response token `verify` checks with its provider.
 */
export interface OtpSendChallengeStrategy {
    /** `challengeType` of `OtpChallengeRequiredError`, e.g. `proof-of-work`. */
    readonly type: string;
    /** What the client needs to solve a challenge for this request: the `challenge` JSON of the error. */
    issue(ctx: SendChallengeContext): Promise<Record<string, unknown>>;
    /** Whether `solution` (the `challengeSolution` argument) solves a challenge for this request; once only. */
    verify(ctx: SendChallengeContext, solution: string): Promise<boolean>;
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
    /**
     * Send caps, hourly and daily: per number (default 5/10), per client address (`ip`: an IPv4 address or an
     * IPv6 /64, default 20/100), per client network (`network`: an IPv4 /24 or an IPv6 /48, default 100/500)
     * and for the whole shop (`global`, default 1000/10000: the ceiling of the SMS bill). `knownAccountReserve`
     * (default 300/3000) is the part of `global` that only numbers verified on an existing account may use, so
     * a flood of codes to unknown numbers cannot lock out the shop's customers.
     */
    caps?: {
        phone?: Partial<SendCap>;
        ip?: Partial<SendCap>;
        network?: Partial<SendCap>;
        global?: Partial<SendCap>;
        knownAccountReserve?: Partial<SendCap>;
    };
    /**
     * Once the shop has sent `above` codes in the hour or day (default 100/1000), each further code needs a solved
     * challenge (`strategy`, default proof of work) instead of being sent or refused outright. `false`: no
     * challenge; requests are refused once the budget for unknown numbers is spent.
     */
    challenge?: false | { above?: Partial<SendCap>; strategy?: OtpSendChallengeStrategy };
    /**
     * Domain of the placeholder email address Vendure requires on Customers who sign up by phone
     * (`09123456789@phone.invalid`; `.invalid` can never receive mail, RFC 6761). Default `phone.invalid`.
     */
    placeholderEmailDomain?: string;
    /** Time zone of "today" in `otpOperationsSummary` (the Admin UI's SMS screen). Default `Asia/Tehran`. */
    timeZone?: string;
    /** Set when SMS.ir is the built-in simulator: logged once at start so developers can read their codes. */
    simulatorInboxUrl?: string;
    /** The clock, for tests of expiry. Default `Date.now`. */
    now?: () => number;
}

/** The options with every default filled in. */
export interface ResolvedSmsOtpOptions extends Required<
    Omit<SmsOtpPluginOptions, 'redis' | 'simulatorInboxUrl' | 'caps' | 'challenge'>
> {
    smsir: Required<SmsirOptions>;
    redis?: { url: string; keyPrefix: string };
    simulatorInboxUrl?: string;
    caps: SendCaps;
    challenge: ResolvedChallengeOptions | false;
}

export interface SendCaps {
    phone: SendCap;
    ip: SendCap;
    network: SendCap;
    global: SendCap;
    knownAccountReserve: SendCap;
}

export interface ResolvedChallengeOptions {
    above: SendCap;
    strategy: OtpSendChallengeStrategy;
}

/** What a code is for: logging in, or proving a logged-in customer owns a number they add. */
export type OtpPurpose = 'LOGIN' | 'LINK';

/** What happened to one send request at SMS.ir. `UNCERTAIN`: timeout or 5xx, the SMS may have gone out. */
export type OtpSendOutcome = 'SENT' | 'FAILED' | 'UNCERTAIN';
