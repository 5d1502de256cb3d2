import crypto from 'node:crypto';

import { Inject, Injectable, OnApplicationShutdown } from '@nestjs/common';
import { HistoryEntryType } from '@vendure/common/lib/generated-types';
import { CUSTOMER_ROLE_CODE } from '@vendure/common/lib/shared-constants';
import { ID } from '@vendure/common/lib/shared-types';
import {
    ChannelService,
    Customer,
    ExternalAuthenticationMethod,
    ExternalAuthenticationService,
    HistoryService,
    InternalServerError,
    Logger,
    RequestContext,
    Role,
    TransactionalConnection,
    User,
    UserInputError,
} from '@vendure/core';

import { maskMobile, normalizeIranianMobile, toAsciiDigits } from '../../../src/iran';
import { jalaliDateIn, startOfDayIn } from '../../../src/iran/wall-time';
import { CounterStore, MemoryCounterStore, RedisCounterStore } from '../../../src/security/counter-store';
import { loggerCtx, PLUGIN_INIT_OPTIONS, SMS_OTP_STRATEGY_NAME, VERIFIED_MOBILE_FIELD } from '../constants';
import { OtpChallenge } from '../entities/otp-challenge.entity';
import { OtpPurpose, OtpSendOutcome, ResolvedSmsOtpOptions, SendChallengeContext } from '../types';

import {
    deriveChallengeKey,
    deriveOtpKey,
    generateOtpCode,
    hashOtpCode,
    isWellFormedCode,
    otpHashesEqual,
    phoneTag,
} from './otp-code';
import { LimitScope, SendLimiter, SendWindowStatus, ShopWideAlert } from './send-limiter';
import { SmsirClient, SmsirFailure } from './smsir.client';

/**
 * The answer to a code request; the same whether or not the number has an account, except once the shop-wide
 * budget of numbers without an account is spent (then a known number may still get a code).
 */
export type RequestOtpResult =
    | { kind: 'sent'; resendAfterSeconds: number; expiresInSeconds: number }
    | { kind: 'invalid-phone' }
    | { kind: 'rate-limited'; scope: LimitScope | 'COOLDOWN'; retryAfterSeconds: number }
    | {
          kind: 'challenge-required';
          challengeType: string;
          challenge: Record<string, unknown>;
          solutionRejected: boolean;
      }
    | { kind: 'provider-unavailable'; retryAfterSeconds: number };

/** Why a code was not accepted; also the `authenticationError` of a failed `authenticate`. */
export type OtpRejection = 'INVALID_PHONE_NUMBER' | 'OTP_INVALID' | 'OTP_EXPIRED' | 'OTP_ATTEMPTS_EXCEEDED';

export type LinkPhoneResult =
    { kind: 'linked'; customer: Customer } | { kind: 'rejected'; reason: OtpRejection } | { kind: 'in-use' };

/**
 * Sends and checks one-time codes, and finds or creates the Customer a code logs in. The strategy and the
 * resolvers stay thin and call this.
 */
@Injectable()
export class SmsOtpService implements OnApplicationShutdown {
    private readonly key: Buffer;
    private readonly challengeKey: Buffer;
    /** The SMS.ir client; also read from outside for the account's credit (`getCredit`, src/metrics). */
    readonly client: SmsirClient;
    private readonly store: CounterStore;
    private readonly limiter: SendLimiter;
    /** Operator counters since start: sends, failures by reason, refusals by scope, verification results. */
    private readonly counters = new Map<string, number>();

