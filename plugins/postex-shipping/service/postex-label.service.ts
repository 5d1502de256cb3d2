import crypto from 'node:crypto';

import { Inject, Injectable } from '@nestjs/common';
import {
    ConfigService,
    EntityNotFoundError,
    Fulfillment,
    ID,
    RequestContext,
    TransactionalConnection,
} from '@vendure/core';

import { isEntityId } from '../../../src/db/entity-id';
import { labelPath, PLUGIN_INIT_OPTIONS } from '../constants';
import { PostexShippingOptions } from '../types';

import { PostexFulfillmentFields, PostexParcelService } from './postex-parcel.service';

export type PostexLabelLinkResult =
    | { __typename: 'PostexLabelLink'; url: string; expiresAt: Date }
    | {
          __typename: 'PostexLabelNotAvailableError';
          errorCode: 'POSTEX_LABEL_NOT_AVAILABLE_ERROR';
          message: string;
      };

/**
 * Who may have a parcel label (it carries the receiver's name, phone, address and COD amount): an administrator
 * with `ReadOrder` in a channel of the fulfillment's order, or whoever holds a short-lived link one of them
 * asked for (`createPostexLabelLink`). The link is what a browser opens: Vendure's admin session cookie is not
 * sent outside `/admin-api`, so the Admin UI has no session for `/postex/label`.
 */
@Injectable()
export class PostexLabelService {
    constructor(
        private readonly connection: TransactionalConnection,
        private readonly configService: ConfigService,
        private readonly parcels: PostexParcelService,
        @Inject(PLUGIN_INIT_OPTIONS) private readonly options: PostexShippingOptions,
    ) {}

    /** The fulfillment when one of its orders is in the request's channel; otherwise undefined. */
    async visibleFulfillment(ctx: RequestContext, fulfillmentId: ID): Promise<Fulfillment | undefined> {
        const found = await this.connection
            .getRepository(ctx, Fulfillment)
            .createQueryBuilder('fulfillment')
            .innerJoin('fulfillment.orders', 'order')
            .innerJoin('order.channels', 'channel', 'channel.id = :channelId', { channelId: ctx.channelId })
            .where('fulfillment.id = :fulfillmentId', { fulfillmentId })
            .getOne();
        return found ?? undefined;
    }

    /** A signed link to the label, valid for `labelLinkTtlSeconds`; the fulfillment must be visible (else thrown). */
    async createLink(ctx: RequestContext, fulfillmentId: ID): Promise<PostexLabelLinkResult> {
        const fulfillment = isEntityId(fulfillmentId)
            ? await this.visibleFulfillment(ctx, fulfillmentId)
            : undefined;
        if (!fulfillment) {
            throw new EntityNotFoundError('Fulfillment', fulfillmentId);
        }
        if (!(fulfillment.customFields as PostexFulfillmentFields | undefined)?.postexParcelNo) {
            return {
                __typename: 'PostexLabelNotAvailableError',
                errorCode: 'POSTEX_LABEL_NOT_AVAILABLE_ERROR',
                message: 'This fulfillment has no Postex parcel (yet)',
            };
        }
        const expires = Math.floor(Date.now() / 1000) + this.options.labelLinkTtlSeconds;
        const id = String(fulfillment.id);
        return {
            __typename: 'PostexLabelLink',
            url: `${labelPath(id)}?expires=${expires}&signature=${this.sign(id, expires)}`,
            expiresAt: new Date(expires * 1000),
        };
    }

    /** Whether `expires` and `signature` are a link issued for this fulfillment that has not expired. */
    verifyLink(fulfillmentId: string, expires: unknown, signature: unknown): boolean {
        if (typeof expires !== 'string' || !/^\d{1,12}$/.test(expires) || typeof signature !== 'string') {
            return false;
        }
        const expected = Buffer.from(this.sign(fulfillmentId, Number(expires)));
        const given = Buffer.from(signature);
        return (
            expected.length === given.length &&
            crypto.timingSafeEqual(expected, given) &&
            Number(expires) * 1000 > Date.now()
        );
    }

    /** The label PDF, or undefined when the fulfillment has no parcel (yet) or Postex has no label for it. */
    async label(ctx: RequestContext, fulfillment: Fulfillment | string): Promise<Buffer | undefined> {
        const found =
            typeof fulfillment === 'string'
                ? await this.connection.getRepository(ctx, Fulfillment).findOneBy({ id: fulfillment })
                : fulfillment;
        return found ? this.parcels.label(found) : undefined;
    }

    /** HMAC-SHA256 with a key derived from the cookie secret (a label link is no session cookie). */
    private sign(fulfillmentId: string, expires: number): string {
        const secret = this.configService.authOptions.cookieOptions?.secret;
        if (!secret) {
            throw new Error('authOptions.cookieOptions.secret is needed to sign Postex label links');
        }
        const key = crypto.createHmac('sha256', secret).update('postex-label-link').digest();
        return crypto.createHmac('sha256', key).update(`${fulfillmentId}:${expires}`).digest('base64url');
    }
}
