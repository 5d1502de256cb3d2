import { OnApplicationBootstrap } from '@nestjs/common';
import { APP_INTERCEPTOR } from '@nestjs/core';
import { LanguageCode, Logger, PluginCommonModule, ProcessContext, VendurePlugin } from '@vendure/core';

import { AdminOtpResolver } from './api/admin-otp.resolver';
import { adminApiExtensions, shopApiExtensions } from './api/api-extensions';
import { EmailAddressGuardInterceptor } from './api/email-address-guard.interceptor';
import {
    RequestLoginOtpResultResolver,
    RequestPhoneNumberVerificationResultResolver,
    ShopOtpResolver,
    VerifyPhoneNumberResultResolver,
} from './api/shop-otp.resolver';
import { ProofOfWorkChallengeStrategy } from './config/proof-of-work-challenge.strategy';
import { SmsOtpAuthenticationStrategy } from './config/sms-otp-authentication.strategy';
import {
    DEFAULT_OPTIONS,
    loggerCtx,
    MAX_CODE_LIFETIME_SECONDS,
    PLUGIN_INIT_OPTIONS,
    readOtpLogPermission,
    VERIFIED_MOBILE_FIELD,
} from './constants';
import { OtpChallenge } from './entities/otp-challenge.entity';
import { SmsOtpService } from './service/sms-otp.service';
import { ResolvedSmsOtpOptions, SendCap, SmsOtpPluginOptions } from './types';

/**
 * @description
 * Shoppers sign up and log in with their Iranian mobile number and a 6-digit code sent by SMS.ir, and
 * customers who registered with email and password can add a verified mobile number to their account.
 *
 * ## Requirements
 * - An SMS.ir account with a verify template holding one parameter (default `#CODE#`), its API key and the
 *   template id. Without them (development) the built-in SMS.ir simulator is used and codes are readable
 *   at its inbox, `<simulator>/smsir/__inbox`.
 * - Redis in production (`redis` option): the cooldowns and send caps are shared by every server instance.
 *
 * ## Setup
 * ```ts
 * plugins: [
 *   SmsOtpPlugin.init({
 *     smsir: { baseUrl: 'https://api.sms.ir', apiKey: process.env.SMSIR_API_KEY, templateId: 123456 },
 *     secret: process.env.COOKIE_SECRET,
 *     redis: { url: process.env.REDIS_URL, keyPrefix: 'shop:otp:' },
 *   }),
 * ]
 * ```
 * Then generate a migration for the `otp_challenge` table.
 *
 * ## Storefront
 * ```graphql
 * mutation { requestLoginOtp(phoneNumber: "0912 345 6789", challengeSolution: null) {
 *   ... on RequestLoginOtpSuccess { resendAfterSeconds expiresInSeconds }
 *   ... on ErrorResult { errorCode message }
 *   ... on OtpRateLimitedError { retryAfterSeconds }
 *   ... on OtpChallengeRequiredError { challengeType challenge } } }
 *
 * mutation { authenticate(input: { smsOtp: { phoneNumber: "09123456789", code: "123456" } }) {
 *   ... on CurrentUser { id identifier }
 *   ... on InvalidCredentialsError { authenticationError } } }
 * ```
 * Logged-in customers add a number with `requestPhoneNumberVerification(phoneNumber)` and
 * `verifyPhoneNumber(phoneNumber, code)`.
 *
 * ## Security
 * Codes come from `crypto.randomInt`, are stored only as HMAC-SHA256 keyed from `secret`, live 2 minutes
 * (at most 10), are single use (atomic consume), die after 5 wrong tries and are compared in constant time.
 * A number gets one code a minute, and sends are capped per number, per client address and network and
 * shop-wide, hourly and daily. Past `challenge.above` shop-wide codes, a code needs a solved challenge (proof of
 * work by default: the storefront solves `challenge` and asks again with `challengeSolution`); part of the
 * shop-wide cap is kept for numbers verified on an existing account, so a flood cannot lock customers out.
 * Admin API `otpSends` (permission `ReadOtpLog`) lists sends with masked numbers, never codes; `otpSendWindows`
 * the shop-wide counts, and a warning is logged once per window when a threshold is reached.
 *
 * @docsCategory plugins
 */
@VendurePlugin({
    imports: [PluginCommonModule],
    compatibility: '^3.7.0',
    entities: [OtpChallenge],
    providers: [
        { provide: PLUGIN_INIT_OPTIONS, useFactory: () => SmsOtpPlugin.options },
        SmsOtpService,
        { provide: APP_INTERCEPTOR, useClass: EmailAddressGuardInterceptor },
    ],
    shopApiExtensions: {
        schema: shopApiExtensions,
        resolvers: [
            ShopOtpResolver,
            RequestLoginOtpResultResolver,
            RequestPhoneNumberVerificationResultResolver,
            VerifyPhoneNumberResultResolver,
        ],
    },
    adminApiExtensions: { schema: adminApiExtensions, resolvers: [AdminOtpResolver] },
    configuration: config => {
        config.authOptions.shopAuthenticationStrategy.push(new SmsOtpAuthenticationStrategy());
        config.authOptions.customPermissions.push(readOtpLogPermission);
        config.customFields.Customer = [
            ...(config.customFields.Customer ?? []),
            {
                name: VERIFIED_MOBILE_FIELD,
                type: 'string',
                nullable: true,
                readonly: true,
                public: false,
                label: [
                    { languageCode: LanguageCode.en, value: 'Mobile verified by SMS (login)' },
                    { languageCode: LanguageCode.fa, value: 'موبایل تأییدشده با پیامک (ورود)' },
                ],
            },
        ];
        return config;
    },
})
export class SmsOtpPlugin implements OnApplicationBootstrap {
    static options: ResolvedSmsOtpOptions;