    constructor(
        @Inject(PLUGIN_INIT_OPTIONS) private readonly options: ResolvedSmsOtpOptions,
        private readonly connection: TransactionalConnection,
        private readonly externalAuthenticationService: ExternalAuthenticationService,
        private readonly channelService: ChannelService,
        private readonly historyService: HistoryService,
    ) {
        this.key = deriveOtpKey(options.secret);
        this.challengeKey = deriveChallengeKey(options.secret);
        this.client = new SmsirClient(options.smsir);
        this.store = options.redis
            ? new RedisCounterStore(options.redis.url, options.redis.keyPrefix)
            : new MemoryCounterStore();
        this.limiter = new SendLimiter(
            this.store,
            options.resendCooldownSeconds,
            options.caps,
            options.challenge ? options.challenge.above : undefined,
            alert => this.alertOperator(alert),
        );
    }

    async onApplicationShutdown(): Promise<void> {
        await this.store.close();
    }

    counterSnapshot(): Array<{ name: string; value: number }> {
        return [...this.counters]
            .map(([name, value]) => ({ name, value }))
            .sort((a, b) => a.name.localeCompare(b.name));
    }

    /**
     * The shop-wide hourly and daily windows now: codes sent (by every instance, with Redis), the thresholds and
     * the state a shopper meets (OPEN, CHALLENGE, KNOWN_ACCOUNTS_ONLY, CLOSED). For metrics and alerting.
     */
    sendWindowStatus(): Promise<SendWindowStatus[]> {
        return this.limiter.windowStatus();
    }

    /**
     * Admin API `otpOperationsSummary`: today's sends by outcome (today in the shop's time zone, from the send
     * log), the shop-wide windows with `spike` when one has left OPEN (a flood of code requests: SMS pumping is
     * likely), and SMS.ir's remaining credit (null with the reason when SMS.ir does not tell).
     */
    async operationsSummary(now = new Date()): Promise<{
        day: string;
        since: Date;
        byOutcome: Array<{ outcome: OtpSendOutcome; count: number }>;
        windows: SendWindowStatus[];
        spike: boolean;
        credit: number | null;
        creditError: string | null;
    }> {
        const since = startOfDayIn(this.options.timeZone, now);
        const [rows, windows, credit] = await Promise.all([
            this.connection.rawConnection
                .getRepository(OtpChallenge)
                .createQueryBuilder('c')
                .select('c.outcome', 'outcome')
                .addSelect('COUNT(*)', 'n')
                .where('c.createdAt >= :since', { since })
                .groupBy('c.outcome')
                .getRawMany<{ outcome: OtpSendOutcome; n: string | number }>(),
            this.sendWindowStatus(),
            this.client.getCredit(),
        ]);
        const outcomes: OtpSendOutcome[] = ['SENT', 'FAILED', 'UNCERTAIN'];
        return {
            day: jalaliDateIn(this.options.timeZone, now),
            since,
            byOutcome: outcomes.map(outcome => ({
                outcome,
                count: Number(rows.find(r => r.outcome === outcome)?.n ?? 0),
            })),
            windows,
            spike: windows.some(w => w.state !== 'OPEN'),
            credit: credit.ok ? credit.credit : null,
            creditError: credit.ok ? null : credit.reason,
        };
    }

    /** Lets a number ask for a new code at once (support tooling, tests). Caps still apply. */
    async clearCooldown(rawPhone: string): Promise<void> {
        const phone = normalizeIranianMobile(rawPhone);
        if (phone) {
            await this.limiter.clearCooldown(phoneTag(this.key, phone));
        }
    }

