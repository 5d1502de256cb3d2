import { randomUUID } from 'node:crypto';

import { Inject, Injectable } from '@nestjs/common';
import {
    ActiveOrderService,
    CurrencyCode,
    ID,
    isGraphQlErrorResult,
    Logger,
    CreateRefundResult,
    Order,
    OrderService,
    Payment,
    PaymentMethod,
    Refund,
    RequestContext,
    RequestContextService,
    totalCoveredByPayments,
    TransactionalConnection,
} from '@vendure/core';
import { Brackets } from 'typeorm';

import { isEntityId } from '../../../src/db/entity-id';
import { normalizeIranianMobile } from '../../../src/iran/mobile';
import { formatRial, fromRial, roundToWholeRial, toRial } from '../../../src/iran/money';
import {
    CALLBACK_PATH,
    CALLBACK_WAIT_MS,
    loggerCtx,
    ATTENTION_LIST_LIMIT,
    RECONCILE_PAGE_SIZE,
    ZIBAL_HANDLER_CODE,
    ZIBAL_MINIMUM_RIAL,
    ZIBAL_PLUGIN_OPTIONS,
} from '../constants';
import { ZibalPaymentAttempt } from '../entities/zibal-payment-attempt.entity';
import { ResolvedZibalOptions, ZibalAttemptEvent, ZibalAttemptState } from '../types';

import { OrderLock } from './order-lock';

import {
    ZIBAL_RESULT_MESSAGES,
    ZIBAL_STATUS,
    ZIBAL_STATUS_MESSAGES,
    ZibalCallOptions,
    ZibalClient,
    ZibalTransaction,
} from './zibal.client';

export type ZibalPaymentIntentResult =
    | { __typename: 'ZibalPaymentIntent'; trackId: string; paymentUrl: string; amount: number }
    | {
          __typename: 'ZibalGatewayError';
          errorCode: 'ZIBAL_GATEWAY_ERROR';
          message: string;
          resultCode: number | null;
      }
    | { __typename: 'ZibalOrderNotReadyError'; errorCode: 'ZIBAL_ORDER_NOT_READY_ERROR'; message: string }
    | {
          __typename: 'ZibalAmountTooSmallError';
          errorCode: 'ZIBAL_AMOUNT_TOO_SMALL_ERROR';
          message: string;
          minimumAmount: number;
      };

export interface CallbackQuery {
    trackId?: unknown;
    success?: unknown;
    status?: unknown;
    orderId?: unknown;
}

/**
 * What a settle did: the attempt's state, or `order-busy` when it was left alone because another attempt of the
 * same order is being verified (one attempt per order at a time).
 */
export type SettleOutcome = ZibalAttemptState | 'order-busy';

/** A Zibal refund still Pending: a manual one (no platform token) or one Zibal gave no clear answer to. */
export interface ZibalPendingRefund {
    id: ID;
    createdAt: Date;
    orderId: ID;
    orderCode: string;
    paymentId: ID;
    total: number;
    trackId: string | null;
    uncertain: boolean;
    reason: string | null;
    note: string | null;
}

/** What staff must look at: money taken but not on an order, attempts reconciliation has yet to settle, Pending refunds. */
export interface ZibalPaymentsNeedingAttention {
    refundDue: ZibalPaymentAttempt[];
    awaitingReconciliation: ZibalPaymentAttempt[];
    pendingRefunds: ZibalPendingRefund[];
}

export type MarkAttemptRefundedResult =
    | (ZibalPaymentAttempt & { __typename: 'ZibalPaymentAttempt' })
    | {
          __typename: 'ZibalAttemptNotRefundDueError';
          errorCode: 'ZIBAL_ATTEMPT_NOT_REFUND_DUE_ERROR';
          message: string;
          attemptState: string | null;
      };

export interface ReconcileReport {
    checked: number;
    settled: number;
    failed: number;
    expired: number;
}

/** The Zibal flow: start a payment, then verify and settle it exactly once, from the callback or reconciliation. */
@Injectable()
export class ZibalService {
    readonly client: ZibalClient;

    constructor(
        private readonly connection: TransactionalConnection,
        private readonly activeOrderService: ActiveOrderService,
        private readonly orderService: OrderService,
        private readonly requestContextService: RequestContextService,
        private readonly orderLock: OrderLock,
        @Inject(ZIBAL_PLUGIN_OPTIONS) private readonly options: ResolvedZibalOptions,
    ) {
        this.client = new ZibalClient(options);
    }

    callbackUrl(): string {
        return `${this.options.publicUrl}/${CALLBACK_PATH}`;
    }

