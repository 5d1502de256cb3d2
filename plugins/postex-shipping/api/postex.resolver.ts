import { Args, Mutation, Parent, Query, ResolveField, Resolver } from '@nestjs/graphql';
import { Allow, Ctx, Fulfillment, ID, Permission, RequestContext } from '@vendure/core';

import { PostexCity, PostexProvince } from '../entities/postex-place.entity';
import { labelPath } from '../constants';
import { PostexLabelLinkResult, PostexLabelService } from '../service/postex-label.service';
import {
    PostexFulfillmentFields,
    PostexParcelService,
    PostexParcelsNeedingAttention,
    RetryParcelCreationResult,
    TrackingPollResult,
} from '../service/postex-parcel.service';
import { PostexPlacesService } from '../service/postex-places.service';

@Resolver()
export class PostexPlacesResolver {
    constructor(private readonly places: PostexPlacesService) {}

    @Query()
    postexProvinces(): Promise<PostexProvince[]> {
        return this.places.provinces();
    }

    @Query()
    postexCities(@Args() args: { provinceCode?: number | null }): Promise<PostexCity[]> {
        return this.places.cities(args.provinceCode);
    }
}

@Resolver()
export class PostexAdminResolver {
    constructor(
        private readonly places: PostexPlacesService,
        private readonly parcels: PostexParcelService,
        private readonly labels: PostexLabelService,
    ) {}

    @Mutation()
    @Allow(Permission.ReadOrder)
    createPostexLabelLink(
        @Ctx() ctx: RequestContext,
        @Args() args: { fulfillmentId: ID },
    ): Promise<PostexLabelLinkResult> {
        return this.labels.createLink(ctx, args.fulfillmentId);
    }

    @Query()
    @Allow(Permission.ReadOrder)
    postexParcelsNeedingAttention(@Ctx() ctx: RequestContext): Promise<PostexParcelsNeedingAttention> {
        return this.parcels.needingAttention(ctx);
    }

    @Mutation()
    @Allow(Permission.UpdateOrder)
    retryPostexParcelCreation(
        @Ctx() ctx: RequestContext,
        @Args() args: { fulfillmentId: ID },
    ): Promise<RetryParcelCreationResult> {
        return this.parcels.retryCreation(ctx, args.fulfillmentId);
    }

    @Mutation()
    @Allow(Permission.UpdateSettings)
    syncPostexPlaces(): Promise<{ provinces: number; cities: number }> {
        return this.places.sync('admin');
    }

    @Mutation()
    @Allow(Permission.UpdateOrder)
    pollPostexTracking(@Ctx() ctx: RequestContext): Promise<TrackingPollResult> {
        return this.parcels.pollTracking(ctx);
    }
}

@Resolver('Fulfillment')
export class PostexFulfillmentResolver {
    @ResolveField()
    postexLabelUrl(@Parent() fulfillment: Fulfillment): string | null {
        const fields = fulfillment.customFields as PostexFulfillmentFields | undefined;
        return fields?.postexParcelNo ? labelPath(fulfillment.id) : null;
    }
}

@Resolver('PostexLabelLinkResult')
export class PostexLabelLinkResultResolver {
    @ResolveField()
    __resolveType(value: PostexLabelLinkResult): string {
        return value.__typename;
    }
}

@Resolver('RetryPostexParcelCreationResult')
export class RetryPostexParcelCreationResultResolver {
    @ResolveField()
    __resolveType(value: RetryParcelCreationResult): string {
        return value.__typename;
    }
}
