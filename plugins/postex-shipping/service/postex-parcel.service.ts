import { Inject, Injectable, OnApplicationBootstrap } from '@nestjs/common';
import { SortOrder } from '@vendure/common/lib/generated-types';
import {
    ConfigService,
    EventBus,
    Fulfillment,
    FulfillmentStateTransitionEvent,
    ID,
    idsAreEqual,
    isInspectableJobQueueStrategy,
    Job,
    JobQueue,
    JobQueueService,
    Logger,
    Order,
    OrderService,
    Payment,
    RequestContext,
    RequestContextService,
    SerializedRequestContext,
    TransactionalConnection,
} from '@vendure/core';
import { In, IsNull, Not, SelectQueryBuilder } from 'typeorm';

import { isEntityId } from '../../../src/db/entity-id';
import { formatRial, fromRial, toRial } from '../../../src/iran/money';
import {
    CREATE_PARCEL_QUEUE,
    labelPath,
    loggerCtx,
    PLUGIN_INIT_OPTIONS,
    POSTEX_HANDLER_CODE,
    ATTENTION_LIST_LIMIT,
} from '../constants';
import { PostexShippingOptions } from '../types';

import { coversWholeOrder } from './parcel-math';
import { PostexClient, PostexParcel, PostexPaymentType } from './postex.client';
import { PostexPlacesService } from './postex-places.service';
import { PostexQuoteService } from './postex-quote.service';

export type CreateParcelJobData = {
    fulfillmentId: string | number;
    ctx: SerializedRequestContext;
};

/** The fulfillment fields this plugin adds (see the plugin's `configuration`). */
export interface PostexFulfillmentFields {
    postexParcelNo?: string | null;
    postexStatus?: string | null;
    postexLabelUrl?: string | null;
}

/** Postex statuses and what they mean for the fulfillment. */
const SHIPPED_STATUSES = new Set(['PICKED_UP', 'IN_TRANSIT', 'OUT_FOR_DELIVERY']);
const DELIVERED_STATUSES = new Set(['DELIVERED']);
const RETURNED_STATUSES = new Set(['RETURNED', 'CANCELLED']);

/** Where the creation of a parcel that does not exist yet stands, from its latest job. */
export type ParcelCreationStatus = 'QUEUED' | 'RETRYING' | 'FAILED' | 'NO_JOB';

export interface PendingParcelCreation {
    fulfillmentId: ID;
    orderId: ID;
    orderCode: string;
    createdAt: Date;
    status: ParcelCreationStatus;
    /** The latest job's error (the Postex answer or why the parcel cannot be made). */
    error: string | null;
    attempts: number;
}

export interface ParcelLabelToPrint {
    fulfillmentId: ID;
    orderId: ID;
    orderCode: string;
    parcelNo: string;
    trackingCode: string | null;
    createdAt: Date;
}

export interface UnsettledCodDelivery {
    fulfillmentId: ID;
    orderId: ID;
    orderCode: string;
    parcelNo: string | null;
    paymentId: ID;
    amount: number;
    deliveredAt: Date;
}

export interface PostexParcelsNeedingAttention {
    creations: PendingParcelCreation[];
    labelsToPrint: ParcelLabelToPrint[];
    codUnsettled: UnsettledCodDelivery[];
}

export type RetryParcelCreationResult =
    | { __typename: 'PostexParcelCreationQueued'; fulfillmentId: ID }
    | {
          __typename: 'PostexParcelNotRetriableError';
          errorCode: 'POSTEX_PARCEL_NOT_RETRIABLE_ERROR';
          message: string;
          reason: 'NOT_FOUND' | 'NOT_PENDING' | 'HAS_PARCEL' | 'ALREADY_QUEUED';
      };

export interface TrackingPollResult {
    checked: number;
    shipped: number;
    delivered: number;
    returned: number;
}

/**
 * Parcels: created from a fulfillment by a job on the worker (idempotent through `custom_order_no`),
 * tracked by polling Postex, and the COD payment settled on delivery or cancelled on return.
 */
@Injectable()
export class PostexParcelService implements OnApplicationBootstrap {
    private queue: JobQueue<CreateParcelJobData>;

