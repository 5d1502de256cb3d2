import { PermissionDefinition } from '@vendure/core';

export const loggerCtx = 'SmsOtpPlugin';
export const PLUGIN_INIT_OPTIONS = Symbol('SMS_OTP_PLUGIN_OPTIONS');

/** The name of the AuthenticationStrategy: `authenticate(input: { smsOtp: { ... } })`. */
export const SMS_OTP_STRATEGY_NAME = 'smsOtp';

/** NIST SP 800-63B caps out-of-band code lifetime at 10 minutes. */
export const MAX_CODE_LIFETIME_SECONDS = 600;
export const CODE_LENGTH = 6;

export const DEFAULT_OPTIONS = {
    codeLifetimeSeconds: 120,
    maxAttempts: 5,
    resendCooldownSeconds: 60,
    caps: {
        phone: { hourly: 5, daily: 10 },
        ip: { hourly: 20, daily: 100 },
        network: { hourly: 100, daily: 500 },
        global: { hourly: 1_000, daily: 10_000 },
        knownAccountReserve: { hourly: 300, daily: 3_000 },
    },
    challengeAbove: { hourly: 100, daily: 1_000 },
    templateParameterName: 'CODE',
    requestTimeoutMs: 2_500,
    placeholderEmailDomain: 'phone.invalid',
    timeZone: 'Asia/Tehran',
} as const;

/** Lets support staff read the OTP send log (masked numbers, outcomes; never codes). */
export const readOtpLogPermission = new PermissionDefinition({
    name: 'ReadOtpLog',
    description: 'Allows reading the log of SMS login codes sent (masked numbers and outcomes, never codes)',
});

/**
 * Whether a Customer's email address is the placeholder of a phone-only account (`09…@phone.invalid`), which
 * storefronts should not show and email handlers should skip.
 */
export function isPlaceholderEmail(
    address: string | null | undefined,
    domain: string = DEFAULT_OPTIONS.placeholderEmailDomain,
): boolean {
    return !!address && address.toLowerCase().endsWith(`@${domain.toLowerCase()}`);
}

/**
 * Read-only Customer custom field: the mobile number verified by SMS code (sign-up or `verifyPhoneNumber`), shown
 * to staff in the Admin UI. `Customer.phoneNumber` is a contact field the customer can edit; this one is not.
 */
export const VERIFIED_MOBILE_FIELD = 'verifiedMobile';