    /**
     * Sends a code to `rawPhone` if the cooldown and caps allow it. `userId` binds a LINK code to its account.
     * `challengeSolution` answers the challenge of an earlier `challenge-required` result.
     */
    async requestCode(
        ctx: RequestContext,
        rawPhone: string,
        purpose: OtpPurpose,
        userId?: ID,
        challengeSolution?: string | null,
    ): Promise<RequestOtpResult> {
        const phone = normalizeIranianMobile(rawPhone);
        if (!phone) {
            this.count('request:invalid-phone');
            return { kind: 'invalid-phone' };
        }
        const tag = phoneTag(this.key, phone);
        const ip = ctx.req?.ip;
        const challenge = this.options.challenge ? this.options.challenge.strategy : undefined;
        const challengeContext = this.challengeContext(phone, ip);
        const permit = await this.limiter.acquire(tag, ip, {
            verifyChallenge:
                challenge && challengeSolution
                    ? () => challenge.verify(challengeContext, challengeSolution)
                    : undefined,
            // Only sign-in codes: a LINK code is for a number the account has not verified yet.
            isKnownAccount: purpose === 'LOGIN' ? () => this.isKnownAccount(ctx, phone) : undefined,
        });
        if (!permit.allowed && permit.scope === 'CHALLENGE') {
            // Only a limiter built with a challenge threshold asks for one.
            this.count(permit.solutionRejected ? 'challenge:rejected' : 'challenge:required');
            return {
                kind: 'challenge-required',
                challengeType: challenge!.type,
                challenge: await challenge!.issue(challengeContext),
                solutionRejected: permit.solutionRejected,
            };
        }
        if (!permit.allowed) {
            this.count(`rate-limited:${permit.scope}`);
            if (permit.scope === 'GLOBAL') {
                // The shop-wide thresholds are told once per window (alertOperator); one line per refusal
                // would bury that line under a flood.
                Logger.verbose(
                    `Send refused by the GLOBAL cap for ${maskMobile(phone)} (phone ${tag}, ip ${ctx.req?.ip ?? '-'})`,
                    loggerCtx,
                );
            } else if (permit.scope !== 'COOLDOWN') {
                Logger.warn(
                    `Send refused by the ${permit.scope} cap for ${maskMobile(phone)} (phone ${tag}, ip ${ctx.req?.ip ?? '-'})`,
                    loggerCtx,
                );
            }
            return { kind: 'rate-limited', scope: permit.scope, retryAfterSeconds: permit.retryAfterSeconds };
        }
        const code = generateOtpCode();
        const expiresAt = new Date(this.options.now() + this.options.codeLifetimeSeconds * 1000);
        const sent = await this.client.sendVerify(phone, this.options.smsir.templateId, [
            { name: this.options.smsir.templateParameterName, value: code },
        ]);
        // One insert after the send, with its outcome (a write costs more than anything else here). UNCERTAIN
        // rows stay checkable: the SMS may have arrived.
        await this.connection.rawConnection
            .createQueryBuilder()
            .insert()
            .into(OtpChallenge)
            // No read-back of generated columns: nothing here needs them.
            .updateEntity(false)
            .values({
                phoneNumber: phone,
                purpose,
                userId: userId ?? null,
                outcome: sent.ok ? 'SENT' : sent.uncertain ? 'UNCERTAIN' : 'FAILED',
                failureReason: sent.ok ? null : sent.reason,
                providerStatus: sent.ok ? null : (sent.status ?? null),
                providerMessageId: sent.ok ? String(sent.messageId) : null,
                codeHash: hashOtpCode(this.key, purpose, phone, code),
                expiresAt,
                attempts: 0,
                consumed: false,
            })
            .execute();
        if (sent.ok) {
            this.count('sent');
            if (permit.tier !== 'OPEN') {
                this.count(`sent:${permit.tier}`);
            }
            Logger.verbose(
                `Sent a ${purpose} code to ${maskMobile(phone)} (phone ${tag}, message ${sent.messageId})`,
                loggerCtx,
            );
            return {
                kind: 'sent',
                resendAfterSeconds: this.options.resendCooldownSeconds,
                expiresInSeconds: this.options.codeLifetimeSeconds,
            };
        }
        return this.providerFailure(sent, phone, tag, permit.releaseCooldown);
    }

    private challengeContext(phone: string, ip: string | undefined): SendChallengeContext {
        return {
            phoneNumber: phone,
            ip,
            sign: data => crypto.createHmac('sha256', this.challengeKey).update(data).digest('hex'),
            claimOnce: async (key, ttlSeconds) => (await this.store.claim(`once:${key}`, ttlSeconds)) === 0,
            now: this.options.now,
        };
    }

