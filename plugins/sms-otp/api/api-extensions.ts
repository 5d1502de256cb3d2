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
        "The client's address: an IPv4 address or an IPv6 /64"
        IP
        "The client's network: an IPv4 /24 or an IPv6 /48"
        NETWORK
        "The shop-wide ceiling of the SMS bill (for numbers without an account: the part not kept for customers)"
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

    """
    The shop is sending many codes right now: solve the challenge and ask again with the same phone number and
    challengeSolution. For challengeType "proof-of-work", challenge is { algorithm: "sha256", token, difficulty,
    expiresInSeconds } and the solution is "<token>:<n>" for a decimal n such that the SHA-256 of that string
    starts with difficulty zero bits.
    """
    type OtpChallengeRequiredError implements ErrorResult {
        errorCode: ErrorCode!
        message: String!
        messageFa: String!
        "True when a challengeSolution was sent but was wrong, expired, used already or for another number"
        solutionRejected: Boolean!
        "The configured challenge, e.g. proof-of-work"
        challengeType: String!
        "What the client needs to solve it; one challenge per request, bound to the number"
        challenge: JSON!
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
        | OtpChallengeRequiredError

    union RequestPhoneNumberVerificationResult =
        | RequestLoginOtpSuccess
        | InvalidPhoneNumberError
        | OtpRateLimitedError
        | OtpProviderUnavailableError
        | OtpChallengeRequiredError

    union VerifyPhoneNumberResult =
        | Customer
        | InvalidPhoneNumberError
        | InvalidOtpError
        | PhoneNumberInUseError

    extend type Mutation {
        """
        Sends a login code by SMS. The answer is the same whether or not the number has an account, except while
        the shop-wide budget for numbers without an account is spent (see OtpRateLimitedError GLOBAL).
        challengeSolution answers the challenge of an OtpChallengeRequiredError.
        """
        requestLoginOtp(phoneNumber: String!, challengeSolution: String): RequestLoginOtpResult!
        "Logged-in customers: sends a code to a number they want to add to their account."
        requestPhoneNumberVerification(
            phoneNumber: String!
            challengeSolution: String
        ): RequestPhoneNumberVerificationResult!
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

    "Login codes sent today with one outcome."
    type OtpOutcomeCount {
        "SENT, FAILED or UNCERTAIN (SMS.ir gave no clear answer; the code may have arrived)"
        outcome: String!
        count: Int!
    }

    "What the Admin UI's SMS screen shows: today's sends, the send windows, a spike warning and the SMS.ir credit."
    type OtpOperationsSummary {
        "Today in the shop's time zone, as a Jalali date (1405/09/11)"
        day: String!
        "The first moment of today in the shop's time zone"
        since: DateTime!
        byOutcome: [OtpOutcomeCount!]!
        windows: [OtpSendWindow!]!
        "A shop-wide window has left OPEN: codes are asked for far faster than usual (SMS pumping is likely)"
        spike: Boolean!
        "SMS.ir's remaining credit (its GET /v1/credit); null when SMS.ir did not answer it"
        credit: Float
        "Why credit is null (e.g. invalid-api-key, timeout)"
        creditError: String
    }

    """
    One shop-wide window of SMS codes (every server instance, with Redis): how many were sent and what a shopper
    meets now: OPEN, CHALLENGE (a solved challenge is needed), KNOWN_ACCOUNTS_ONLY (only numbers verified on an
    account get codes), CLOSED (the ceiling of the SMS bill).
    """
    type OtpSendWindow {
        "HOUR or DAY"
        period: String!
        sent: Int!
        "Seconds until the window ends; 0 when nothing was sent in it yet"
        resetInSeconds: Int!
        "Codes after which a solved challenge is needed (null: no challenge configured)"
        challengeAbove: Int
        "Codes numbers without an account may get (caps.global less caps.knownAccountReserve)"
        anonymousLimit: Int!
        "caps.global: the ceiling"
        limit: Int!
        state: String!
    }

    extend type Query {
        "The shop-wide hourly and daily send windows as they stand, for dashboards and alerts."
        otpSendWindows: [OtpSendWindow!]!
        "Today's sends by outcome, the send windows with a spike warning, and the SMS.ir credit (ReadOtpLog)."
        otpOperationsSummary: OtpOperationsSummary!
        "The SMS code send log, newest first; phoneNumber in any format filters to one number."
        otpSends(phoneNumber: String, skip: Int, take: Int): OtpSendList!
        "Counters of this server process since it started: sends, provider failures, refusals, verifications."
        otpCounters: [OtpCounter!]!
    }
`;
