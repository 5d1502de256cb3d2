import { Args, Mutation, Parent, Query, ResolveField, Resolver } from '@nestjs/graphql';
import { ID } from '@vendure/common/lib/shared-types';
import {
    AdministratorService,
    Allow,
    Ctx,
    CustomerService,
    Permission,
    RequestContext,
    UserInputError,
} from '@vendure/core';

import { manageSupportChatPermission } from '../constants';
import { SupportConversation } from '../entities/support-conversation.entity';
import { ChatError, ConversationFilter, SupportChatService } from '../service/support-chat.service';
import { ChatErrorCode } from '../types';

const FA: Record<ChatErrorCode, string> = {
    INVALID_PAYLOAD: 'درخواست معتبر نیست',
    MESSAGE_EMPTY: 'پیام خالی است',
    MESSAGE_TOO_LONG: 'پیام بیش از حد طولانی است',
    RATE_LIMITED: 'پیام‌ها بیش از حد مجاز است؛ کمی صبر کنید',
    TOO_MANY_OPEN_CONVERSATIONS: 'تعداد گفت‌وگوهای باز شما به حد مجاز رسیده است',
    NOT_FOUND: 'گفت‌وگو پیدا نشد',
    FORBIDDEN: 'اجازهٔ این کار را ندارید',
    INTERNAL_ERROR: 'خطای داخلی؛ دوباره تلاش کنید',
};

function chatError(err: ChatError) {
    return {
        __typename: 'SupportChatError' as const,
        errorCode: 'SUPPORT_CHAT_ERROR',
        message: err.message,
        messageFa: FA[err.code],
        reason: err.code,
    };
}

/** Expected refusals become `SupportChatError`; in queries (no union) a user-input error. */
async function orError<T>(work: () => Promise<T>) {
    try {
        return await work();
    } catch (err) {
        if (err instanceof ChatError) {
            return chatError(err);
        }
        throw err;
    }
}

async function orThrow<T>(work: () => Promise<T>): Promise<T> {
    try {
        return await work();
    } catch (err) {
        if (err instanceof ChatError) {
            throw new UserInputError(`${err.code}: ${err.message}`);
        }
        throw err;
    }
}

interface SendArgs {
    input: { conversationId?: ID; clientMessageId?: string; body: string };
}
interface PageArgs {
    conversationId: ID;
    page?: { afterSeq?: number; beforeSeq?: number; take?: number };
}

@Resolver()
export class ShopSupportChatResolver {
    constructor(private readonly service: SupportChatService) {}

    // Owner: a visitor without a session gets an anonymous one, which is the guest's chat identity.
    @Query()
    @Allow(Permission.Owner)
    async supportConversations(@Ctx() ctx: RequestContext) {
        return orThrow(async () => this.service.shopperConversations(await this.service.shopperFromCtx(ctx)));
    }

    @Query()
    @Allow(Permission.Owner)
    async supportMessages(@Ctx() ctx: RequestContext, @Args() args: PageArgs) {
        return orThrow(async () => {
            const party = await this.service.shopperFromCtx(ctx);
            return this.service.history(
                await this.service.conversationFor(party, args.conversationId),
                args.page ?? {},
            );
        });
    }

    @Mutation()
    @Allow(Permission.Owner)
    async sendSupportMessage(@Ctx() ctx: RequestContext, @Args() args: SendArgs) {
        return orError(async () => {
            const party = await this.service.shopperFromCtx(ctx);
            return {
                __typename: 'SendSupportMessageSuccess' as const,
                ...(await this.service.send(party, args.input)),
            };
        });
    }
}

@Resolver()
export class AdminSupportChatResolver {
    constructor(private readonly service: SupportChatService) {}

    @Query()
    @Allow(manageSupportChatPermission.Permission)
    async supportConversations(@Args() args: { filter?: ConversationFilter }) {
        return orThrow(() => this.service.listConversations(args.filter ?? {}));
    }

    @Query()
    @Allow(manageSupportChatPermission.Permission)
    async supportChatWaiting() {
        const { count, oldestWaitingSince } = await this.service.waiting();
        return {
            count,
            oldestWaitingSince,
            longestWaitSeconds: oldestWaitingSince
                ? Math.max(0, Math.round((Date.now() - oldestWaitingSince.getTime()) / 1000))
                : 0,
        };
    }