    /** Whether the number logs into an account (verified by SMS code on a User that is not deleted). */
    private async isKnownAccount(ctx: RequestContext, phone: string): Promise<boolean> {
        const count = await this.connection
            .getRepository(ctx, ExternalAuthenticationMethod)
            .createQueryBuilder('method')
            .innerJoin('method.user', 'user', 'user.deletedAt IS NULL')
            .where('method.strategy = :strategy AND method.externalIdentifier = :phone', {
                strategy: SMS_OTP_STRATEGY_NAME,
                phone,
            })
            .getCount();
        return count > 0;
    }

    /** The operator's alert: one warning per shop-wide window and threshold (see `sendWindowStatus`). */
    private alertOperator(alert: ShopWideAlert): void {
        this.count(`alert:${alert.state}:${alert.period}`);
        const period = alert.period === 'HOUR' ? 'hour' : 'day';
        const consequence = {
            CHALLENGE: `each further code needs a solved ${this.options.challenge ? this.options.challenge.strategy.type : ''} challenge`,
            KNOWN_ACCOUNTS_ONLY:
                'codes go only to numbers verified on an existing account (the known-account reserve); new numbers are refused',
            CLOSED: 'no more codes are sent: the SMS bill ceiling (caps.global) is reached',
        }[alert.state];
        Logger.warn(
            `SMS OTP alert ${alert.state}: the shop sent ${alert.sent} codes this ${period}; ${consequence} until the window ends in ${alert.resetInSeconds} s. A flood of code requests is likely; see otpSendWindows and the refusals in otpCounters`,
            loggerCtx,
        );
    }

    private async providerFailure(
        failure: SmsirFailure,
        phone: string,
        tag: string,
        releaseCooldown: () => Promise<void>,
    ): Promise<RequestOtpResult> {
        this.count(`provider-failure:${failure.reason}`);
        const detail = `SMS.ir send failed for ${maskMobile(phone)} (phone ${tag}): ${failure.reason}, status ${failure.status ?? '-'}, HTTP ${failure.httpStatus ?? '-'}${failure.uncertain ? ', may have been delivered' : ''}`;
        if (failure.operatorAction) {
            Logger.error(`${detail}. Check the SMS.ir account, key, line and template.`, loggerCtx);
        } else {
            Logger.warn(detail, loggerCtx);
        }
        if (failure.reason === 'invalid-mobile') {
            await releaseCooldown();
            return { kind: 'invalid-phone' };
        }
        if (!failure.uncertain) {
            // Nothing reached the shopper, so they may try again as soon as the provider is back.
            await releaseCooldown();
        }
        const throttled =
            failure.reason === 'throttled' ||
            failure.reason === 'rate-exceeded' ||
            failure.reason === 'too-many-messages';
        return {
            kind: 'provider-unavailable',
            retryAfterSeconds: failure.uncertain ? this.options.resendCooldownSeconds : throttled ? 30 : 10,
        };
    }

    /**
     * Checks a code against the latest one sent to the number for `purpose`. Each try is counted atomically
     * before the comparison and a right code is consumed atomically, so parallel requests (or aliases) cannot
     * exceed the tries or use one code twice.
     */
    async verifyCode(
        ctx: RequestContext,
        rawPhone: string,
        rawCode: string,
        purpose: OtpPurpose,
        userId?: ID,
    ): Promise<{ ok: true; phone: string } | { ok: false; reason: OtpRejection }> {
        const phone = normalizeIranianMobile(rawPhone);
        if (!phone) {
            return { ok: false, reason: 'INVALID_PHONE_NUMBER' };
        }
        const result = await this.checkCode(ctx, phone, toAsciiDigits(rawCode).trim(), purpose, userId);
        this.count(`verify:${result}`);
        if (result !== 'OK') {
            Logger.verbose(
                `${purpose} code rejected for ${maskMobile(phone)} (phone ${phoneTag(this.key, phone)}): ${result}`,
                loggerCtx,
            );
            return { ok: false, reason: result };
        }
        return { ok: true, phone };
    }

