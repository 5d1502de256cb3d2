import { Controller, Get, Param, Query, Res } from '@nestjs/common';
import { Allow, Ctx, Fulfillment, Permission, RequestContext } from '@vendure/core';
import type { Response } from 'express';

import { PostexLabelService } from '../service/postex-label.service';

/**
 * `GET /postex/label/:fulfillmentId`: the parcel's label PDF, for an administrator with `ReadOrder` in the channel
 * of the fulfillment's order (bearer token; 404 for an order outside the channel), or for a signed link from
 * `createPostexLabelLink` (`?expires=…&signature=…`, no session needed; 403 when wrong or expired).
 */
@Controller('postex')
export class PostexLabelController {
    constructor(private readonly labels: PostexLabelService) {}

    @Get('label/:fulfillmentId')
    // Checked below: the signed link needs no session, the plain path needs ReadOrder.
    @Allow(Permission.Public)
    async label(
        @Ctx() ctx: RequestContext,
        @Param('fulfillmentId') fulfillmentId: string,
        @Query('expires') expires: unknown,
        @Query('signature') signature: unknown,
        @Res() res: Response,
    ): Promise<void> {
        let fulfillment: Fulfillment | string | undefined;
        if (expires !== undefined || signature !== undefined) {
            if (!this.labels.verifyLink(fulfillmentId, expires, signature)) {
                res.status(403).json({ message: 'The label link is invalid or has expired' });
                return;
            }
            fulfillment = fulfillmentId;
        } else {
            if (!ctx.userHasPermissions([Permission.ReadOrder])) {
                res.status(403).json({ message: 'You are not currently authorized to perform this action' });
                return;
            }
            fulfillment = await this.labels.visibleFulfillment(ctx, fulfillmentId);
        }
        const pdf = fulfillment && (await this.labels.label(ctx, fulfillment));
        if (!pdf) {
            res.status(404).json({ message: 'No Postex label for this fulfillment (yet)' });
            return;
        }
        res.setHeader('content-type', 'application/pdf');
        res.setHeader('content-disposition', `inline; filename="postex-label-${fulfillmentId}.pdf"`);
        // The signed link is a credential for a few minutes: keep it and the PDF out of shared caches.
        res.setHeader('cache-control', 'private, no-store');
        res.setHeader('referrer-policy', 'no-referrer');
        res.send(pdf);
    }
}
