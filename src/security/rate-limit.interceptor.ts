import { CallHandler, ExecutionContext, Inject, Injectable, NestInterceptor } from '@nestjs/common';
import { ActiveOrderService, internal_getRequestContext, Logger, RequestContext } from '@vendure/core';
import { Request } from 'express';
import { GraphQLResolveInfo } from 'graphql';

import { RateLimitScope } from '../config/app-config';

import { RateLimitedError, RateLimiter } from './rate-limit';

export const RATE_LIMITER = Symbol('RATE_LIMITER');
const loggerCtx = 'RateLimit';

/**
 * Applies the per-IP limits to the public mutations that cost the shop something and that OTP does not cover:
 * password login (`login`, `authenticate` with `native`), `registerCustomerAccount`, `requestPasswordReset`, and
 * `addItemToOrder` when it is about to create a new order. Runs per resolver call, after Vendure's AuthGuard.
 */
@Injectable()
export class RateLimitInterceptor implements NestInterceptor {
    /** Last warning per scope and network, so an attack logs a line a minute, not a line a request. */
    private readonly warned = new Map<string, number>();

    constructor(
        @Inject(RATE_LIMITER) private readonly limiter: RateLimiter,
        private readonly activeOrderService: ActiveOrderService,
    ) {}

    async intercept(
        context: ExecutionContext,
        next: CallHandler,
    ): Promise<ReturnType<CallHandler['handle']>> {
        if (context.getType<string>() !== 'graphql') {
            return next.handle();
        }
        const info = context.getArgByIndex<GraphQLResolveInfo | undefined>(3);
        if (info?.parentType.name !== 'Mutation') {
            return next.handle();
        }
        const req = context.getArgByIndex<{ req?: Request }>(2)?.req;
        if (!req) {
            return next.handle();
        }
        const ctx = internal_getRequestContext(req, context) as RequestContext | undefined;
        if (!ctx) {
            return next.handle();
        }
        const scope = await this.scopeOf(info.fieldName, context.getArgByIndex(1) ?? {}, ctx);
        if (!scope) {
            return next.handle();
        }
        const retryAfter = await this.limiter.hit(scope, ctx.apiType, req.ip);
        if (retryAfter !== undefined) {
            this.warn(scope, ctx.apiType, req.ip);
            req.res?.setHeader('Retry-After', String(retryAfter));
            throw new RateLimitedError(scope, retryAfter);
        }
        return next.handle();
    }

    private async scopeOf(
        field: string,
        args: { input?: Record<string, unknown> },
        ctx: RequestContext,
    ): Promise<RateLimitScope | undefined> {
        switch (field) {
            case 'login':
                return 'LOGIN';
            case 'authenticate':
                // Other strategies (the SMS code) have limits of their own.
                return args.input?.native ? 'LOGIN' : undefined;
            case 'registerCustomerAccount':
                return ctx.apiType === 'shop' ? 'REGISTER' : undefined;
            case 'requestPasswordReset':
                return ctx.apiType === 'shop' ? 'PASSWORD_RESET' : undefined;
            case 'addItemToOrder':
                return ctx.apiType === 'shop' && !(await this.hasActiveOrder(ctx)) ? 'NEW_ORDER' : undefined;
            default:
                return undefined;
        }
    }

    /** Whether this session already has an order to add to (else the resolver creates one). */
    private async hasActiveOrder(ctx: RequestContext): Promise<boolean> {
        if (ctx.session?.activeOrderId) {
            return true;
        }
        if (!ctx.activeUserId) {
            return false;
        }
        // A logged-in customer's active order may come from an earlier session.
        return !!(await this.activeOrderService.getActiveOrder(ctx, undefined));
    }

    private warn(scope: RateLimitScope, api: string, ip: string | undefined): void {
        const key = `${scope}:${api}:${ip}`;
        const now = Date.now();
        if ((this.warned.get(key) ?? 0) > now - 60_000) {
            return;
        }
        if (this.warned.size > 10_000) {
            this.warned.clear();
        }
        this.warned.set(key, now);
        Logger.warn(`Refused ${scope} on the ${api} API for ${ip ?? '-'}: over the per-IP limit`, loggerCtx);
    }
}