    constructor(
        private readonly connection: TransactionalConnection,
        private readonly jobQueueService: JobQueueService,
        private readonly eventBus: EventBus,
        private readonly orderService: OrderService,
        private readonly requestContextService: RequestContextService,
        private readonly places: PostexPlacesService,
        private readonly quotes: PostexQuoteService,
        @Inject(PLUGIN_INIT_OPTIONS) private readonly options: PostexShippingOptions,
        private readonly client: PostexClient,
        private readonly configService: ConfigService,
    ) {}

    async onApplicationBootstrap(): Promise<void> {
        this.queue = await this.jobQueueService.createQueue({
            name: CREATE_PARCEL_QUEUE,
            process: async (job: Job<CreateParcelJobData>) => {
                const ctx = RequestContext.deserialize(job.data.ctx);
                try {
                    return { parcelNo: await this.createParcel(ctx, job.data.fulfillmentId, job.attempts) };
                } catch (e) {
                    await this.recordCreateError(job.data.fulfillmentId, e);
                    throw e;
                }
            },
        });
        this.eventBus.ofType(FulfillmentStateTransitionEvent).subscribe(event => {
            if (event.fulfillment.handlerCode !== POSTEX_HANDLER_CODE) {
                return;
            }
            if (event.fromState === 'Created' && event.toState === 'Pending') {
                void this.enqueueCreation(event.ctx, event.fulfillment.id).catch(e =>
                    Logger.error(
                        `Could not queue parcel of fulfillment ${event.fulfillment.id}: ${e}`,
                        loggerCtx,
                    ),
                );
            }
            if (event.toState === 'Cancelled') {
                void this.cancelParcel(event.fulfillment);
            }
        });
    }

    /**
     * The last failed creation attempt, on the fulfillment (`postexStatus` = `CREATE_ERROR: <why>`), for the
     * parcels screen: unlike the job, it is there whichever job queue runs the jobs and however long it keeps them.
     */
    private async recordCreateError(fulfillmentId: ID, error: unknown): Promise<void> {
        const why = error instanceof Error ? error.message : String(error);
        await this.connection.rawConnection
            .getRepository(Fulfillment)
            .update(
                { id: fulfillmentId, customFields: { postexParcelNo: IsNull() } },
                { customFields: { postexStatus: `${CREATE_ERROR}${why}`.slice(0, 250) } },
            )
            .catch(e =>
                Logger.warn(`Fulfillment ${fulfillmentId}: could not record ${why}: ${e}`, loggerCtx),
            );
    }

    private enqueueCreation(ctx: RequestContext, fulfillmentId: ID): Promise<unknown> {
        return this.queue.add(
            { fulfillmentId, ctx: ctx.serialize() },
            { retries: this.options.createParcelRetries },
        );
    }

    /**
     * Admin API `postexParcelsNeedingAttention`, for the caller's channel: Postex fulfillments whose parcel does not
     * exist yet (with their latest creation job), parcels not yet picked up (labels to print), and delivered
     * cash-on-delivery orders whose payment is not settled.
     */
    async needingAttention(ctx: RequestContext): Promise<PostexParcelsNeedingAttention> {
        const [withoutParcel, labelled, delivered] = await Promise.all([
            this.channelFulfillments(ctx, 'Pending')
                .andWhere('fulfillment.customFields.postexParcelNo IS NULL')
                .getMany(),
            this.channelFulfillments(ctx, 'Pending')
                .andWhere('fulfillment.customFields.postexParcelNo IS NOT NULL')
                .getMany(),
            this.channelFulfillments(ctx, 'Delivered').getMany(),
        ]);
        const jobs = await this.latestCreationJobs(withoutParcel.map(f => String(f.id)));
        const creations = withoutParcel.map(f => {
            const job = jobs.get(String(f.id));
            const recorded = recordedCreateError(f);
            return {
                fulfillmentId: f.id,
                orderId: f.orders[0].id,
                orderCode: f.orders[0].code,
                createdAt: f.createdAt,
                status: creationStatus(job, recorded),
                error: job?.error ? String(job.error).slice(0, 500) : (recorded ?? null),
                attempts: job?.attempts ?? 0,
            };
        });
        const labelsToPrint = labelled.map(f => {
            const fields = f.customFields as PostexFulfillmentFields;
            return {
                fulfillmentId: f.id,
                orderId: f.orders[0].id,
                orderCode: f.orders[0].code,
                parcelNo: fields.postexParcelNo ?? '',
                trackingCode: f.trackingCode || null,
                createdAt: f.createdAt,
            };
        });
        const codUnsettled: UnsettledCodDelivery[] = [];
        for (const f of delivered) {
            for (const order of f.orders) {
                for (const payment of await this.codPayments(ctx, order.id)) {
                    codUnsettled.push({
                        fulfillmentId: f.id,
                        orderId: order.id,
                        orderCode: order.code,
                        parcelNo: (f.customFields as PostexFulfillmentFields).postexParcelNo ?? null,
                        paymentId: payment.id,
                        amount: payment.amount,
                        deliveredAt: f.updatedAt,
                    });
                }
            }
        }
        return { creations, labelsToPrint, codUnsettled };
    }

