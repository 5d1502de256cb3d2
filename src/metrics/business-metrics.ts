import { ModuleRef } from '@nestjs/core';
import { AttemptedLoginEvent, EventBus, LoginEvent, OrderPlacedEvent, Type } from '@vendure/core';
import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { DataSource } from 'typeorm';

import { PostexQuoteService } from '../../plugins/postex-shipping/service/postex-quote.service';
import { SmsOtpService } from '../../plugins/sms-otp/service/sms-otp.service';
import { ShopResponseCacheService } from '../../plugins/shop-response-cache/service/shop-response-cache.service';
import { ChatHub } from '../../plugins/support-chat/service/chat-hub';

import { BoundedLabel } from './bounded-label';
import { toMillis } from './job-queue-metrics';
import { sharedRead } from './shared-read';
import { registerSmsirCreditMetrics } from './smsir-credit';

/**
 * The shop's own metrics, read from each plugin's public surface (its service's snapshot or Signal, Vendure
 * events, the plugin's tables) so that no plugin knows about Prometheus. A plugin that is not installed is skipped.
 */
export function registerBusinessMetrics(
    registry: Registry,
    moduleRef: ModuleRef,
    eventBus: EventBus,
    connection: DataSource,
    role: 'embedded' | 'server' | 'worker',
): Array<() => void> {
    const unsubscribe: Array<() => void> = [];
    const find = <T>(type: Type<T>): T | undefined => {
        try {
            return moduleRef.get(type, { strict: false });
        } catch {
            return undefined;
        }
    };
    const hasTable = (table: string) => connection.entityMetadatas.some(m => m.tableName === table);

    // ---- orders and logins (Vendure events of this process) ----
    const orders = new Counter({
        name: 'shop_orders_placed_total',
        help: 'Orders placed (OrderPlacedEvent) in this process.',
        registers: [registry],
    });
    const strategies = new BoundedLabel(20);
    const loginAttempts = new Counter({
        name: 'shop_login_attempts_total',
        help: 'Login attempts by authentication strategy (native, smsOtp, ...).',
        labelNames: ['strategy'],
        registers: [registry],
    });
    const logins = new Counter({
        name: 'shop_logins_total',
        help: 'Successful logins (LoginEvent).',
        registers: [registry],
    });
    const subscriptions = [
        eventBus.ofType(OrderPlacedEvent).subscribe(() => orders.inc()),
        eventBus
            .ofType(AttemptedLoginEvent)
            .subscribe(e => loginAttempts.inc({ strategy: strategies.value(e.strategy) })),
        eventBus.ofType(LoginEvent).subscribe(() => logins.inc()),
    ];
    unsubscribe.push(() => subscriptions.forEach(s => s.unsubscribe()));

    // ---- Zibal payments (from the plugin's table: the truth whichever process settled them) ----
    if (hasTable('zibal_payment_attempt')) {
        new Gauge({
            name: 'shop_zibal_payment_attempts',
            help: 'Zibal payment attempts ever made, by state (pending, verifying, settled, failed, expired, rejected, refund-due, refunded) and Zibal transaction status code. Final states only grow (refund-due shrinks when staff record a manual refund): use increase()/delta(). Every process reports the same value: aggregate with max().',
            labelNames: ['state', 'zibal_status'],
            registers: [registry],
            async collect() {
                const rows = await countByStatus(connection, 'zibal_payment_attempt', 'state', 'zibalStatus');
                this.reset();
                for (const r of rows) {
                    this.set({ state: r.key, zibal_status: r.status }, r.n);
                }
            },
        });
        new Gauge({
            name: 'shop_zibal_unresolved_attempts',
            help: 'Zibal attempts not yet resolved (pending or verifying): the callback or reconciliation still has to settle them.',
            registers: [registry],
            async collect() {
                const row = await unresolved();
                this.set(Number(row?.n ?? 0));
            },
        });
        new Gauge({
            name: 'shop_zibal_oldest_unresolved_attempt_age_seconds',
            help: 'Age of the oldest unresolved (pending or verifying) Zibal attempt; 0 when none.',
            registers: [registry],
            async collect() {
                const row = await unresolved();
                this.set(row?.oldest ? Math.max(0, (Date.now() - toMillis(row.oldest)) / 1000) : 0);
            },
        });
        const unresolved = sharedRead(() =>
            connection
                .createQueryBuilder()
                .select('COUNT(*)', 'n')
                .addSelect('MIN(a.createdAt)', 'oldest')
                .from('zibal_payment_attempt', 'a')
                .where("a.state IN ('pending', 'verifying')")
                .getRawOne<{ n: string | number; oldest: string | Date | null }>(),
        );
        new Gauge({
            name: 'shop_zibal_refund_due_attempts',
            help: "Zibal attempts in refund-due: the shopper's money was taken but is not on an order; staff must refund.",
            registers: [registry],
            async collect() {
                const row = await connection
                    .createQueryBuilder()
                    .select('COUNT(*)', 'n')
                    .from('zibal_payment_attempt', 'a')
                    .where("a.state = 'refund-due'")
                    .getRawOne<{ n: string | number }>();
                this.set(Number(row?.n ?? 0));
            },
        });
    }

    // ---- SMS OTP ----
    const otp = find(SmsOtpService);
    if (otp && role !== 'worker') {
        // Servers only: the worker would ask SMS.ir once more for the same number.
        registerSmsirCreditMetrics(registry, () => otp.client.getCredit());
    }
    if (otp) {
        new Counter({
            name: 'shop_otp_events_total',
            help: 'SMS OTP events of this process: event (sent, provider-failure, rate-limited, challenge, verify, request, alert) and detail (failure reason, limit scope, tier, verify result; bounded enums of the plugin).',
            labelNames: ['event', 'detail'],
            registers: [registry],
            collect() {
                this.reset();
                for (const { name, value } of otp.counterSnapshot()) {
                    const [event, ...rest] = name.split(':');
                    this.inc({ event, detail: rest.join(':') || 'none' }, value);
                }
            },
        });
        const readWindows = sharedRead(() => otp.sendWindowStatus());
        new Gauge({
            name: 'shop_otp_window_sent',
            help: 'Codes sent shop-wide in the current send window (HOUR, DAY), across instances with Redis.',
            labelNames: ['period'],
            registers: [registry],
            async collect() {
                for (const w of await readWindows()) {
                    this.set({ period: w.period }, w.sent);
                }
            },
        });
        new Gauge({
            name: 'shop_otp_window_limit',
            help: 'The ceiling of the send window (caps.global), by period.',
            labelNames: ['period'],
            registers: [registry],
            async collect() {
                for (const w of await readWindows()) {
                    this.set({ period: w.period }, w.limit);
                }
            },
        });
        new Gauge({
            name: 'shop_otp_window_state',
            help: 'The state a shopper meets in each send window: 1 for the current state (OPEN, CHALLENGE, KNOWN_ACCOUNTS_ONLY, CLOSED).',
            labelNames: ['period', 'state'],
            registers: [registry],
            async collect() {
                this.reset();
                for (const w of await readWindows()) {
                    for (const state of ['OPEN', 'CHALLENGE', 'KNOWN_ACCOUNTS_ONLY', 'CLOSED']) {
                        this.set({ period: w.period, state }, w.state === state ? 1 : 0);
                    }
                }
            },
        });
    }
    if (hasTable('otp_challenge')) {
        new Gauge({
            name: 'shop_otp_sends_last_hour',
            help: 'Codes handed to SMS.ir in the last hour by outcome (SENT, FAILED, UNCERTAIN) and SMS.ir status (none when sent).',
            labelNames: ['outcome', 'provider_status'],
            registers: [registry],
            async collect() {
                const rows = await countByStatus(connection, 'otp_challenge', 'outcome', 'providerStatus', {
                    since: new Date(Date.now() - 3600_000),
                });
                this.reset();
                for (const r of rows) {
                    this.set({ outcome: r.key, provider_status: r.status }, r.n);
                }
            },
        });
    }

    // ---- Postex ----
    const postex = find(PostexQuoteService);
    if (postex) {
        new Gauge({
            name: 'shop_postex_breaker_state',
            help: 'The Postex quote circuit breaker of this process: 1 for its state (closed, open, half-open).',
            labelNames: ['state'],
            registers: [registry],
            collect() {
                const current = postex.breaker.currentState;
                for (const state of ['closed', 'open', 'half-open']) {
                    this.set({ state }, current === state ? 1 : 0);
                }
            },
        });
        const quotes = new Counter({
            name: 'shop_postex_quotes_total',
            help: 'Shipping prices asked of the Postex calculator by source (cache, postex, fallback, free, hidden) and fallback reason.',
            labelNames: ['source', 'reason'],
            registers: [registry],
        });
        const quoteSeconds = new Histogram({
            name: 'shop_postex_quote_duration_seconds',
            help: 'Time to price a shipping method with Postex, by source.',
            labelNames: ['source'],
            buckets: [0.001, 0.005, 0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
            registers: [registry],
        });
        const reasons = new BoundedLabel(20);
        unsubscribe.push(
            postex.quoted.subscribe(q => {
                quotes.inc({ source: q.source, reason: q.reason ? reasons.value(q.reason) : 'none' });
                quoteSeconds.observe({ source: q.source }, q.seconds);
            }),
        );
    }

    // ---- Support chat ----
    const hub = find(ChatHub);
    if (hub) {
        new Gauge({
            name: 'shop_chat_sockets',
            help: 'Chat sockets connected to this process, by side (shopper, staff).',
            labelNames: ['side'],
            registers: [registry],
            collect() {
                const counts = hub.localSocketCounts();
                this.set({ side: 'shopper' }, counts.shopper);
                this.set({ side: 'staff' }, counts.staff);
            },
        });
        const messages = new Counter({
            name: 'shop_chat_messages_total',
            help: 'Chat messages sent over sockets, by side and outcome (ok, duplicate, refused).',
            labelNames: ['side', 'outcome'],
            registers: [registry],
        });
        const delivery = new Histogram({
            name: 'shop_chat_message_delivery_seconds',
            help: 'From a message reaching the server to its acknowledgement (stored and relayed to the other side).',
            labelNames: ['side'],
            buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
            registers: [registry],
        });
        unsubscribe.push(
            hub.messageHandled.subscribe(m => {
                messages.inc({ side: m.side, outcome: m.outcome });
                if (m.outcome !== 'refused') {
                    delivery.observe({ side: m.side }, m.seconds);
                }
            }),
        );
    }

    // ---- Shop response cache (the plugin's counters since this process started) ----
    const responseCache = find(ShopResponseCacheService);
    if (responseCache) {
        const snapshotCounter = (
            name: string,
            help: string,
            labelNames: string[],
            read: (
                s: ReturnType<ShopResponseCacheService['snapshot']>,
            ) => Array<[Record<string, string>, number]>,
        ) =>
            new Counter({
                name,
                help,
                labelNames,
                registers: [registry],
                collect() {
                    this.reset();
                    for (const [labels, value] of read(responseCache.snapshot())) {
                        this.inc(labels, value);
                    }
                },
            });
        snapshotCounter(
            'shop_response_cache_lookups_total',
            'Cacheable anonymous Shop API requests by result: hit (this process), shared_hit (from Redis), not_modified (304 on If-None-Match), miss (GraphQL ran).',
            ['result'],
            s => [
                [{ result: 'hit' }, s.hits.local],
                [{ result: 'shared_hit' }, s.hits.shared],
                [{ result: 'not_modified' }, s.hits.notModified],
                [{ result: 'miss' }, s.misses],
            ],
        );
        snapshotCounter(
            'shop_response_cache_bypass_total',
            'Shop API requests that did not use the cache, by reason (not_allowed, not_query, authenticated, too_large, unparsable, csrf, channel, store_unavailable, disabled, ...).',
            ['reason'],
            s => Object.entries(s.bypass).map(([reason, n]) => [{ reason }, n]),
        );
        snapshotCounter(
            'shop_response_cache_stores_total',
            'Answers of misses by outcome: stored, or not_stored (errors, not 200, too large, set a cookie).',
            ['outcome'],
            s => [
                [{ outcome: 'stored' }, s.stored],
                [{ outcome: 'not_stored' }, s.notStored],
            ],
        );
        snapshotCounter(
            'shop_response_cache_invalidations_total',
            'Generation bumps made by this process (catalog events, search-index jobs, API calls that changed the catalog).',
            [],
            s => [[{}, s.invalidations]],
        );
        snapshotCounter(
            'shop_response_cache_evictions_total',
            "Answers evicted from this process's LRU to stay within its entry and byte limits.",
            [],
            s => [[{}, s.evictions]],
        );
        new Gauge({
            name: 'shop_response_cache_entries',
            help: "Answers held in this process's cache.",
            registers: [registry],
            collect() {
                this.set(responseCache.snapshot().entries);
            },
        });
        new Gauge({
            name: 'shop_response_cache_bytes',
            help: "Bytes of answers (and keys) held in this process's cache (limit: SHOP_RESPONSE_CACHE_MAX_MB).",
            registers: [registry],
            collect() {
                this.set(responseCache.snapshot().bytes);
            },
        });
    }
    return unsubscribe;
}

/**
 * Rows of a plugin table counted by a state column and a numeric provider status (`none` when null, `other`
 * when not a short number, so the label stays bounded); `since` limits to rows created after it.
 */
async function countByStatus(
    connection: DataSource,
    table: string,
    keyColumn: string,
    statusColumn: string,
    filter?: { since: Date },
): Promise<Array<{ key: string; status: string; n: number }>> {
    let query = connection
        .createQueryBuilder()
        .select(`t.${keyColumn}`, 'key')
        .addSelect(`t.${statusColumn}`, 'status')
        .addSelect('COUNT(*)', 'n')
        .from(table, 't');
    if (filter) {
        query = query.where('t.createdAt > :since', { since: filter.since });
    }
    const rows: Array<{ key: string; status: number | string | null; n: string | number }> = await query
        .groupBy(`t.${keyColumn}`)
        .addGroupBy(`t.${statusColumn}`)
        .getRawMany();
    return rows.map(r => {
        const status = r.status == null ? 'none' : String(Number(r.status));
        return { key: String(r.key), status: /^-?\d{1,4}$/.test(status) ? status : 'other', n: Number(r.n) };
    });
}