    /** Shop API `createZibalPaymentIntent`: asks Zibal for a trackId for the active order's total. */
    async createIntent(ctx: RequestContext): Promise<ZibalPaymentIntentResult> {
        const active = await this.activeOrderService.getActiveOrder(ctx, undefined);
        const order =
            active && (await this.orderService.findOne(ctx, active.id, ['customer', 'shippingLines']));
        if (!order) {
            return notReady('There is no active order');
        }
        if (!order.customer) {
            return notReady('Set the customer of the order first');
        }
        if (!order.shippingAddress?.countryCode) {
            return notReady('Set the shipping address of the order first');
        }
        if (!order.shippingLines?.length) {
            return notReady('Choose a shipping method first');
        }
        if (order.state === 'AddingItems') {
            const moved = await this.orderService.transitionToState(ctx, order.id, 'ArrangingPayment');
            if (isGraphQlErrorResult(moved)) {
                return notReady(moved.transitionError ?? moved.message);
            }
        } else if (order.state !== 'ArrangingPayment') {
            return notReady(`The order cannot be paid in state ${order.state}`);
        }
        if (order.currencyCode !== CurrencyCode.IRR) {
            return notReady(`Zibal takes Iranian Rial (IRR) only; this order is in ${order.currencyCode}`);
        }
        const method = await this.findPaymentMethod(ctx);
        if (!method) {
            return notReady('No enabled Zibal payment method in this channel');
        }
        const amount = payableAmount(order);
        const minimumAmount = fromRial(ZIBAL_MINIMUM_RIAL);
        if (amount < minimumAmount) {
            return {
                __typename: 'ZibalAmountTooSmallError',
                errorCode: 'ZIBAL_AMOUNT_TOO_SMALL_ERROR',
                message: `Zibal accepts amounts from ${formatRial(minimumAmount)}`,
                minimumAmount,
            };
        }
        const mobile = normalizeIranianMobile(order.customer.phoneNumber ?? '');
        const outcome = await this.client.request({
            amount,
            callbackUrl: this.callbackUrl(),
            orderId: order.code,
            ...(mobile ? { mobile } : {}),
            description: `Order ${order.code}`,
        });
        if (outcome.kind === 'unavailable') {
            Logger.warn(`request for order ${order.code} failed: ${outcome.reason}`, loggerCtx);
            return gatewayError(null, 'The payment gateway is not available right now. Please try again.');
        }
        if (outcome.result !== 100 || !outcome.data.trackId) {
            Logger.warn(
                `request for order ${order.code} refused: result ${outcome.result} ${outcome.message}`,
                loggerCtx,
            );
            return gatewayError(outcome.result, ZIBAL_RESULT_MESSAGES[outcome.result] ?? outcome.message);
        }
        const trackId = outcome.data.trackId;
        await this.connection.getRepository(ctx, ZibalPaymentAttempt).save(
            new ZibalPaymentAttempt({
                trackId,
                orderId: String(order.id),
                orderCode: order.code,
                channelToken: ctx.channel.token,
                paymentMethodCode: method.code,
                amount,
                state: 'pending',
                zibalStatus: ZIBAL_STATUS.waiting,
                history: [event('requested', { result: 100 })],
            }),
        );
        Logger.info(`order ${order.code}: trackId ${trackId} for ${formatRial(amount)}`, loggerCtx);
        return {
            __typename: 'ZibalPaymentIntent',
            trackId,
            paymentUrl: this.client.startUrl(trackId),
            amount,
        };
    }

    /**
     * `GET /payments/zibal/callback`. Trusts nothing in the query but the trackId to look up, and only when the
     * orderId (if given) names the order of that stored attempt. Returns where to send the browser.
     */
    async handleCallback(query: CallbackQuery): Promise<string> {
        const trackId =
            typeof query.trackId === 'string' && /^\d{1,20}$/.test(query.trackId) ? query.trackId : undefined;
        const attempt = trackId
            ? await this.connection.rawConnection
                  .getRepository(ZibalPaymentAttempt)
                  .findOne({ where: { trackId } })
            : null;
        if (!attempt) {
            Logger.warn(`callback for unknown trackId ${String(query.trackId).slice(0, 32)}`, loggerCtx);
            return `${this.options.storefrontUrl}/checkout/payment-failed`;
        }
        if (query.orderId !== undefined && String(query.orderId) !== attempt.orderCode) {
            Logger.warn(
                `callback for trackId ${attempt.trackId} names order ${String(query.orderId).slice(0, 64)}, but it belongs to ${attempt.orderCode}: ignored`,
                loggerCtx,
            );
            return this.options.failurePath(String(query.orderId).slice(0, 64));
        }
        const waiting = { shopperWaiting: true };
        let state = await this.settleAttempt(attempt.id, waiting);
        // A duplicate callback while another request verifies this attempt answers with that request's outcome;
        // a callback while another attempt of the order is verified waits for it, then settles its own.
        for (
            let waited = 0;
            (state === 'verifying' || state === 'order-busy') && waited < CALLBACK_WAIT_MS;
            waited += 100
        ) {
            await new Promise(resolve => setTimeout(resolve, 100));
            state =
                state === 'order-busy'
                    ? await this.settleAttempt(attempt.id, waiting)
                    : (
                          await this.connection.rawConnection
                              .getRepository(ZibalPaymentAttempt)
                              .findOneByOrFail({ id: attempt.id })
                      ).state;
        }
        return state === 'settled'
            ? this.options.successPath(attempt.orderCode)
            : this.options.failurePath(attempt.orderCode);
    }

