import { Args, Query, Resolver } from '@nestjs/graphql';
import { Allow } from '@vendure/core';

import { maskMobile } from '../../../src/iran';
import { readOtpLogPermission } from '../constants';
import { SmsOtpService } from '../service/sms-otp.service';

@Resolver()
export class AdminOtpResolver {
    constructor(private readonly service: SmsOtpService) {}

    @Query()
    @Allow(readOtpLogPermission.Permission)
    async otpSends(
        @Args() args: { phoneNumber?: string | null; skip?: number | null; take?: number | null },
    ) {
        const { items, totalItems } = await this.service.listSends(
            args.phoneNumber ?? undefined,
            args.skip ?? 0,
            args.take ?? 50,
        );
        return {
            totalItems,
            // Explicit fields: the code hash and the full number never leave the server.
            items: items.map(c => ({
                id: c.id,
                createdAt: c.createdAt,
                maskedPhoneNumber: maskMobile(c.phoneNumber),
                purpose: c.purpose,
                outcome: c.outcome,
                failureReason: c.failureReason,
                providerStatus: c.providerStatus,
                attempts: c.attempts,
                consumed: c.consumed,
                expiresAt: c.expiresAt,
            })),
        };
    }

    @Query()
    @Allow(readOtpLogPermission.Permission)
    otpSendWindows() {
        return this.service.sendWindowStatus();
    }

    @Query()
    @Allow(readOtpLogPermission.Permission)
    otpOperationsSummary() {
        return this.service.operationsSummary();
    }

    @Query()
    @Allow(readOtpLogPermission.Permission)
    otpCounters() {
        return this.service.counterSnapshot();
    }
}
