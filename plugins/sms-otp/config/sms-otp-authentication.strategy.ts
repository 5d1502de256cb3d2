import { AuthenticationStrategy, Injector, RequestContext, User } from '@vendure/core';
import { DocumentNode } from 'graphql';
import gql from 'graphql-tag';

import { SMS_OTP_STRATEGY_NAME } from '../constants';
import { SmsOtpService } from '../service/sms-otp.service';

export interface SmsOtpAuthData {
    phoneNumber: string;
    code: string;
    firstName?: string | null;
    lastName?: string | null;
}

/**
 * `authenticate(input: { smsOtp: { phoneNumber, code, firstName?, lastName? } })`: logs in with a code from
 * `requestLoginOtp`, creating the Customer on the first login. A rejected code gives `InvalidCredentialsError`
 * whose `authenticationError` says why (`OTP_INVALID`, `OTP_EXPIRED`, `OTP_ATTEMPTS_EXCEEDED`, ...).
 */
export class SmsOtpAuthenticationStrategy implements AuthenticationStrategy<SmsOtpAuthData> {
    readonly name = SMS_OTP_STRATEGY_NAME;
    private service: SmsOtpService;

    init(injector: Injector): void {
        this.service = injector.get(SmsOtpService);
    }

    defineInputType(): DocumentNode {
        return gql`
            input SmsOtpAuthInput {
                "Iranian mobile number in any common format (09…, +98…, Persian digits)"
                phoneNumber: String!
                "The 6-digit code sent by SMS"
                code: String!
                "Used only when this login creates the account"
                firstName: String
                lastName: String
            }
        `;
    }

    async authenticate(ctx: RequestContext, data: SmsOtpAuthData): Promise<User | string> {
        const verified = await this.service.verifyCode(ctx, data.phoneNumber, data.code, 'LOGIN');
        if (!verified.ok) {
            return verified.reason;
        }
        return this.service.findOrCreateCustomerUser(ctx, verified.phone, data);
    }
}
