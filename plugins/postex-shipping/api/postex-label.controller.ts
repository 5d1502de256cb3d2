import { Controller, Get, Param, Res } from '@nestjs/common';
import { Allow, Ctx, Permission, RequestContext } from '@vendure/core';
import type { Response } from 'express';

import { PostexParcelService } from '../service/postex-parcel.service';

/** `GET /postex/label/:fulfillmentId`: the parcel's label PDF, for administrators who may read orders. */
@Controller('postex')
export class PostexLabelController {
    constructor(private readonly parcels: PostexParcelService) {}

    @Get('label/:fulfillmentId')
    @Allow(Permission.ReadOrder)
    async label(
        @Ctx() ctx: RequestContext,
        @Param('fulfillmentId') fulfillmentId: string,
        @Res() res: Response,
    ): Promise<void> {
        const pdf = await this.parcels.label(ctx, fulfillmentId);
        if (!pdf) {
            res.status(404).json({ message: 'No Postex label for this fulfillment (yet)' });
            return;
        }
        res.setHeader('content-type', 'application/pdf');
        res.setHeader('content-disposition', `inline; filename="postex-label-${fulfillmentId}.pdf"`);
        res.send(pdf);
    }
}