    /**
     * The one settle path (callback and reconciliation). A claim, taken under the order's lock, makes one caller
     * at a time work on an order, across processes; the others get the state it leaves (or `order-busy`).
     * A verified payment is added only when the order is still payable for exactly the attempt's amount and
     * Zibal's verified amount equals it, checked again under the order's lock in the transaction that adds it.
     */
    async settleAttempt(attemptId: ID, calls: ZibalCallOptions = {}): Promise<SettleOutcome> {
        const repo = this.connection.rawConnection.getRepository(ZibalPaymentAttempt);
        const claimToken = randomUUID();
        const before = await repo.findOneOrFail({ where: { id: attemptId } });
        const ctx = await this.contextFor(before);
        const claim = await this.claim(ctx, before, claimToken);
        const attempt = await repo.findOneOrFail({ where: { id: attemptId } });
        if (claim === 'order-busy') {
            Logger.info(
                `trackId ${attempt.trackId}: another payment of order ${attempt.orderCode} is being verified; waiting`,
                loggerCtx,
            );
            return claim;
        }
        if (claim === 'taken') {
            return attempt.state;
        }
        const order = await this.orderService.findOne(ctx, attempt.orderId, ['payments']);
        if (order?.payments?.some(p => p.metadata?.trackId === attempt.trackId && p.state === 'Settled')) {
            // Settled before, but the process stopped before recording it.
            return this.finish(attempt, 'settled', event('already-settled'));
        }
        const why = whyNotPayable(order, attempt.amount);
        if (why !== undefined) {
            // A process may have verified it and stopped before adding the payment: then the money is taken.
            const inquiry = await this.client.inquiry(attempt.trackId, calls);
            if (inquiry.kind === 'unavailable') {
                return this.finish(
                    attempt,
                    'pending',
                    event('inquiry-unavailable', { note: inquiry.reason }),
                );
            }
            if (inquiry.result === 100 && inquiry.data.status === ZIBAL_STATUS.paidVerified) {
                return this.refundDue(attempt, 'verified-not-added', why, inquiry.data.status);
            }
            // Not verifying leaves the money with the payer: Zibal returns unverified payments.
            Logger.warn(`trackId ${attempt.trackId}: not verified, ${why}`, loggerCtx);
            return this.finish(attempt, 'rejected', event('not-verified', { note: why }));
        }
        const verified = await this.verifiedTransaction(attempt, calls);
        if (verified.kind === 'retry-later') {
            return this.finish(attempt, 'pending', verified.event);
        }
        if (verified.kind === 'not-paid') {
            return this.finish(attempt, 'failed', verified.event, verified.status);
        }
        const tx = verified.transaction;
        if (tx.amount !== attempt.amount) {
            return this.refundDue(
                attempt,
                'amount-mismatch',
                `verified ${formatRial(tx.amount)}, expected ${formatRial(attempt.amount)}`,
                tx.status,
            );
        }
        attempt.refNumber = tx.refNumber;
        attempt.maskedCardNumber = tx.cardNumber;
        attempt.paidAt = tx.paidAt;
        attempt.zibalStatus = ZIBAL_STATUS.paidVerified;
        attempt.history = [...attempt.history, verified.event];
        await repo.save(attempt);
        const result = await this.orderLock.run(ctx, attempt.orderId, async txCtx => {
            // The order as it is now, while no one else can settle it or take it out of ArrangingPayment.
            const current = await this.orderService.findOne(txCtx, attempt.orderId, ['payments']);
            const changed = whyNotPayable(current, attempt.amount);
            return changed
                ? { changed }
                : this.orderService.addPaymentToOrder(txCtx, attempt.orderId, {
                      method: attempt.paymentMethodCode,
                      metadata: { trackId: attempt.trackId, claimToken },
                  });
        });
        if ('changed' in result) {
            return this.refundDue(attempt, 'order-changed', result.changed, tx.status);
        }
        if (isGraphQlErrorResult(result)) {
            // E.g. CouponRemovedDuringCheckoutError: a single-use coupon was taken by another order meanwhile.
            return this.refundDue(attempt, 'add-payment-failed', result.message);
        }
        const payment = result.payments?.find(p => p.metadata?.trackId === attempt.trackId);
        attempt.paymentId = payment ? String(payment.id) : null;
        Logger.info(
            `order ${attempt.orderCode} paid: trackId ${attempt.trackId}, ref ${tx.refNumber}`,
            loggerCtx,
        );
        return this.finish(attempt, 'settled', event('settled'));
    }

