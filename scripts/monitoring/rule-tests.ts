import type { AlertRule, RuleGroup } from './alert-rules';

/**
 * promtool unit tests of every alert: each one fires in a scenario where it should and stays silent in one
 * where it should not. Rendered to docker/monitoring/prometheus/tests/shop.test.yml with the expected labels and
 * annotations taken from the rules, so the two never drift.
 */
interface Scenario {
    name: string;
    interval: string;
    series: Array<[series: string, values: string]>;
    fires?: Array<{ at: string; alert: string; labels?: Record<string, string> }>;
    silent?: Array<{ at: string; alert: string }>;
}

const CHECKOUT = 'api="shop",type="mutation",operation="addPaymentToOrder",instance="a",process="server"';
const ZIBAL_CB = 'route="zibal-callback",method="GET",instance="a",process="server"';

const SCENARIOS: Scenario[] = [
    {
        name: 'checkout and Zibal callbacks failing fast page (1h/5m at 14.4x)',
        interval: '1m',
        series: [
            [`shop_graphql_operations_total{${CHECKOUT},outcome="ok"}`, '0+100x90'],
            [`shop_graphql_operations_total{${CHECKOUT},outcome="error"}`, '0+10x90'],
            [`shop_graphql_operation_duration_seconds_count{${CHECKOUT}}`, '0+110x90'],
            [`shop_graphql_operation_duration_seconds_bucket{${CHECKOUT},le="1"}`, '0+80x90'],
            [`shop_http_requests_total{${ZIBAL_CB},status_class="3xx"}`, '0+10x90'],
            [`shop_http_requests_total{${ZIBAL_CB},status_class="5xx"}`, '0+2x90'],
        ],
        fires: [
            { at: '70m', alert: 'CheckoutAvailabilityBudgetBurn' },
            { at: '70m', alert: 'CheckoutLatencyBudgetBurn' },
            { at: '70m', alert: 'ZibalCallbackAvailabilityBudgetBurn' },
        ],
    },
    {
        name: 'a healthy checkout pages nobody',
        interval: '1m',
        series: [
            [`shop_graphql_operations_total{${CHECKOUT},outcome="ok"}`, '0+100x90'],
            [`shop_graphql_operations_total{${CHECKOUT},outcome="error"}`, '0+0.1x90'],
            [`shop_graphql_operation_duration_seconds_count{${CHECKOUT}}`, '0+100x90'],
            [`shop_graphql_operation_duration_seconds_bucket{${CHECKOUT},le="1"}`, '0+99.9x90'],
            [`shop_http_requests_total{${ZIBAL_CB},status_class="3xx"}`, '0+10x90'],
        ],
        silent: [
            { at: '70m', alert: 'CheckoutAvailabilityBudgetBurn' },
            { at: '70m', alert: 'CheckoutLatencyBudgetBurn' },
            { at: '70m', alert: 'ZibalCallbackAvailabilityBudgetBurn' },
            { at: '85m', alert: 'CheckoutAvailabilityBudgetBurnSlow' },
            { at: '85m', alert: 'CheckoutLatencyBudgetBurnSlow' },
            { at: '85m', alert: 'ZibalCallbackAvailabilityBudgetBurnSlow' },
        ],
    },
    {
        name: 'a slow burn (3x the budget) opens tickets, not pages',
        interval: '1m',
        series: [
            [`shop_graphql_operations_total{${CHECKOUT},outcome="ok"}`, '0+1000x150'],
            [`shop_graphql_operations_total{${CHECKOUT},outcome="error"}`, '0+15x150'],
            [`shop_graphql_operation_duration_seconds_count{${CHECKOUT}}`, '0+1015x150'],
            [`shop_graphql_operation_duration_seconds_bucket{${CHECKOUT},le="1"}`, '0+985x150'],
            [`shop_http_requests_total{${ZIBAL_CB},status_class="3xx"}`, '0+1000x150'],
            [`shop_http_requests_total{${ZIBAL_CB},status_class="5xx"}`, '0+15x150'],
        ],
        fires: [
            { at: '2h', alert: 'CheckoutAvailabilityBudgetBurnSlow' },
            { at: '2h', alert: 'CheckoutLatencyBudgetBurnSlow' },
            { at: '2h', alert: 'ZibalCallbackAvailabilityBudgetBurnSlow' },
        ],
        silent: [
            { at: '2h', alert: 'CheckoutAvailabilityBudgetBurn' },
            { at: '2h', alert: 'CheckoutLatencyBudgetBurn' },
            { at: '2h', alert: 'ZibalCallbackAvailabilityBudgetBurn' },
        ],
    },
    {
        name: 'Zibal: most payments failing, an old unresolved attempt, a refund due',
        interval: '1m',
        series: [
            [
                'shop_zibal_payment_attempts{state="settled",zibal_status="1",instance="a",process="worker"}',
                '0+1x60',
            ],
            [
                'shop_zibal_payment_attempts{state="failed",zibal_status="-2",instance="a",process="worker"}',
                '0+3x60',
            ],
            [
                'shop_zibal_payment_attempts{state="failed",zibal_status="-2",instance="b",process="server"}',
                '0+3x60',
            ],
            ['shop_zibal_oldest_unresolved_attempt_age_seconds{instance="a",process="worker"}', '0+60x60'],
            ['shop_zibal_refund_due_attempts{instance="a",process="worker"}', '0 0 1x20'],
        ],
        fires: [
            { at: '50m', alert: 'ZibalPaymentFailureRatioHigh' },
            { at: '55m', alert: 'ZibalReconciliationBacklog' },
            { at: '5m', alert: 'ZibalRefundDue' },
        ],
        silent: [
            { at: '40m', alert: 'ZibalReconciliationBacklog' },
            { at: '1m', alert: 'ZibalRefundDue' },
        ],
    },
    {
        name: 'Zibal: a few failures among many payments, attempts resolved in time',
        interval: '1m',
        series: [
            [
                'shop_zibal_payment_attempts{state="settled",zibal_status="1",instance="a",process="worker"}',
                '0+5x60',
            ],
            [
                'shop_zibal_payment_attempts{state="failed",zibal_status="-2",instance="a",process="worker"}',
                '0+1x60',
            ],
            ['shop_zibal_oldest_unresolved_attempt_age_seconds{instance="a",process="worker"}', '600x60'],
            ['shop_zibal_refund_due_attempts{instance="a",process="worker"}', '0x60'],
        ],
        silent: [
            { at: '50m', alert: 'ZibalPaymentFailureRatioHigh' },
            { at: '55m', alert: 'ZibalReconciliationBacklog' },
            { at: '55m', alert: 'ZibalRefundDue' },
        ],
    },
    {
        name: 'OTP: SMS.ir failing, the send window closed',
        interval: '1m',
        series: [
            ['shop_otp_events_total{event="sent",detail="none",instance="a",process="server"}', '0+10x30'],
            [
                'shop_otp_events_total{event="provider-failure",detail="server-error",instance="a",process="server"}',
                '0+5x30',
            ],
            ['shop_otp_window_state{period="HOUR",state="CLOSED",instance="a",process="server"}', '0 0 1x30'],
        ],
        fires: [
            { at: '20m', alert: 'OtpSendFailures' },
            { at: '10m', alert: 'OtpSendRateSpike', labels: { period: 'HOUR' } },
        ],
    },
    {
        name: 'OTP: a few failures, windows open',
        interval: '1m',
        series: [
            ['shop_otp_events_total{event="sent",detail="none",instance="a",process="server"}', '0+10x30'],
            [
                'shop_otp_events_total{event="provider-failure",detail="server-error",instance="a",process="server"}',
                '0+0.1x30',
            ],
            ['shop_otp_window_state{period="HOUR",state="CLOSED",instance="a",process="server"}', '0x30'],
            ['shop_otp_window_state{period="HOUR",state="OPEN",instance="a",process="server"}', '1x30'],
        ],
        silent: [
            { at: '20m', alert: 'OtpSendFailures' },
            { at: '20m', alert: 'OtpSendRateSpike' },
        ],
    },
    {
        name: 'OTP: requests 100x the same time yesterday (SMS pumping)',
        interval: '5m',
        series: [
            [
                'shop_otp_events_total{event="sent",detail="none",instance="a",process="server"}',
                '0+3x580 1740+300x10',
            ],
        ],
        fires: [{ at: '2925m', alert: 'OtpSendRateSpike' }],
        silent: [{ at: '2900m', alert: 'OtpSendRateSpike' }],
    },
    {
        name: 'shipping, jobs, processes failing',
        interval: '1m',
        series: [
            ['shop_postex_breaker_state{state="open",instance="a",process="server"}', '0 1x20'],
            [
                'shop_job_queue_oldest_waiting_age_seconds{queue="send-email",instance="a",process="worker"}',
                '0+60x30',
            ],
            [
                'shop_job_queue_jobs_total{queue="postex-create-parcel",outcome="failed",instance="a",process="worker"}',
                '0+1x30',
            ],
            ['up{job="shop-server",instance="a"}', '1 1 0x20'],
            ['up{job="shop-worker",instance="b"}', '1 1 0x20'],
        ],
        fires: [
            { at: '10m', alert: 'PostexBreakerOpen' },
            { at: '25m', alert: 'JobQueueBacklogOld', labels: { queue: 'send-email' } },
            { at: '10m', alert: 'JobFailures', labels: { queue: 'postex-create-parcel' } },
            { at: '10m', alert: 'ShopServerDown' },
            { at: '10m', alert: 'ShopWorkerDown' },
        ],
        silent: [
            { at: '3m', alert: 'PostexBreakerOpen' },
            { at: '3m', alert: 'ShopServerDown' },
        ],
    },
    {
        name: 'shipping, jobs, processes healthy',
        interval: '1m',
        series: [
            ['shop_postex_breaker_state{state="open",instance="a",process="server"}', '0x20'],
            [
                'shop_job_queue_oldest_waiting_age_seconds{queue="send-email",instance="a",process="worker"}',
                '30x30',
            ],
            [
                'shop_job_queue_jobs_total{queue="postex-create-parcel",outcome="failed",instance="a",process="worker"}',
                '0 1 1x28',
            ],
            ['up{job="shop-server",instance="a"}', '1x20'],
            ['up{job="shop-worker",instance="b"}', '1x20'],
        ],
        silent: [
            { at: '15m', alert: 'PostexBreakerOpen' },
            { at: '25m', alert: 'JobQueueBacklogOld' },
            { at: '15m', alert: 'JobFailures' },
            { at: '15m', alert: 'ShopServerDown' },
            { at: '15m', alert: 'ShopWorkerDown' },
        ],
    },
    {
        name: 'data stores in trouble',
        interval: '1m',
        series: [
            ['shop_backup_last_success_timestamp_seconds{job="backup"}', '-100000x40'],
            ['pg_stat_archiver_last_archive_age{instance="pg"}', '0+60x40'],
            ['pg_stat_archiver_failed_count{instance="pg"}', '0x40'],
            ['pg_stat_activity_count{instance="pg",datname="shop",state="active"}', '90x40'],
            ['pg_settings_max_connections{instance="pg"}', '100x40'],
            ['redis_memory_used_bytes{redis="queue",instance="r"}', '900x40'],
            ['redis_memory_max_bytes{redis="queue",instance="r"}', '1000x40'],
            ['redis_evicted_keys_total{redis="queue",instance="r"}', '0 0 5x40'],
        ],
        fires: [
            { at: '20m', alert: 'BackupTooOld' },
            { at: '30m', alert: 'WalArchivingStuck' },
            { at: '15m', alert: 'DatabaseConnectionsNearLimit' },
            { at: '15m', alert: 'QueueRedisMemoryHigh' },
            { at: '5m', alert: 'QueueRedisEvictions' },
        ],
    },
    {
        name: 'data stores healthy',
        interval: '1m',
        series: [
            ['shop_backup_last_success_timestamp_seconds{job="backup"}', '0+60x40'],
            ['pg_stat_archiver_last_archive_age{instance="pg"}', '30x40'],
            ['pg_stat_archiver_failed_count{instance="pg"}', '0x40'],
            ['pg_stat_activity_count{instance="pg",datname="shop",state="active"}', '20x40'],
            ['pg_settings_max_connections{instance="pg"}', '100x40'],
            ['shop_db_pool_connections{state="in_use",instance="a",process="server"}', '5x40'],
            ['shop_db_pool_max_connections{instance="a",process="server"}', '20x40'],
            ['shop_db_pool_waiting_requests{instance="a",process="server"}', '0x40'],
            ['redis_memory_used_bytes{redis="queue",instance="r"}', '100x40'],
            ['redis_memory_max_bytes{redis="queue",instance="r"}', '1000x40'],
            ['redis_evicted_keys_total{redis="queue",instance="r"}', '0x40'],
        ],
        silent: [
            { at: '30m', alert: 'BackupTooOld' },
            { at: '30m', alert: 'WalArchivingStuck' },
            { at: '30m', alert: 'DatabaseConnectionsNearLimit' },
            { at: '30m', alert: 'QueueRedisMemoryHigh' },
            { at: '30m', alert: 'QueueRedisEvictions' },
        ],
    },
    {
        name: 'a process whose pool is used up with queries waiting',
        interval: '1m',
        series: [
            ['shop_db_pool_connections{state="in_use",instance="a",process="server"}', '20x30'],
            ['shop_db_pool_max_connections{instance="a",process="server"}', '20x30'],
            ['shop_db_pool_waiting_requests{instance="a",process="server"}', '4x30'],
        ],
        fires: [{ at: '15m', alert: 'DatabaseConnectionsNearLimit', labels: { instance: 'a' } }],
    },
];