    private async checkCode(
        ctx: RequestContext,
        phone: string,
        code: string,
        purpose: OtpPurpose,
        userId?: ID,
    ): Promise<OtpRejection | 'OK'> {
        // In the request's transaction (login and verifyPhoneNumber run in one): a second pooled connection per
        // request deadlocked the pool at as many concurrent logins as it has connections (the load test found it at
        // 20). Counting and consuming stay atomic: the UPDATE below takes the row's lock until the request commits,
        // so a parallel request re-checks it after; a wrong try's count commits with the error result.
        const repo = this.connection.getRepository(ctx, OtpChallenge);
        const query = repo
            .createQueryBuilder('c')
            .where('c.phoneNumber = :phone', { phone })
            .andWhere('c.purpose = :purpose', { purpose })
            .andWhere('c.outcome IN (:...outcomes)', { outcomes: ['SENT', 'UNCERTAIN'] })
            .orderBy('c.createdAt', 'DESC')
            .addOrderBy('c.id', 'DESC');
        if (purpose === 'LINK') {
            query.andWhere('c.userId = :userId', { userId });
        }
        const challenge = await query.getOne();
        if (!challenge || challenge.consumed) {
            return 'OTP_INVALID';
        }
        if (challenge.expiresAt.getTime() <= this.options.now()) {
            return 'OTP_EXPIRED';
        }
        const max = this.options.maxAttempts;
        if (challenge.attempts >= max) {
            return 'OTP_ATTEMPTS_EXCEEDED';
        }
        const given = isWellFormedCode(code) ? hashOtpCode(this.key, purpose, phone, code) : '';
        const matches = otpHashesEqual(challenge.codeHash, given);
        // One conditional UPDATE counts the try and, for the right code, consumes it: of parallel requests
        // (or aliases) only as many as tries are left get counted, and only one can consume the code.
        const updated = await repo
            .createQueryBuilder()
            .update(OtpChallenge)
            .set(
                matches
                    ? { attempts: () => 'attempts + 1', consumed: true }
                    : { attempts: () => 'attempts + 1' },
            )
            .where('id = :id AND attempts < :max AND consumed = :consumed', {
                id: challenge.id,
                max,
                consumed: false,
            })
            .execute();
        if (!updated.affected) {
            // A parallel request used the last try or the code in the meantime.
            return 'OTP_INVALID';
        }
        if (!matches) {
            // Tell the shopper when this was the last try, so they ask for a new code.
            return challenge.attempts + 1 >= max ? 'OTP_ATTEMPTS_EXCEEDED' : 'OTP_INVALID';
        }
        return 'OK';
    }