    /**
     * Claims the attempt for this process unless another process holds it (`taken`) or another attempt of the
     * same order is being verified (`order-busy`). Taken under the order's lock, so that two attempts of one order
     * are never verified at the same time, and an order never leaves ArrangingPayment while one is.
     */
    private claim(
        ctx: RequestContext,
        attempt: ZibalPaymentAttempt,
        claimToken: string,
    ): Promise<'claimed' | 'taken' | 'order-busy'> {
        return this.orderLock.run(ctx, attempt.orderId, async txCtx => {
            const now = Date.now();
            if (await this.claimedAttempt(txCtx, attempt.orderId, now, attempt.id)) {
                return 'order-busy';
            }
            const claimed = await this.connection
                .getRepository(txCtx, ZibalPaymentAttempt)
                .createQueryBuilder()
                .update(ZibalPaymentAttempt)
                .set({ state: 'verifying', claimToken, claimExpiresAt: now + this.options.claimTtlMs })
                .where('"id" = :id', { id: attempt.id })
                .andWhere(unclaimed(now))
                .execute();
            return claimed.affected === 1 ? 'claimed' : 'taken';
        });
    }

    /** An attempt of the order (other than `exceptId`) that a process is verifying now (its claim has not expired). */
    private claimedAttempt(
        ctx: RequestContext,
        orderId: ID,
        now: number,
        exceptId?: ID,
    ): Promise<ZibalPaymentAttempt | null> {
        const query = this.connection
            .getRepository(ctx, ZibalPaymentAttempt)
            .createQueryBuilder('a')
            .where('a.orderId = :orderId', { orderId: String(orderId) })
            .andWhere("a.state = 'verifying'")
            .andWhere('a.claimExpiresAt >= :now', { now });
        return (exceptId !== undefined ? query.andWhere('a.id != :exceptId', { exceptId }) : query).getOne();
    }

    /**
     * For the order process: why the order may not leave ArrangingPayment now, if it may not. It may not while
     * one of its Zibal payments is being verified: the amount Zibal was asked for must still be what the order
     * costs when the payment is added. Takes the order's lock in the caller's transaction (on PostgreSQL until it
     * ends), so a settle cannot start or finish between this check and the caller's change.
     */
    refuseOrderChange(ctx: RequestContext, order: Order, fromState: string): Promise<string | undefined> {
        return this.orderLock.check(ctx, order.id, async () => {
            const claimed = await this.claimedAttempt(ctx, order.id, Date.now());
            if (claimed) {
                Logger.info(
                    `order ${order.code} stays ${fromState}: trackId ${claimed.trackId} is being verified`,
                    loggerCtx,
                );
                return 'A Zibal payment of this order is being verified, so the order cannot change until it is done. Try again in a moment.';
            }
            // A settle may have finished since the caller loaded the order.
            const current = await this.connection
                .getRepository(ctx, Order)
                .findOne({ where: { id: order.id }, select: { id: true, state: true } });
            return current && current.state !== fromState
                ? `The order is ${current.state} now, not ${fromState}`
                : undefined;
        });
    }

    /**
     * For the payment handler: the verified attempt the plugin is settling with this claim token, if any.
     * This is what makes `addPaymentToOrder` with the `zibal` method impossible from a shopper's own metadata.
     */
    async findAttemptBeingSettled(
        trackId: unknown,
        claimToken: unknown,
    ): Promise<ZibalPaymentAttempt | undefined> {
        if (typeof trackId !== 'string' || typeof claimToken !== 'string') {
            return undefined;
        }
        const attempt = await this.connection.rawConnection
            .getRepository(ZibalPaymentAttempt)
            .findOne({ where: { trackId, claimToken, state: 'verifying' } });
        return attempt?.zibalStatus === ZIBAL_STATUS.paidVerified ? attempt : undefined;
    }

