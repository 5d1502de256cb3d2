import gql from 'graphql-tag';

const errorResults = gql`
    # Vendure adds each ErrorResult type's code (e.g. INVALID_PHONE_NUMBER_ERROR) to ErrorCode itself.
    "The number is not an Iranian mobile number."
    type InvalidPhoneNumberError implements ErrorResult {
        errorCode: ErrorCode!
        message: String!
        "The message in Persian, to show to shoppers"
        messageFa: String!
    }

    enum OtpRateLimitReason {
        "A code was sent to this number a moment ago"
        COOLDOWN
        PHONE
        IP
        GLOBAL
    }

    "Too many codes were asked for; try again after retryAfterSeconds."
    type OtpRateLimitedError implements ErrorResult {
        errorCode: ErrorCode!
        message: String!
        messageFa: String!
        reason: OtpRateLimitReason!
        retryAfterSeconds: Int!
    }

    "The SMS provider could not send the code now; try again after retryAfterSeconds."
    type OtpProviderUnavailableError implements ErrorResult {
        errorCode: ErrorCode!
        message: String!
        messageFa: String!
        retryAfterSeconds: Int!
    }

    type RequestLoginOtpSuccess {
        "Seconds before another code can be asked for this number"
        resendAfterSeconds: Int!
        "Seconds the code stays valid"
        expiresInSeconds: Int!
    }
`;

export const shopApiExtensions = gql`
    ${errorResults}

    "The code is wrong, expired, used or has had too many tries (reason: OTP_INVALID, OTP_EXPIRED, OTP_ATTEMPTS_EXCEEDED)."
    type InvalidOtpError implements ErrorResult {
        errorCode: ErrorCode!
        message: String!
        messageFa: String!
        reason: String!
    }

    "The number is already verified on another account."
    type PhoneNumberInUseError implements ErrorResult {
        errorCode: ErrorCode!
        message: String!
        messageFa: String!
    }

    """
    The email address is a mobile number or the reserved placeholder domain of phone-only accounts
    (e.g. 09123456789@phone.invalid): it cannot be an account's email. Sign up by SMS code instead.
    """
    type EmailAddressNotAllowedError implements ErrorResult {
        errorCode: ErrorCode!
        message: String!
        messageFa: String!
    }

    extend union RegisterCustomerAccountResult = EmailAddressNotAllowedError
    extend union RequestUpdateCustomerEmailAddressResult = EmailAddressNotAllowedError
    extend union SetCustomerForOrderResult = EmailAddressNotAllowedError

    union RequestLoginOtpResult =
        | RequestLoginOtpSuccess
        | InvalidPhoneNumberError
        | OtpRateLimitedError
        | OtpProviderUnavailableError

    union RequestPhoneNumberVerificationResult =
        | RequestLoginOtpSuccess
        | InvalidPhoneNumberError
        | OtpRateLimitedError
        | OtpProviderUnavailableError

    union VerifyPhoneNumberResult =
        | Customer
        | InvalidPhoneNumberError
        | InvalidOtpError
        | PhoneNumberInUseError

    extend type Mutation {
        "Sends a login code by SMS. The answer is the same whether or not the number has an account."
        requestLoginOtp(phoneNumber: String!): RequestLoginOtpResult!
        "Logged-in customers: sends a code to a number they want to add to their account."
        requestPhoneNumberVerification(phoneNumber: String!): RequestPhoneNumberVerificationResult!
        "Logged-in customers: adds the number to the account once the code is right; it then logs in too."
        verifyPhoneNumber(phoneNumber: String!, code: String!): VerifyPhoneNumberResult!
    }
`;

export const adminApiExtensions = gql`
    "One code sent (or attempted) by SMS. Codes are never shown."
    type OtpSend {
        id: ID!
        createdAt: DateTime!
        maskedPhoneNumber: String!
        "LOGIN or LINK"
        purpose: String!
        "SENT, FAILED or UNCERTAIN (timeout or 5xx: may have been delivered)"
        outcome: String!
        failureReason: String
        providerStatus: Int
        attempts: Int!
        consumed: Boolean!
        expiresAt: DateTime!
    }

    type OtpSendList {
        items: [OtpSend!]!
        totalItems: Int!
    }

    type OtpCounter {
        name: String!
        value: Int!
    }

    extend type Query {
        "The SMS code send log, newest first; phoneNumber in any format filters to one number."
        otpSends(phoneNumber: String, skip: Int, take: Int): OtpSendList!
        "Counters of this server process since it started: sends, provider failures, refusals, verifications."
        otpCounters: [OtpCounter!]!
    }
`;