    /**
     * The User a verified number logs into: the account that verified it, or a new Customer and User
     * (identifier = the number, a placeholder email address, verified). Returns a rejection string when the
     * number is another account's identifier without being verified there.
     */
    async findOrCreateCustomerUser(
        ctx: RequestContext,
        phone: string,
        names: { firstName?: string | null; lastName?: string | null },
    ): Promise<User | 'PHONE_NUMBER_CONFLICT'> {
        const existing = await this.findCustomerUser(ctx, phone);
        if (existing) {
            return existing;
        }
        const tag = phoneTag(this.key, phone);
        const squatter = await this.connection
            .getRepository(ctx, User)
            .createQueryBuilder('user')
            .where('user.identifier = :phone', { phone })
            .andWhere('user.deletedAt IS NULL')
            .getOne();
        if (squatter) {
            Logger.warn(
                `User ${squatter.id} has the identifier of ${maskMobile(phone)} (phone ${tag}) without having verified it; refusing the sign-up`,
                loggerCtx,
            );
            return 'PHONE_NUMBER_CONFLICT';
        }
        const method = await this.connection.getRepository(ctx, ExternalAuthenticationMethod).save(
            new ExternalAuthenticationMethod({
                strategy: SMS_OTP_STRATEGY_NAME,
                externalIdentifier: phone,
            }),
        );
        const user = await this.connection.getRepository(ctx, User).save(
            new User({
                identifier: phone,
                verified: true,
                roles: [await this.customerRoleWithChannels(ctx)],
                authenticationMethods: [method],
            }),
        );
        const customer = new Customer({
            emailAddress: this.placeholderEmail(phone),
            phoneNumber: phone,
            firstName: names.firstName?.trim() ?? '',
            lastName: names.lastName?.trim() ?? '',
            user,
            customFields: { [VERIFIED_MOBILE_FIELD]: phone },
        });
        await this.channelService.assignToCurrentChannel(customer, ctx);
        await this.connection.getRepository(ctx, Customer).save(customer);
        for (const type of [
            HistoryEntryType.CUSTOMER_REGISTERED,
            HistoryEntryType.CUSTOMER_VERIFIED,
        ] as const) {
            await this.historyService.createHistoryEntryForCustomer({
                ctx,
                customerId: customer.id,
                type,
                data: { strategy: SMS_OTP_STRATEGY_NAME },
            });
        }
        Logger.info(
            `Signed up customer ${customer.id} by SMS code (${maskMobile(phone)}, phone ${tag})`,
            loggerCtx,
        );
        return user;
    }

    /**
     * The User whose `smsOtp` method is this number and who is a (not deleted) Customer of the current
     * channel: what `ExternalAuthenticationService.findCustomerUser` answers, in one query instead of two.
     * It also loads the roles with their channels, which Vendure's session creation otherwise reads again
     * (`AuthService.createAuthenticatedSessionForUser` reloads them when `roles[0].channels` is missing).
     */
    private async findCustomerUser(ctx: RequestContext, phone: string): Promise<User | undefined> {
        const user = await this.connection
            .getRepository(ctx, User)
            .createQueryBuilder('user')
            .innerJoin(
                'user.authenticationMethods',
                'otpMethod',
                'otpMethod.strategy = :strategy AND otpMethod.externalIdentifier = :phone',
                { strategy: SMS_OTP_STRATEGY_NAME, phone },
            )
            .innerJoin(Customer, 'customer', 'customer.user = user.id AND customer.deletedAt IS NULL')
            .innerJoin('customer.channels', 'customerChannel', 'customerChannel.id = :channelId', {
                channelId: ctx.channelId,
            })
            .leftJoinAndSelect('user.authenticationMethods', 'authMethod')
            .leftJoinAndSelect('user.roles', 'role')
            .leftJoinAndSelect('role.channels', 'roleChannel')
            .where('user.deletedAt IS NULL')
            .getOne();
        return user ?? undefined;
    }

    /**
     * Vendure's customer role, with its channels: a User returned with them spares Vendure's session creation
     * a reload of the roles (`RoleService.getCustomerRole` reads the role without them).
     */
    private async customerRoleWithChannels(ctx: RequestContext): Promise<Role> {
        // A query builder's getOne is one statement; findOne with a relation would be two (ids, then rows).
        const role = await this.connection
            .getRepository(ctx, Role)
            .createQueryBuilder('role')
            .leftJoinAndSelect('role.channels', 'channel')
            .where('role.code = :code', { code: CUSTOMER_ROLE_CODE })
            .getOne();
        if (!role) {
            throw new InternalServerError('error.customer-role-not-found');
        }
        return role;
    }