    /**
     * Admin API `retryPostexParcelCreation`: queues the creation of a Postex fulfillment's parcel again (after its
     * job failed). Safe to repeat: the job looks the parcel up by `custom_order_no` before creating one. Refused
     * while a creation job of the fulfillment is queued or running, so two jobs never create it at once.
     */
    async retryCreation(ctx: RequestContext, fulfillmentId: ID): Promise<RetryParcelCreationResult> {
        // An id that names no row (beyond PostgreSQL's integer, say) would fail the query: not found instead.
        const fulfillment = isEntityId(fulfillmentId)
            ? await this.channelFulfillments(ctx)
                  .andWhere('fulfillment.id = :fulfillmentId', { fulfillmentId })
                  .getOne()
            : null;
        const refuse = (
            reason: Extract<RetryParcelCreationResult, { reason: unknown }>['reason'],
            message: string,
        ): RetryParcelCreationResult => ({
            __typename: 'PostexParcelNotRetriableError',
            errorCode: 'POSTEX_PARCEL_NOT_RETRIABLE_ERROR',
            message,
            reason,
        });
        if (!fulfillment) {
            return refuse('NOT_FOUND', `No Postex fulfillment ${String(fulfillmentId)} in this channel`);
        }
        if ((fulfillment.customFields as PostexFulfillmentFields).postexParcelNo) {
            return refuse('HAS_PARCEL', `Fulfillment ${String(fulfillmentId)} has its parcel already`);
        }
        if (fulfillment.state !== 'Pending') {
            return refuse(
                'NOT_PENDING',
                `Fulfillment ${String(fulfillmentId)} is ${fulfillment.state}, not Pending`,
            );
        }
        const job = (await this.latestCreationJobs([String(fulfillment.id)])).get(String(fulfillment.id));
        const status = creationStatus(job, recordedCreateError(fulfillment));
        if (status === 'QUEUED' || status === 'RETRYING') {
            return refuse(
                'ALREADY_QUEUED',
                `The parcel of fulfillment ${String(fulfillmentId)} is being created`,
            );
        }
        await this.connection
            .getRepository(ctx, Fulfillment)
            .update(fulfillment.id, { customFields: { postexStatus: null } });
        await this.enqueueCreation(ctx, fulfillment.id);
        Logger.info(
            `Order ${fulfillment.orders[0].code}: parcel creation of fulfillment ${fulfillment.id} queued again by staff`,
            loggerCtx,
        );
        return { __typename: 'PostexParcelCreationQueued', fulfillmentId: fulfillment.id };
    }

    /** Postex fulfillments (optionally in one state) of orders in the caller's channel, oldest first. */
    private channelFulfillments(ctx: RequestContext, state?: string): SelectQueryBuilder<Fulfillment> {
        const query = this.connection
            .getRepository(ctx, Fulfillment)
            .createQueryBuilder('fulfillment')
            .innerJoinAndSelect('fulfillment.orders', 'order')
            .innerJoin('order.channels', 'channel', 'channel.id = :channelId', { channelId: ctx.channelId })
            .where('fulfillment.handlerCode = :handlerCode', { handlerCode: POSTEX_HANDLER_CODE })
            .orderBy('fulfillment.createdAt', 'ASC')
            .take(ATTENTION_LIST_LIMIT);
        return state ? query.andWhere('fulfillment.state = :state', { state }) : query;
    }