export function ruleTests(groups: RuleGroup[], ruleFile: string): object {
    const alerts = new Map<string, AlertRule>();
    for (const group of groups) {
        for (const rule of group.rules) {
            if ('alert' in rule) {
                alerts.set(rule.alert, rule);
            }
        }
    }
    const fired = new Set<string>();
    const silenced = new Set<string>();
    const tests = SCENARIOS.map(s => ({
        name: s.name,
        interval: s.interval,
        input_series: s.series.map(([series, values]) => ({ series, values })),
        alert_rule_test: [
            ...(s.fires ?? []).map(f => {
                const rule = alerts.get(f.alert);
                if (!rule) {
                    throw new Error(`No alert ${f.alert}`);
                }
                fired.add(f.alert);
                const labels = { ...rule.labels, ...f.labels };
                const expand = (text: string) =>
                    text.replace(
                        /\{\{ \$labels\.(\w+) \}\}/g,
                        (_, name: string) => (labels as Record<string, string>)[name] ?? '',
                    );
                return {
                    eval_time: f.at,
                    alertname: f.alert,
                    exp_alerts: [
                        {
                            exp_labels: labels,
                            exp_annotations: Object.fromEntries(
                                Object.entries(rule.annotations).map(([k, v]) => [k, expand(v)]),
                            ),
                        },
                    ],
                };
            }),
            ...(s.silent ?? []).map(q => {
                if (!alerts.has(q.alert)) {
                    throw new Error(`No alert ${q.alert}`);
                }
                silenced.add(q.alert);
                return { eval_time: q.at, alertname: q.alert, exp_alerts: [] };
            }),
        ],
    }));
    const untested = [...alerts.keys()].filter(a => !fired.has(a) || !silenced.has(a));
    if (untested.length) {
        throw new Error(`Alerts without a firing and a silent test: ${untested.join(', ')}`);
    }
    return { rule_files: [ruleFile], evaluation_interval: '1m', tests };
}