    /** Scheduled task: attempts whose shopper never came back are inquired, settled if paid, expired if abandoned. */
    async reconcile(): Promise<ReconcileReport> {
        const now = Date.now();
        const repo = this.connection.rawConnection.getRepository(ZibalPaymentAttempt);
        const report: ReconcileReport = { checked: 0, settled: 0, failed: 0, expired: 0 };
        // Every due attempt, a page at a time: with a fixed page, attempts still waiting within their expiry
        // (checked on every run) could keep newer paid ones out of reach.
        for (let afterId: ID = 0; ;) {
            const due = await repo
                .createQueryBuilder('a')
                .where('a.id > :afterId', { afterId })
                .andWhere(this.dueForReconciliation(now))
                .orderBy('a.id', 'ASC')
                .take(RECONCILE_PAGE_SIZE)
                .getMany();
            if (!due.length) {
                break;
            }
            afterId = due[due.length - 1].id;
            report.checked += due.length;
            await this.reconcilePage(due, now, report);
        }
        if (report.checked) {
            Logger.info(`reconcile: ${JSON.stringify(report)}`, loggerCtx);
        }
        return report;
    }

    /** Attempts the reconciliation picks up at `now`: pending long enough, or held by a process that stopped. */
    private dueForReconciliation(now: number): Brackets {
        return new Brackets(qb =>
            qb
                .where("a.state = 'pending' AND a.createdAt <= :cutoff", {
                    cutoff: new Date(now - this.options.reconcileAfterMs),
                })
                .orWhere("a.state = 'verifying' AND a.claimExpiresAt < :now", { now }),
        );
    }

    /**
     * Admin API `zibalPaymentsNeedingAttention`, for the caller's channel: refund-due attempts, attempts the next
     * reconciliation will inquire, and Zibal refunds still Pending (manual, or without a clear answer from Zibal).
     */
    async needingAttention(ctx: RequestContext): Promise<ZibalPaymentsNeedingAttention> {
        const repo = this.connection.getRepository(ctx, ZibalPaymentAttempt);
        const channelToken = ctx.channel.token;
        const [refundDue, awaitingReconciliation] = await Promise.all([
            repo.find({
                where: { state: 'refund-due', channelToken },
                order: { createdAt: 'ASC' },
                take: ATTENTION_LIST_LIMIT,
            }),
            repo
                .createQueryBuilder('a')
                .where('a.channelToken = :channelToken', { channelToken })
                .andWhere(this.dueForReconciliation(Date.now()))
                .orderBy('a.createdAt', 'ASC')
                .take(ATTENTION_LIST_LIMIT)
                .getMany(),
        ]);
        return { refundDue, awaitingReconciliation, pendingRefunds: await this.pendingRefunds(ctx) };
    }

    private async pendingRefunds(ctx: RequestContext): Promise<ZibalPendingRefund[]> {
        const methodCodes = (await this.zibalMethods(ctx)).map(m => m.code);
        if (!methodCodes.length) {
            return [];
        }
        const refunds = await this.connection
            .getRepository(ctx, Refund)
            .createQueryBuilder('refund')
            .innerJoinAndSelect('refund.payment', 'payment')
            .innerJoinAndSelect('payment.order', 'order')
            .innerJoin('order.channels', 'channel', 'channel.id = :channelId', { channelId: ctx.channelId })
            .where('refund.state = :state', { state: 'Pending' })
            .andWhere('payment.method IN (:...methodCodes)', { methodCodes })
            .orderBy('refund.createdAt', 'ASC')
            .take(ATTENTION_LIST_LIMIT)
            .getMany();
        return refunds.map(refund => {
            const metadata = (refund.metadata ?? {}) as Record<string, unknown>;
            return {
                id: refund.id,
                createdAt: refund.createdAt,
                orderId: refund.payment.order.id,
                orderCode: refund.payment.order.code,
                paymentId: refund.paymentId,
                total: refund.total,
                trackId: typeof metadata.trackId === 'string' ? metadata.trackId : null,
                uncertain: metadata.uncertain === true,
                reason: refund.reason ?? null,
                note: typeof metadata.note === 'string' ? metadata.note : null,
            };
        });
    }