    /**
     * Adds a verified number to the logged-in customer's account (or replaces the one there), so the number
     * logs into this account too. A number verified on another account is refused.
     */
    async linkPhone(
        ctx: RequestContext,
        userId: ID,
        rawPhone: string,
        code: string,
    ): Promise<LinkPhoneResult> {
        const verified = await this.verifyCode(ctx, rawPhone, code, 'LINK', userId);
        if (!verified.ok) {
            return { kind: 'rejected', reason: verified.reason };
        }
        const phone = verified.phone;
        const tag = phoneTag(this.key, phone);
        const owner = await this.externalAuthenticationService.findUser(ctx, SMS_OTP_STRATEGY_NAME, phone);
        if (owner && String(owner.id) !== String(userId)) {
            Logger.warn(
                `User ${userId} tried to add ${maskMobile(phone)} (phone ${tag}), verified on user ${owner.id}`,
                loggerCtx,
            );
            return { kind: 'in-use' };
        }
        const user = await this.connection.getEntityOrThrow(ctx, User, userId, {
            relations: ['authenticationMethods'],
        });
        const current = user.authenticationMethods.find(
            (m): m is ExternalAuthenticationMethod =>
                m instanceof ExternalAuthenticationMethod && m.strategy === SMS_OTP_STRATEGY_NAME,
        );
        const methods = this.connection.getRepository(ctx, ExternalAuthenticationMethod);
        const customers = this.connection.getRepository(ctx, Customer);
        const customer = await customers.findOneOrFail({ where: { user: { id: userId } } });
        if (current) {
            await methods.update({ id: current.id }, { externalIdentifier: phone });
            if (user.identifier === current.externalIdentifier) {
                // A phone-only account changes its number: the old number must not stay its identifier, or
                // whoever gets that number next could not sign up with it.
                await this.connection.getRepository(ctx, User).update({ id: user.id }, { identifier: phone });
                if (customer.emailAddress === this.placeholderEmail(current.externalIdentifier)) {
                    customer.emailAddress = this.placeholderEmail(phone);
                }
            }
        } else {
            const method = await methods.save(
                new ExternalAuthenticationMethod({
                    strategy: SMS_OTP_STRATEGY_NAME,
                    externalIdentifier: phone,
                }),
            );
            user.authenticationMethods = [...user.authenticationMethods, method];
            await this.connection.getRepository(ctx, User).save(user);
        }
        customer.phoneNumber = phone;
        (customer.customFields as Record<string, unknown>)[VERIFIED_MOBILE_FIELD] = phone;
        await customers.save(customer);
        Logger.info(`Customer ${customer.id} verified ${maskMobile(phone)} (phone ${tag})`, loggerCtx);
        return { kind: 'linked', customer };
    }

    /** The send log for support staff, newest first; optionally for one number. */
    async listSends(
        rawPhone: string | undefined,
        skip = 0,
        take = 50,
    ): Promise<{ items: OtpChallenge[]; totalItems: number }> {
        if (!Number.isInteger(skip) || skip < 0 || !Number.isInteger(take) || take < 1) {
            throw new UserInputError('skip must be 0 or more, take 1 or more');
        }
        const query = this.connection.rawConnection
            .getRepository(OtpChallenge)
            .createQueryBuilder('c')
            .orderBy('c.createdAt', 'DESC')
            .addOrderBy('c.id', 'DESC')
            .skip(skip)
            .take(Math.min(take, 100));
        if (rawPhone) {
            const phone = normalizeIranianMobile(rawPhone);
            if (!phone) {
                // Only normalized mobile numbers are stored: anything else matches nothing.
                return { items: [], totalItems: 0 };
            }
            query.where('c.phoneNumber = :phone', { phone });
        }
        const [items, totalItems] = await query.getManyAndCount();
        return { items, totalItems };
    }

    placeholderEmail(phone: string): string {
        return `${phone}@${this.options.placeholderEmailDomain}`;
    }

    private count(name: string): void {
        this.counters.set(name, (this.counters.get(name) ?? 0) + 1);
    }
}