    constructor(private readonly processContext: ProcessContext) {}

    static init(options: SmsOtpPluginOptions): typeof SmsOtpPlugin {
        SmsOtpPlugin.options = resolveOptions(options);
        return SmsOtpPlugin;
    }

    onApplicationBootstrap(): void {
        const inbox = SmsOtpPlugin.options.simulatorInboxUrl;
        if (inbox && this.processContext.isServer) {
            Logger.warn(
                `SMS.ir is the simulator: login codes are not sent, read them at ${inbox}`,
                loggerCtx,
            );
        }
    }
}

/** Fills in the defaults and refuses settings that would weaken the codes. */
export function resolveOptions(options: SmsOtpPluginOptions): ResolvedSmsOtpOptions {
    const caps = options.caps ?? {};
    const resolved: ResolvedSmsOtpOptions = {
        smsir: {
            templateParameterName: DEFAULT_OPTIONS.templateParameterName,
            requestTimeoutMs: DEFAULT_OPTIONS.requestTimeoutMs,
            ...options.smsir,
        },
        secret: options.secret,
        redis: options.redis,
        codeLifetimeSeconds: options.codeLifetimeSeconds ?? DEFAULT_OPTIONS.codeLifetimeSeconds,
        timeZone: options.timeZone ?? DEFAULT_OPTIONS.timeZone,
        maxAttempts: options.maxAttempts ?? DEFAULT_OPTIONS.maxAttempts,
        resendCooldownSeconds: options.resendCooldownSeconds ?? DEFAULT_OPTIONS.resendCooldownSeconds,
        caps: {
            phone: { ...DEFAULT_OPTIONS.caps.phone, ...caps.phone },
            ip: { ...DEFAULT_OPTIONS.caps.ip, ...caps.ip },
            network: { ...DEFAULT_OPTIONS.caps.network, ...caps.network },
            global: { ...DEFAULT_OPTIONS.caps.global, ...caps.global },
            knownAccountReserve: { ...DEFAULT_OPTIONS.caps.knownAccountReserve, ...caps.knownAccountReserve },
        },
        challenge:
            options.challenge === false
                ? false
                : {
                      above: { ...DEFAULT_OPTIONS.challengeAbove, ...options.challenge?.above },
                      strategy: options.challenge?.strategy ?? new ProofOfWorkChallengeStrategy(),
                  },
        placeholderEmailDomain: options.placeholderEmailDomain ?? DEFAULT_OPTIONS.placeholderEmailDomain,
        simulatorInboxUrl: options.simulatorInboxUrl,
        now: options.now ?? Date.now,
    };
    const problems: string[] = [];
    if (
        !Number.isInteger(resolved.codeLifetimeSeconds) ||
        resolved.codeLifetimeSeconds < 1 ||
        resolved.codeLifetimeSeconds > MAX_CODE_LIFETIME_SECONDS
    ) {
        problems.push(`codeLifetimeSeconds must be 1..${MAX_CODE_LIFETIME_SECONDS}`);
    }
    if (!Number.isInteger(resolved.maxAttempts) || resolved.maxAttempts < 1 || resolved.maxAttempts > 10) {
        problems.push('maxAttempts must be 1..10');
    }
    if (!resolved.secret || resolved.secret.length < 16) {
        problems.push('secret must be at least 16 characters');
    }
    if (!Number.isInteger(resolved.smsir.templateId) || resolved.smsir.templateId <= 0) {
        problems.push('smsir.templateId must be a positive integer');
    }
    problems.push(...capProblems(resolved));
    if (problems.length) {
        throw new Error(`SmsOtpPlugin: ${problems.join('; ')}`);
    }
    return resolved;
}

function capProblems({ caps, challenge }: ResolvedSmsOtpOptions): string[] {
    const problems: string[] = [];
    for (const [scope, cap] of Object.entries(caps) as Array<[string, SendCap]>) {
        for (const [period, value] of Object.entries(cap)) {
            if (!Number.isInteger(value) || value < 0) {
                problems.push(`caps.${scope}.${period} must be a whole number, 0 or more`);
            }
        }
    }
    for (const period of ['hourly', 'daily'] as const) {
        const anonymous = caps.global[period] - caps.knownAccountReserve[period];
        if (anonymous < 1) {
            problems.push(`caps.knownAccountReserve.${period} must be less than caps.global.${period}`);
        } else if (challenge) {
            const above = challenge.above[period];
            if (!Number.isInteger(above) || above < 0 || above >= anonymous) {
                problems.push(
                    `challenge.above.${period} must be 0 or more and less than caps.global.${period} - caps.knownAccountReserve.${period} (${anonymous})`,
                );
            }
        }
    }
    return problems;
}