    /**
     * Admin API `markZibalAttemptRefunded`: staff paid a refund-due attempt's money back by hand (bank transfer or
     * the Zibal panel) and record it, so it leaves the list. Only a refund-due attempt of the caller's channel.
     */
    async markRefunded(
        ctx: RequestContext,
        attemptId: ID,
        note?: string,
    ): Promise<MarkAttemptRefundedResult> {
        const repo = this.connection.getRepository(ctx, ZibalPaymentAttempt);
        const channelToken = ctx.channel.token;
        // An id that names no row (beyond PostgreSQL's integer, say) would fail the query: not found instead.
        const attempt = isEntityId(attemptId)
            ? await repo.findOne({ where: { id: attemptId, channelToken } })
            : null;
        if (!attempt || attempt.state !== 'refund-due') {
            return {
                __typename: 'ZibalAttemptNotRefundDueError',
                errorCode: 'ZIBAL_ATTEMPT_NOT_REFUND_DUE_ERROR',
                message: attempt
                    ? `Payment attempt ${attempt.trackId} is ${attempt.state}, not refund-due: there is nothing to refund by hand`
                    : `No Zibal payment attempt ${String(attemptId)} in this channel`,
                attemptState: attempt?.state ?? null,
            };
        }
        const by = ctx.activeUserId !== undefined ? `user ${String(ctx.activeUserId)}` : 'unknown user';
        const history = [
            ...attempt.history,
            event('refunded-manually', { note: [by, note?.trim().slice(0, 500)].filter(Boolean).join(': ') }),
        ];
        // Only from refund-due: two staff marking it at once record it once.
        const updated = await repo.update(
            { id: attempt.id, state: 'refund-due' },
            { state: 'refunded', history },
        );
        if (updated.affected !== 1) {
            return this.markRefunded(ctx, attemptId, note);
        }
        Logger.info(
            `trackId ${attempt.trackId} of order ${attempt.orderCode}: refunded by hand (${by})`,
            loggerCtx,
        );
        return {
            ...Object.assign(attempt, { state: 'refunded', history }),
            __typename: 'ZibalPaymentAttempt',
        };
    }

    private async reconcilePage(
        due: ZibalPaymentAttempt[],
        now: number,
        report: ReconcileReport,
    ): Promise<void> {
        for (const attempt of due) {
            const outcome = await this.client.inquiry(attempt.trackId);
            if (outcome.kind === 'unavailable') {
                Logger.warn(
                    `reconcile: inquiry of trackId ${attempt.trackId} failed: ${outcome.reason}`,
                    loggerCtx,
                );
                continue;
            }
            const status = outcome.data.status;
            let state: SettleOutcome | undefined;
            if (
                outcome.result === 100 &&
                (status === ZIBAL_STATUS.paidNotVerified || status === ZIBAL_STATUS.paidVerified)
            ) {
                state = await this.settleAttempt(attempt.id);
            } else if (outcome.result === 100 && status === ZIBAL_STATUS.waiting) {
                if (attempt.createdAt.getTime() <= now - this.options.expireAfterMs) {
                    state = await this.closeIfUnclaimed(attempt, 'expired', status, 'no payment');
                }
            } else {
                state = await this.closeIfUnclaimed(attempt, 'failed', status, outcome.message);
            }
            if (state === 'settled') {
                report.settled++;
            } else if (state === 'failed' || state === 'rejected' || state === 'refund-due') {
                report.failed++;
            } else if (state === 'expired') {
                report.expired++;
            }
        }
    }

    /**
     * Refunds through Zibal's platform API when a platform token is configured; otherwise records a Pending
     * refund that staff pay back by hand and then mark settled in the Admin UI (`settleRefund`).
     */
    async refund(
        _ctx: RequestContext,
        orderCode: string,
        payment: Payment,
        amount: number,
        reason?: string,
    ): Promise<CreateRefundResult> {
        const trackId = String(payment.metadata?.trackId ?? '');
        if (amount !== roundToWholeRial(amount)) {
            return {
                state: 'Failed',
                metadata: { trackId, error: 'A refund must be a whole number of Rials' },
            };
        }
        if (!this.client.canRefund) {
            Logger.info(
                `order ${orderCode}: manual refund of ${formatRial(amount)} recorded for trackId ${trackId}`,
                loggerCtx,
            );
            return {
                state: 'Pending',
                metadata: {
                    manual: true,
                    trackId,
                    note: 'No Zibal platform token is configured: pay this amount back to the card, then settle the refund.',
                },
            };
        }
        const outcome = await this.client.refund({
            trackId,
            amount,
            description: reason ?? `Refund of order ${orderCode}`,
        });
        if (outcome.kind === 'unavailable' && outcome.uncertain) {
            // Zibal may have made the refund: a Failed refund would let staff refund the same amount again.
            Logger.error(
                `order ${orderCode}: refund of ${formatRial(amount)} for trackId ${trackId} has no clear answer (${outcome.reason}); check it in the Zibal panel`,
                loggerCtx,
            );
            return {
                state: 'Pending',
                metadata: {
                    trackId,
                    uncertain: true,
                    error: outcome.reason,
                    note: 'Zibal gave no clear answer, so the refund may have been made. Check it in the Zibal panel: if it was, settle this refund with its id; if not, pay the amount back and then settle it.',
                },
            };
        }
        if (outcome.kind === 'unavailable' || outcome.result !== 1) {
            const why =
                outcome.kind === 'unavailable'
                    ? outcome.reason
                    : `result ${outcome.result} ${outcome.message}`;
            Logger.warn(
                `order ${orderCode}: refund of ${formatRial(amount)} for trackId ${trackId} refused: ${why}`,
                loggerCtx,
            );
            return { state: 'Failed', metadata: { trackId, error: why } };
        }
        Logger.info(`order ${orderCode}: refunded ${formatRial(amount)} for trackId ${trackId}`, loggerCtx);
        return {
            state: 'Settled',
            transactionId: outcome.data.refundId ?? undefined,
            metadata: { trackId, refundId: outcome.data.refundId },
        };
    }

