import { Controller, Get, Query as QueryParam, Res } from '@nestjs/common';
import { Args, Mutation, Query, ResolveField, Resolver } from '@nestjs/graphql';
import { Allow, Ctx, ID, Permission, RequestContext, Transaction } from '@vendure/core';
import type { Response } from 'express';

import { ZibalPaymentAttempt } from '../entities/zibal-payment-attempt.entity';
import {
    CallbackQuery,
    MarkAttemptRefundedResult,
    ReconcileReport,
    ZibalPaymentIntentResult,
    ZibalPaymentsNeedingAttention,
    ZibalService,
} from '../service/zibal.service';

@Resolver()
export class ZibalShopResolver {
    constructor(private readonly zibalService: ZibalService) {}

    // No @Transaction(): the call to Zibal must not hold a database transaction open.
    @Mutation()
    @Allow(Permission.UpdateOrder, Permission.Owner)
    createZibalPaymentIntent(@Ctx() ctx: RequestContext): Promise<ZibalPaymentIntentResult> {
        return this.zibalService.createIntent(ctx);
    }
}

@Resolver('ZibalPaymentIntentResult')
export class ZibalPaymentIntentResultResolver {
    @ResolveField()
    __resolveType(value: ZibalPaymentIntentResult): string {
        return value.__typename;
    }
}

@Resolver('MarkZibalAttemptRefundedResult')
export class MarkZibalAttemptRefundedResultResolver {
    @ResolveField()
    __resolveType(value: MarkAttemptRefundedResult): string {
        return value.__typename;
    }
}

@Resolver()
export class ZibalAdminResolver {
    constructor(private readonly zibalService: ZibalService) {}

    @Query()
    @Allow(Permission.ReadOrder)
    zibalPaymentAttempts(
        @Ctx() ctx: RequestContext,
        @Args() args: { orderId: ID },
    ): Promise<ZibalPaymentAttempt[]> {
        return this.zibalService.attemptsForOrder(ctx, args.orderId);
    }

    @Query()
    @Allow(Permission.ReadOrder)
    zibalPaymentsNeedingAttention(@Ctx() ctx: RequestContext): Promise<ZibalPaymentsNeedingAttention> {
        return this.zibalService.needingAttention(ctx);
    }

    @Mutation()
    @Transaction()
    @Allow(Permission.UpdateOrder)
    markZibalAttemptRefunded(
        @Ctx() ctx: RequestContext,
        @Args() args: { attemptId: ID; note?: string | null },
    ): Promise<MarkAttemptRefundedResult> {
        return this.zibalService.markRefunded(ctx, args.attemptId, args.note ?? undefined);
    }

    // It reconciles the attempts of every channel, so it is not for a channel's own staff.
    @Mutation()
    @Allow(Permission.SuperAdmin)
    reconcileZibalPayments(): Promise<ReconcileReport> {
        return this.zibalService.reconcile();
    }
}

/** Zibal sends the shopper's browser here after the bank page; the query string is not trusted. */
@Controller('payments/zibal')
export class ZibalCallbackController {
    constructor(private readonly zibalService: ZibalService) {}

    @Get('callback')
    async callback(@QueryParam() query: CallbackQuery, @Res() res: Response): Promise<void> {
        const redirectTo = await this.zibalService.handleCallback(query);
        res.redirect(303, redirectTo);
    }
}