    /** The newest parcel creation job of each of these fulfillments (among the queue's latest jobs). */
    private async latestCreationJobs(fulfillmentIds: string[]): Promise<Map<string, Job>> {
        const strategy = this.configService.jobQueueOptions.jobQueueStrategy;
        const found = new Map<string, Job>();
        if (!fulfillmentIds.length || !isInspectableJobQueueStrategy(strategy)) {
            return found;
        }
        const wanted = new Set(fulfillmentIds);
        // The strategies page 100 jobs at a time (BullMQ's in no particular order): the latest 1000 jobs of the
        // queue cover any recent fulfillment.
        for (let skip = 0; skip < 1000; skip += 100) {
            const { items } = await strategy.findMany({
                filter: { queueName: { eq: CREATE_PARCEL_QUEUE } },
                sort: { createdAt: SortOrder.DESC },
                skip,
                take: 100,
            });
            for (const job of items) {
                const id = String((job.data as CreateParcelJobData | undefined)?.fulfillmentId ?? '');
                const newest = found.get(id);
                if (wanted.has(id) && (!newest || job.createdAt > newest.createdAt)) {
                    found.set(id, job);
                }
            }
            if (items.length < 100) {
                break;
            }
        }
        return found;
    }

    /** `custom_order_no` of a fulfillment's parcel: stable across retries, unique per fulfillment. */
    customOrderNo(order: Order, fulfillmentId: ID): string {
        return `${order.code}-${fulfillmentId}`;
    }

    /**
     * Creates the parcel of a fulfillment unless it exists. Before creating, it looks the parcel up by
     * `custom_order_no`, so a retry after a lost response finds the parcel instead of creating a second one.
     */
    async createParcel(ctx: RequestContext, fulfillmentId: ID, attempt = 1): Promise<string> {
        const fulfillment = await this.connection.getRepository(ctx, Fulfillment).findOne({
            where: { id: fulfillmentId },
            relations: ['orders', 'lines'],
        });
        if (!fulfillment) {
            throw new Error(`Fulfillment ${fulfillmentId} not found`);
        }
        const fields = fulfillment.customFields as PostexFulfillmentFields;
        if (fields.postexParcelNo) {
            return fields.postexParcelNo;
        }
        const order = await this.connection.getRepository(ctx, Order).findOneOrFail({
            where: { id: fulfillment.orders[0].id },
            relations: ['lines', 'lines.productVariant', 'payments', 'shippingLines'],
        });
        const customOrderNo = this.customOrderNo(order, fulfillment.id);
        const existing = await this.client.findByCustomOrderNo(customOrderNo);
        if (fulfillment.state === 'Cancelled') {
            // An earlier try may have created the parcel and lost the answer: it must not be picked up.
            if (existing.ok) {
                await this.cancelParcel(fulfillment, existing.data.parcel_no);
            }
            Logger.info(`Fulfillment ${fulfillmentId} cancelled before its parcel was stored`, loggerCtx);
            return '';
        }
        let parcel: PostexParcel | undefined;
        if (existing.ok) {
            parcel = existing.data;
            Logger.info(
                `Order ${order.code}: parcel ${parcel.parcel_no} already exists for ${customOrderNo} (attempt ${attempt}), not creating another`,
                loggerCtx,
            );
        } else if (existing.kind !== 'not-found') {
            throw new Error(
                `Order ${order.code}: Postex lookup of ${customOrderNo} failed: ${existing.message}`,
            );
        } else {
            parcel = await this.createOrFindLate(order, fulfillment, customOrderNo);
        }
        await this.connection.getRepository(ctx, Fulfillment).update(fulfillment.id, {
            trackingCode: parcel.tracking_code,
            customFields: {
                postexParcelNo: parcel.parcel_no,
                postexStatus: parcel.status ?? 'CREATED',
                postexLabelUrl: labelPath(fulfillment.id),
            },
        });
        Logger.info(
            `Order ${order.code}: parcel ${parcel.parcel_no} stored on fulfillment ${fulfillment.id}`,
            loggerCtx,
        );
        // Cancelled while the parcel was being created: the cancel handler found no parcel number to cancel.
        const now = await this.connection.getRepository(ctx, Fulfillment).findOneBy({ id: fulfillment.id });
        if (now?.state === 'Cancelled') {
            await this.cancelParcel(now);
        }
        return parcel.parcel_no;
    }