    /** The attempts of an order the caller can see in its channel (none for another channel's order). */
    async attemptsForOrder(ctx: RequestContext, orderId: ID): Promise<ZibalPaymentAttempt[]> {
        if (!isEntityId(orderId)) {
            return [];
        }
        const order = await this.orderService.findOne(ctx, orderId, []);
        if (!order) {
            return [];
        }
        return this.connection
            .getRepository(ctx, ZibalPaymentAttempt)
            .find({ where: { orderId: String(order.id) }, order: { id: 'ASC' } });
    }

    private async verifiedTransaction(
        attempt: ZibalPaymentAttempt,
        calls: ZibalCallOptions,
    ): Promise<
        | { kind: 'verified'; transaction: ZibalTransaction; event: ZibalAttemptEvent }
        | { kind: 'not-paid'; status: number | null; event: ZibalAttemptEvent }
        | { kind: 'retry-later'; event: ZibalAttemptEvent }
    > {
        const verify = await this.client.verify(attempt.trackId, calls);
        if (verify.kind === 'unavailable') {
            Logger.warn(
                `verify of trackId ${attempt.trackId} failed: ${verify.reason}; reconciliation will retry`,
                loggerCtx,
            );
            return { kind: 'retry-later', event: event('verify-unavailable', { note: verify.reason }) };
        }
        if (verify.result === 100 && verify.data.status === ZIBAL_STATUS.paidVerified) {
            return {
                kind: 'verified',
                transaction: verify.data,
                event: event('verified', { result: 100, status: 1 }),
            };
        }
        // 201 (verified before, e.g. by a process that stopped) and 202 (not paid) are confirmed by an inquiry.
        const inquiry = await this.client.inquiry(attempt.trackId, calls);
        if (inquiry.kind === 'unavailable') {
            return {
                kind: 'retry-later',
                event: event('inquiry-unavailable', { result: verify.result, note: inquiry.reason }),
            };
        }
        const status = inquiry.data.status;
        if (verify.result === 201 && inquiry.result === 100 && status === ZIBAL_STATUS.paidVerified) {
            return {
                kind: 'verified',
                transaction: inquiry.data,
                event: event('verified-before', { result: 201, status }),
            };
        }
        if (
            inquiry.result === 100 &&
            (status === ZIBAL_STATUS.waiting || status === ZIBAL_STATUS.paidNotVerified)
        ) {
            return { kind: 'retry-later', event: event('not-yet-paid', { result: verify.result, status }) };
        }
        if (verify.result === 100 || verify.result === 201) {
            // Zibal said it verified the payment: whatever the inquiry says now, it is not "not paid".
            return {
                kind: 'retry-later',
                event: event('verify-unconfirmed', { result: verify.result, status }),
            };
        }
        return {
            kind: 'not-paid',
            status: Number.isFinite(status) ? status : null,
            event: event('not-paid', { result: verify.result, status, note: ZIBAL_STATUS_MESSAGES[status] }),
        };
    }

    /**
     * Records the end of this process's claim on an attempt, only while it still holds the claim: a settle that
     * outlived its claim must not overwrite what the process that took over recorded.
     */
    private async finish(
        attempt: ZibalPaymentAttempt,
        state: ZibalAttemptState,
        ev: ZibalAttemptEvent,
        zibalStatus?: number | null,
    ): Promise<ZibalAttemptState> {
        const repo = this.connection.rawConnection.getRepository(ZibalPaymentAttempt);
        const history = [...attempt.history, ev];
        const updated = await repo.update(
            { id: attempt.id, claimToken: attempt.claimToken ?? undefined },
            {
                state,
                claimToken: null,
                claimExpiresAt: null,
                history,
                paymentId: attempt.paymentId,
                ...(zibalStatus !== undefined ? { zibalStatus } : {}),
            },
        );
        if (updated.affected !== 1) {
            const current = await repo.findOneByOrFail({ id: attempt.id });
            Logger.warn(
                `trackId ${attempt.trackId}: lost the claim before recording "${state}"; another process recorded "${current.state}"`,
                loggerCtx,
            );
            return current.state;
        }
        Object.assign(attempt, { state, claimToken: null, claimExpiresAt: null, history });
        return state;
    }