    @Query()
    @Allow(manageSupportChatPermission.Permission)
    async supportConversation(@Ctx() ctx: RequestContext, @Args() args: { id: ID }) {
        return orThrow(async () => {
            try {
                return await this.service.conversationFor(await this.service.staffFromCtx(ctx), args.id);
            } catch (err) {
                if (err instanceof ChatError && err.code === 'NOT_FOUND') {
                    return null;
                }
                throw err;
            }
        });
    }

    @Query()
    @Allow(manageSupportChatPermission.Permission)
    async supportMessages(@Ctx() ctx: RequestContext, @Args() args: PageArgs) {
        return orThrow(async () => {
            const staff = await this.service.staffFromCtx(ctx);
            return this.service.history(
                await this.service.conversationFor(staff, args.conversationId),
                args.page ?? {},
            );
        });
    }

    @Query()
    @Allow(manageSupportChatPermission.Permission)
    async supportCannedReplies() {
        return this.service.cannedReplies();
    }

    @Mutation()
    @Allow(manageSupportChatPermission.Permission)
    async sendSupportMessage(@Ctx() ctx: RequestContext, @Args() args: SendArgs) {
        return orError(async () => {
            const staff = await this.service.staffFromCtx(ctx);
            return {
                __typename: 'SendSupportMessageSuccess' as const,
                ...(await this.service.send(staff, args.input)),
            };
        });
    }

    @Mutation()
    @Allow(manageSupportChatPermission.Permission)
    async assignSupportConversation(@Args() args: { conversationId: ID; administratorId?: ID | null }) {
        return orThrow(() => this.service.assign(args.conversationId, args.administratorId ?? null));
    }

    @Mutation()
    @Allow(manageSupportChatPermission.Permission)
    async resolveSupportConversation(@Args() args: { conversationId: ID }) {
        return orThrow(() => this.service.setStatus(args.conversationId, 'resolved'));
    }

    @Mutation()
    @Allow(manageSupportChatPermission.Permission)
    async reopenSupportConversation(@Args() args: { conversationId: ID }) {
        return orThrow(() => this.service.setStatus(args.conversationId, 'open'));
    }

    @Mutation()
    @Allow(manageSupportChatPermission.Permission)
    async markSupportConversationRead(
        @Ctx() ctx: RequestContext,
        @Args() args: { conversationId: ID; seq: number },
    ) {
        return orThrow(async () =>
            this.service.markRead(await this.service.staffFromCtx(ctx), args.conversationId, args.seq),
        );
    }

    @Mutation()
    @Allow(manageSupportChatPermission.Permission)
    async createSupportCannedReply(
        @Args() args: { input: { shortcut: string; title: string; body: string } },
    ) {
        return orThrow(() => this.service.saveCannedReply(args.input));
    }

    @Mutation()
    @Allow(manageSupportChatPermission.Permission)
    async updateSupportCannedReply(
        @Args() args: { input: { id: ID; shortcut?: string; title?: string; body?: string } },
    ) {
        return orThrow(() => this.service.saveCannedReply(args.input));
    }

    @Mutation()
    @Allow(manageSupportChatPermission.Permission)
    async deleteSupportCannedReply(@Args() args: { id: ID }) {
        return this.service.deleteCannedReply(args.id);
    }
}

@Resolver('SupportConversation')
export class SupportConversationFieldResolver {
    @ResolveField()
    isGuest(@Parent() c: SupportConversation): boolean {
        return c.customerId == null;
    }
}

/** Admin API only: who the shopper and the assignee are, for the staff screen. */
@Resolver('SupportConversation')
export class AdminSupportConversationFieldResolver {
    constructor(
        private readonly customerService: CustomerService,
        private readonly administratorService: AdministratorService,
    ) {}

    @ResolveField()
    async customer(@Ctx() ctx: RequestContext, @Parent() c: SupportConversation) {
        return c.customerId == null ? null : this.customerService.findOne(ctx, c.customerId);
    }

    @ResolveField()
    async assignee(@Ctx() ctx: RequestContext, @Parent() c: SupportConversation) {
        return c.assigneeId == null ? null : this.administratorService.findOne(ctx, c.assigneeId);
    }
}

@Resolver('SendSupportMessageResult')
export class SendSupportMessageResultResolver {
    @ResolveField()
    __resolveType(value: { __typename?: string }): string {
        return value.__typename ?? 'SendSupportMessageSuccess';
    }
}