    /**
     * Creates the parcel. Postex has no idempotency key: when a create got no clear answer, Postex may still be
     * creating it, and the job's retry (a second later) would not find it yet and create another. So look it up
     * again after `lateParcelLookupMs` before failing.
     */
    private async createOrFindLate(
        order: Order,
        fulfillment: Fulfillment,
        customOrderNo: string,
    ): Promise<PostexParcel> {
        try {
            return await this.create(order, fulfillment, customOrderNo);
        } catch (e) {
            if (!(e instanceof UnclearCreateError)) {
                throw e;
            }
            await new Promise(resolve => setTimeout(resolve, this.options.lateParcelLookupMs));
            const late = await this.client.findByCustomOrderNo(customOrderNo);
            if (!late.ok) {
                throw e;
            }
            Logger.info(
                `Order ${order.code}: parcel ${late.data.parcel_no} found after an unclear create answer`,
                loggerCtx,
            );
            return late.data;
        }
    }

    private async create(
        order: Order,
        fulfillment: Fulfillment,
        customOrderNo: string,
    ): Promise<PostexParcel> {
        const destination = await this.places.resolveCity(order.shippingAddress);
        if (!destination) {
            throw new Error(
                `Order ${order.code}: no Postex city for "${order.shippingAddress?.province} / ${order.shippingAddress?.city}"`,
            );
        }
        const codPayments = (order.payments ?? []).filter(isAuthorizedCodPayment);
        // Money units (Rial x 100) as stored; Postex is sent whole Rials (toRial throws on a fraction).
        const codAmount = codPayments.reduce((sum, p) => sum + p.amount, 0);
        if (codAmount > order.totalWithTax) {
            throw new Error(
                `Order ${order.code}: COD amount ${formatRial(codAmount)} exceeds the order total ${formatRial(order.totalWithTax)}`,
            );
        }
        if (codAmount > 0 && !coversWholeOrder(order.lines, fulfillment.lines)) {
            // The fulfillment handler refuses this; a parcel must never collect the whole order for part of it.
            throw new Error(
                `Order ${order.code}: fulfillment ${fulfillment.id} holds part of a cash-on-delivery order; not creating a parcel`,
            );
        }
        const paymentType: PostexPaymentType = codAmount > 0 ? 'COD' : 'SENDER';
        // The parcel carries the fulfillment's units only (an order may ship in several parcels).
        const contents = fulfillment.lines.flatMap(f => {
            const line = order.lines.find(l => idsAreEqual(l.id, f.orderLineId));
            return line ? [{ line, quantity: f.quantity }] : [];
        });
        const packed = this.quotes.packLines(contents);
        const contentsValue = contents.reduce(
            (sum, { line, quantity }) => sum + line.proratedUnitPriceWithTax * quantity,
            0,
        );
        const address = order.shippingAddress;
        const result = await this.client.createParcels(this.options.originCityCode, [
            {
                custom_order_no: customOrderNo,
                to_city_code: destination.code,
                payment_type: paymentType,
                cod_amount: toRial(codAmount),
                receiver: {
                    name: address.fullName ?? '',
                    phone: address.phoneNumber ?? '',
                    address: [address.streetLine1, address.streetLine2].filter(Boolean).join('، '),
                    postal_code: address.postalCode ?? '',
                },
                sender: {
                    name: this.options.sender.name,
                    phone: this.options.sender.phone,
                    address: this.options.sender.address,
                    postal_code: this.options.sender.postalCode,
                },
                parcel_properties: {
                    length: packed.length,
                    width: packed.width,
                    height: packed.height,
                    total_weight: Math.max(packed.totalWeightGrams, 1),
                    total_value: toRial(contentsValue),
                },
            },
        ]);
        if (!result.ok || !result.data[0]) {
            const message = `Order ${order.code}: Postex parcel create failed: ${result.ok ? 'empty answer' : result.message}`;
            const unclear =
                result.ok ||
                ['timeout', 'network', 'malformed'].includes(result.kind) ||
                (result.kind === 'http' && (result.status ?? 0) >= 500);
            throw unclear ? new UnclearCreateError(message) : new Error(message);
        }
        const parcel = result.data[0];
        if (paymentType === 'COD' && fromRial(Number(parcel.cod_amount)) !== codAmount) {
            Logger.error(
                `Order ${order.code}: parcel ${parcel.parcel_no} will collect ${parcel.cod_amount} Rial, expected ${formatRial(codAmount)}`,
                loggerCtx,
            );
        }
        Logger.info(
            `Order ${order.code}: parcel ${parcel.parcel_no} created (${paymentType}, COD ${formatRial(codAmount)})`,
            loggerCtx,
        );
        return parcel;
    }

