import { OtpRejection, RequestOtpResult } from '../service/sms-otp.service';

/** GraphQL shapes of the plugin's results; `__typename` picks the union member. */
export type RequestOtpGraphQLResult = ReturnType<typeof toRequestOtpResult>;

export function toRequestOtpResult(result: RequestOtpResult) {
    switch (result.kind) {
        case 'sent':
            return {
                __typename: 'RequestLoginOtpSuccess' as const,
                resendAfterSeconds: result.resendAfterSeconds,
                expiresInSeconds: result.expiresInSeconds,
            };
        case 'invalid-phone':
            return invalidPhoneNumberError();
        case 'rate-limited':
            return {
                __typename: 'OtpRateLimitedError' as const,
                errorCode: 'OTP_RATE_LIMITED_ERROR',
                message: `Too many code requests; try again in ${result.retryAfterSeconds} seconds`,
                messageFa: `درخواست‌ها بیش از حد مجاز است؛ ${result.retryAfterSeconds} ثانیه دیگر دوباره تلاش کنید`,
                reason: result.scope,
                retryAfterSeconds: result.retryAfterSeconds,
            };
        case 'challenge-required':
            return {
                __typename: 'OtpChallengeRequiredError' as const,
                errorCode: 'OTP_CHALLENGE_REQUIRED_ERROR',
                message: result.solutionRejected
                    ? 'The challenge solution was not accepted; solve this new challenge and ask again'
                    : 'Solve the challenge and ask again with challengeSolution',
                messageFa: 'برای دریافت کد، ابتدا مرحلهٔ تأیید را کامل کنید',
                solutionRejected: result.solutionRejected,
                challengeType: result.challengeType,
                challenge: result.challenge,
            };
        case 'provider-unavailable':
            return {
                __typename: 'OtpProviderUnavailableError' as const,
                errorCode: 'OTP_PROVIDER_UNAVAILABLE_ERROR',
                message: 'The SMS could not be sent now; please try again shortly',
                messageFa: 'ارسال پیامک در حال حاضر ممکن نیست؛ لطفاً کمی بعد دوباره تلاش کنید',
                retryAfterSeconds: result.retryAfterSeconds,
            };
    }
}

export function invalidPhoneNumberError() {
    return {
        __typename: 'InvalidPhoneNumberError' as const,
        errorCode: 'INVALID_PHONE_NUMBER_ERROR',
        message: 'Enter an Iranian mobile number, e.g. 09123456789',
        messageFa: 'شماره موبایل معتبر وارد کنید، مانند ۰۹۱۲۳۴۵۶۷۸۹',
    };
}

const OTP_MESSAGES: Record<Exclude<OtpRejection, 'INVALID_PHONE_NUMBER'>, [string, string]> = {
    OTP_INVALID: ['The code is not correct', 'کد وارد شده درست نیست'],
    OTP_EXPIRED: ['The code has expired; ask for a new one', 'کد منقضی شده است؛ کد جدید درخواست کنید'],
    OTP_ATTEMPTS_EXCEEDED: [
        'Too many wrong tries; ask for a new code',
        'تعداد تلاش‌های نادرست بیش از حد است؛ کد جدید درخواست کنید',
    ],
};

export function otpRejectionError(reason: OtpRejection) {
    if (reason === 'INVALID_PHONE_NUMBER') {
        return invalidPhoneNumberError();
    }
    const [message, messageFa] = OTP_MESSAGES[reason];
    return {
        __typename: 'InvalidOtpError' as const,
        errorCode: 'INVALID_OTP_ERROR',
        message,
        messageFa,
        reason,
    };
}

export function phoneNumberInUseError() {
    return {
        __typename: 'PhoneNumberInUseError' as const,
        errorCode: 'PHONE_NUMBER_IN_USE_ERROR',
        message: 'This number is already verified on another account',
        messageFa: 'این شماره پیش‌تر در حساب دیگری تأیید شده است',
    };
}