    /** Money taken (verified at Zibal) that is not on the order: staff must pay it back. */
    private refundDue(
        attempt: ZibalPaymentAttempt,
        name: string,
        why: string,
        zibalStatus?: number,
    ): Promise<ZibalAttemptState> {
        Logger.error(
            `trackId ${attempt.trackId} of order ${attempt.orderCode}: paid ${formatRial(attempt.amount)} and verified at Zibal, but not added to the order (${why}); refund it to the payer`,
            loggerCtx,
        );
        return this.finish(attempt, 'refund-due', event(name, { note: why }), zibalStatus);
    }

    private async closeIfUnclaimed(
        attempt: ZibalPaymentAttempt,
        state: 'failed' | 'expired',
        status: number,
        note: string,
    ): Promise<ZibalAttemptState> {
        const result = await this.connection.rawConnection
            .getRepository(ZibalPaymentAttempt)
            .createQueryBuilder()
            .update(ZibalPaymentAttempt)
            .set({
                state,
                zibalStatus: Number.isFinite(status) ? status : null,
                claimToken: null,
                claimExpiresAt: null,
            })
            // Also an attempt whose settling process stopped (an expired claim): it would stay "verifying".
            .where(`"id" = :id`, { id: attempt.id })
            .andWhere(unclaimed(Date.now()))
            .execute();
        if (result.affected === 1) {
            attempt.state = state;
            attempt.history = [...attempt.history, event(state, { status, note })];
            await this.connection.rawConnection
                .getRepository(ZibalPaymentAttempt)
                .update(attempt.id, { history: attempt.history });
        }
        return result.affected === 1 ? state : attempt.state;
    }

    private async findPaymentMethod(ctx: RequestContext): Promise<PaymentMethod | undefined> {
        return (await this.zibalMethods(ctx)).find(m => m.enabled);
    }

    /** The channel's payment methods with the `zibal` handler, enabled or not. */
    private async zibalMethods(ctx: RequestContext): Promise<PaymentMethod[]> {
        const methods = await this.connection
            .getRepository(ctx, PaymentMethod)
            .createQueryBuilder('method')
            .innerJoin('method.channels', 'channel', 'channel.id = :channelId', { channelId: ctx.channelId })
            .getMany();
        return methods.filter(m => m.handler.code === ZIBAL_HANDLER_CODE);
    }

    private contextFor(attempt: ZibalPaymentAttempt): Promise<RequestContext> {
        return this.requestContextService.create({ apiType: 'admin', channelOrToken: attempt.channelToken });
    }
}

/**
 * The amount asked from Zibal, in money units: the order's total with tax. Throws unless it is a whole number of
 * Rials (src/iran/money.ts), which the money strategy guarantees for every total.
 */
export function payableAmount(order: Pick<Order, 'totalWithTax'>): number {
    toRial(order.totalWithTax);
    return order.totalWithTax;
}

/**
 * Why an order cannot take a Zibal payment of `amount` now, or undefined when it can: it is ArrangingPayment,
 * nothing is paid on it yet, and its total is exactly the amount Zibal was asked for.
 */
function whyNotPayable(order: Order | undefined, amount: number): string | undefined {
    if (!order) {
        return 'order not found';
    }
    const paid = order.payments ? totalCoveredByPayments(order) : 0;
    if (order.state !== 'ArrangingPayment' || paid !== 0 || payableAmount(order) !== amount) {
        return `order is ${order.state}, total ${formatRial(order.totalWithTax)}${paid ? ', partly paid' : ''}`;
    }
    return undefined;
}

/** Attempts no process works on: pending, or verifying under a claim that expired (its process stopped). */
function unclaimed(now: number): Brackets {
    return new Brackets(qb =>
        qb
            .where(`"state" = 'pending'`)
            .orWhere(`("state" = 'verifying' AND "claimExpiresAt" < :now)`, { now }),
    );
}

function event(name: string, extra: Omit<ZibalAttemptEvent, 'at' | 'event'> = {}): ZibalAttemptEvent {
    return { at: new Date().toISOString(), event: name, ...extra };
}

function notReady(message: string): ZibalPaymentIntentResult {
    return { __typename: 'ZibalOrderNotReadyError', errorCode: 'ZIBAL_ORDER_NOT_READY_ERROR', message };
}

function gatewayError(resultCode: number | null, message: string): ZibalPaymentIntentResult {
    return { __typename: 'ZibalGatewayError', errorCode: 'ZIBAL_GATEWAY_ERROR', message, resultCode };
}