    /** Cancels the fulfillment's parcel at Postex while it is still only created (`parcelNo`: not stored yet). */
    private async cancelParcel(fulfillment: Fulfillment, parcelNo?: string): Promise<void> {
        const fields = fulfillment.customFields as PostexFulfillmentFields;
        const number = parcelNo ?? fields.postexParcelNo;
        if (!number || (!parcelNo && fields.postexStatus && fields.postexStatus !== 'CREATED')) {
            return;
        }
        const result = await this.client.cancelParcel(number);
        if (result.ok) {
            Logger.info(`Parcel ${number}: cancel request sent`, loggerCtx);
        } else {
            Logger.warn(`Parcel ${number}: cancel request failed: ${result.message}`, loggerCtx);
        }
    }

    /** Polls the tracking events of every open Postex fulfillment and moves it (and its COD payment) along. */
    async pollTracking(ctxIn?: RequestContext): Promise<TrackingPollResult> {
        const ctx = ctxIn ?? (await this.requestContextService.create({ apiType: 'admin' }));
        const open = await this.connection.getRepository(ctx, Fulfillment).find({
            where: {
                handlerCode: POSTEX_HANDLER_CODE,
                state: In(['Pending', 'Shipped']),
                customFields: { postexParcelNo: Not(IsNull()) },
            },
            relations: ['orders'],
        });
        const result: TrackingPollResult = { checked: 0, shipped: 0, delivered: 0, returned: 0 };
        for (const fulfillment of open) {
            try {
                const outcome = await this.track(ctx, fulfillment);
                result.checked += 1;
                if (outcome) {
                    result[outcome] += 1;
                }
            } catch (e) {
                const parcelNo = (fulfillment.customFields as PostexFulfillmentFields).postexParcelNo;
                Logger.error(
                    `Parcel ${parcelNo}: tracking update failed: ${(e as Error).message}`,
                    loggerCtx,
                );
            }
        }
        return result;
    }

    private async track(
        ctx: RequestContext,
        fulfillment: Fulfillment,
    ): Promise<'shipped' | 'delivered' | 'returned' | undefined> {
        const fields = fulfillment.customFields as PostexFulfillmentFields;
        const parcelNo = fields.postexParcelNo as string;
        const events = await this.client.trackingEvents(parcelNo);
        if (!events.ok) {
            Logger.warn(`Parcel ${parcelNo}: tracking events unavailable: ${events.message}`, loggerCtx);
            return undefined;
        }
        const latest = events.data[events.data.length - 1]?.status;
        if (!latest || latest === fields.postexStatus) {
            return undefined;
        }
        const orderCode = fulfillment.orders.map(o => o.code).join(',');
        Logger.info(`Order ${orderCode}: parcel ${parcelNo} is ${latest}`, loggerCtx);
        return this.connection.withTransaction(ctx, async txCtx => {
            await this.connection
                .getRepository(txCtx, Fulfillment)
                .update(fulfillment.id, { customFields: { postexStatus: latest } });
            if (SHIPPED_STATUSES.has(latest) && fulfillment.state === 'Pending') {
                await this.transition(txCtx, fulfillment.id, 'Shipped');
                return 'shipped' as const;
            }
            if (DELIVERED_STATUSES.has(latest)) {
                // Settle first: the order goes PaymentAuthorized -> PaymentSettled -> Delivered.
                for (const order of fulfillment.orders) {
                    await this.settleCod(txCtx, order.id, parcelNo);
                }
                await this.transition(txCtx, fulfillment.id, 'Delivered');
                return 'delivered' as const;
            }
            if (RETURNED_STATUSES.has(latest)) {
                for (const order of fulfillment.orders) {
                    await this.cancelCod(txCtx, order.id, parcelNo);
                }
                await this.transition(txCtx, fulfillment.id, 'Cancelled');
                return 'returned' as const;
            }
            return undefined;
        });
    }

