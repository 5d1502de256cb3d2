import { Args, Mutation, Resolver, ResolveField } from '@nestjs/graphql';
import { Allow, Ctx, ForbiddenError, Permission, RequestContext, Transaction } from '@vendure/core';

import { SmsOtpService } from '../service/sms-otp.service';

import { otpRejectionError, phoneNumberInUseError, toRequestOtpResult } from './error-results';

type RequestCodeArgs = { phoneNumber: string; challengeSolution?: string | null };

@Resolver()
export class ShopOtpResolver {
    constructor(private readonly service: SmsOtpService) {}

    @Mutation()
    @Allow(Permission.Public)
    async requestLoginOtp(@Ctx() ctx: RequestContext, @Args() args: RequestCodeArgs) {
        return toRequestOtpResult(
            await this.service.requestCode(ctx, args.phoneNumber, 'LOGIN', undefined, args.challengeSolution),
        );
    }

    @Mutation()
    @Allow(Permission.Owner)
    async requestPhoneNumberVerification(@Ctx() ctx: RequestContext, @Args() args: RequestCodeArgs) {
        const userId = requireUser(ctx);
        return toRequestOtpResult(
            await this.service.requestCode(ctx, args.phoneNumber, 'LINK', userId, args.challengeSolution),
        );
    }

    @Transaction()
    @Mutation()
    @Allow(Permission.Owner)
    async verifyPhoneNumber(@Ctx() ctx: RequestContext, @Args() args: { phoneNumber: string; code: string }) {
        const result = await this.service.linkPhone(ctx, requireUser(ctx), args.phoneNumber, args.code);
        switch (result.kind) {
            case 'linked':
                return result.customer;
            case 'in-use':
                return phoneNumberInUseError();
            case 'rejected':
                return otpRejectionError(result.reason);
        }
    }
}

function requireUser(ctx: RequestContext) {
    if (!ctx.activeUserId) {
        throw new ForbiddenError();
    }
    return ctx.activeUserId;
}

/** Picks the member of each result union: plugin results carry `__typename`, a bare entity is the success. */
@Resolver('RequestLoginOtpResult')
export class RequestLoginOtpResultResolver {
    @ResolveField()
    __resolveType(value: { __typename?: string }): string {
        return value.__typename ?? 'RequestLoginOtpSuccess';
    }
}

@Resolver('RequestPhoneNumberVerificationResult')
export class RequestPhoneNumberVerificationResultResolver {
    @ResolveField()
    __resolveType(value: { __typename?: string }): string {
        return value.__typename ?? 'RequestLoginOtpSuccess';
    }
}

@Resolver('VerifyPhoneNumberResult')
export class VerifyPhoneNumberResultResolver {
    @ResolveField()
    __resolveType(value: { __typename?: string }): string {
        return value.__typename ?? 'Customer';
    }
}