    private async transition(
        ctx: RequestContext,
        fulfillmentId: ID,
        state: 'Shipped' | 'Delivered' | 'Cancelled',
    ) {
        const result = await this.orderService.transitionFulfillmentToState(ctx, fulfillmentId, state);
        if ('errorCode' in result) {
            throw new Error(`Fulfillment ${fulfillmentId} -> ${state}: ${result.message}`);
        }
    }

    private async codPayments(ctx: RequestContext, orderId: ID): Promise<Payment[]> {
        const payments = await this.orderService.getOrderPayments(ctx, orderId);
        return payments.filter(isAuthorizedCodPayment);
    }

    private async settleCod(ctx: RequestContext, orderId: ID, parcelNo: string): Promise<void> {
        for (const payment of await this.codPayments(ctx, orderId)) {
            const settled = await this.orderService.settlePayment(ctx, payment.id);
            if ('errorCode' in settled) {
                throw new Error(
                    `Parcel ${parcelNo}: COD payment ${payment.id} not settled: ${settled.message}`,
                );
            }
            Logger.info(
                `Parcel ${parcelNo}: COD payment ${payment.id} settled (${formatRial(payment.amount)})`,
                loggerCtx,
            );
        }
    }

    private async cancelCod(ctx: RequestContext, orderId: ID, parcelNo: string): Promise<void> {
        for (const payment of await this.codPayments(ctx, orderId)) {
            const cancelled = await this.orderService.cancelPayment(ctx, payment.id);
            if ('errorCode' in cancelled) {
                throw new Error(
                    `Parcel ${parcelNo}: COD payment ${payment.id} not cancelled: ${cancelled.message}`,
                );
            }
            Logger.info(`Parcel ${parcelNo} returned: COD payment ${payment.id} cancelled`, loggerCtx);
        }
    }

    /** The label PDF of a fulfillment's parcel, or undefined when it has none (yet). */
    async label(fulfillment: Fulfillment): Promise<Buffer | undefined> {
        const parcelNo = (fulfillment.customFields as PostexFulfillmentFields | undefined)?.postexParcelNo;
        if (!parcelNo) {
            return undefined;
        }
        const result = await this.client.label(parcelNo);
        if (!result.ok) {
            Logger.warn(`Parcel ${parcelNo}: label unavailable: ${result.message}`, loggerCtx);
            return undefined;
        }
        return result.data;
    }
}

const CREATE_ERROR = 'CREATE_ERROR: ';

function recordedCreateError(fulfillment: Fulfillment): string | undefined {
    const status = (fulfillment.customFields as PostexFulfillmentFields).postexStatus;
    return status?.startsWith(CREATE_ERROR) ? status.slice(CREATE_ERROR.length) : undefined;
}

/**
 * From the latest job when the job queue can list jobs (the SQL queue; BullMQ once a worker indexed them), else
 * from the error the last attempt recorded on the fulfillment.
 */
function creationStatus(job: Job | undefined, recordedError: string | undefined): ParcelCreationStatus {
    switch (job?.state) {
        case undefined:
            return recordedError !== undefined ? 'FAILED' : 'NO_JOB';
        case 'RETRYING':
            return 'RETRYING';
        case 'PENDING':
        case 'RUNNING':
            return 'QUEUED';
        default:
            // FAILED, CANCELLED, or COMPLETED while the parcel is still missing (e.g. cancelled meanwhile).
            return 'FAILED';
    }
}

/** A parcel create whose answer does not say whether Postex created the parcel. */
class UnclearCreateError extends Error {}

/** A payment taken by the cash-on-delivery handler (it marks its payments in the metadata). */
export function isCodPayment(payment: Payment): boolean {
    return (payment.metadata as { cashOnDelivery?: boolean } | undefined)?.cashOnDelivery === true;
}

/** A cash-on-delivery payment still to be collected by the courier. */
export function isAuthorizedCodPayment(payment: Payment): boolean {
    return isCodPayment(payment) && payment.state === 'Authorized';
}
