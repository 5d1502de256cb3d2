/**
 * The Grafana dashboards, rendered to docker/monitoring/grafana/dashboards/*.json by `npm run monitoring:rules`.
 * Panel titles are the ones the runbook names ("Panel: Payments / Unresolved attempts"). Every query's metrics
 * are checked against a scrape of a running shop by scripts/ci/monitoring-check.sh.
 */
interface Panel {
    title: string;
    exprs: Array<[expr: string, legend: string]>;
    unit?: string;
    kind?: 'timeseries' | 'stat';
}

const CHECKOUT =
    'api="shop",type="mutation",operation=~"addItemToOrder|adjustOrderLine|setCustomerForOrder|setOrderShippingAddress|setOrderShippingMethod|transitionOrderToState|addPaymentToOrder|createZibalPaymentIntent"';

const DASHBOARDS: Record<string, { title: string; panels: Panel[] }> = {
    'shop-health': {
        title: 'Shop health',
        panels: [
            {
                title: 'Checkout error ratio',
                exprs: [
                    ['shop:checkout_errors:ratio_rate5m', '5m'],
                    ['shop:checkout_errors:ratio_rate1h', '1h'],
                ],
                unit: 'percentunit',
            },
            {
                title: 'Checkout latency',
                exprs: [
                    [
                        `histogram_quantile(0.5, sum by (le) (rate(shop_graphql_operation_duration_seconds_bucket{${CHECKOUT}}[5m])))`,
                        'p50',
                    ],
                    [
                        `histogram_quantile(0.99, sum by (le) (rate(shop_graphql_operation_duration_seconds_bucket{${CHECKOUT}}[5m])))`,
                        'p99',
                    ],
                ],
                unit: 's',
            },
            {
                title: 'Error budget left (30 days, from the 3-day ratio)',
                exprs: [
                    ['1 - shop:checkout_errors:ratio_rate3d / 0.005', 'checkout availability'],
                    ['1 - shop:checkout_slow:ratio_rate3d / 0.01', 'checkout latency'],
                    ['1 - shop:zibal_callback_errors:ratio_rate3d / 0.005', 'Zibal callback'],
                ],
                unit: 'percentunit',
                kind: 'stat',
            },
            { title: 'Targets up', exprs: [['sum by (job) (up{job=~"shop-.*"})', '{{job}}']], kind: 'stat' },
            {
                title: 'Orders placed per hour',
                exprs: [['sum(increase(shop_orders_placed_total[1h]))', 'orders']],
            },
            {
                title: 'Requests by route',
                exprs: [
                    [
                        'sum by (route, status_class) (rate(shop_http_requests_total[5m]))',
                        '{{route}} {{status_class}}',
                    ],
                ],
                unit: 'reqps',
            },
            {
                title: 'GraphQL operations by outcome',
                exprs: [
                    [
                        'sum by (api, outcome) (rate(shop_graphql_operations_total[5m]))',
                        '{{api}} {{outcome}}',
                    ],
                ],
                unit: 'ops',
            },
        ],
    },
    payments: {
        title: 'Payments',
        panels: [
            {
                title: 'Zibal attempts by state',
                exprs: [['delta(shop:zibal_attempts:by_state[1h])', '{{state}}']],
            },
            {
                title: 'Unresolved attempts',
                exprs: [
                    ['max(shop_zibal_unresolved_attempts)', 'unresolved'],
                    ['max(shop_zibal_oldest_unresolved_attempt_age_seconds)', 'oldest age (s)'],
                ],
            },
            {
                title: 'Refund due',
                exprs: [['max(shop_zibal_refund_due_attempts)', 'refund-due']],
                kind: 'stat',
            },
            {
                title: 'Zibal callbacks',
                exprs: [
                    [
                        'sum by (status_class) (rate(shop_http_requests_total{route="zibal-callback"}[5m]))',
                        '{{status_class}}',
                    ],
                ],
                unit: 'reqps',
            },
            {
                title: 'Failures by Zibal status',
                exprs: [
                    [
                        'sum by (zibal_status) (delta(max by (state, zibal_status) (shop_zibal_payment_attempts{state=~"failed|expired"})[1h:1m]))',
                        'status {{zibal_status}}',
                    ],
                ],
            },
        ],
    },
    otp: {
        title: 'OTP / SMS',
        panels: [
            {
                title: 'Sends by outcome',
                exprs: [
                    [
                        'sum by (event, detail) (rate(shop_otp_events_total{event=~"sent|provider-failure"}[5m]))',
                        '{{event}} {{detail}}',
                    ],
                ],
            },
            {
                title: 'Send windows',
                exprs: [
                    [
                        'max by (period) (shop_otp_window_sent) / max by (period) (shop_otp_window_limit)',
                        '{{period}}',
                    ],
                ],
                unit: 'percentunit',
            },
            {
                title: 'Window state',
                exprs: [['max by (period, state) (shop_otp_window_state) == 1', '{{period}} {{state}}']],
                kind: 'stat',
            },
            {
                title: 'Sends in the last hour by SMS.ir status',
                exprs: [
                    [
                        'max by (outcome, provider_status) (shop_otp_sends_last_hour)',
                        '{{outcome}} {{provider_status}}',
                    ],
                ],
            },
            {
                title: 'Refusals and verifications',
                exprs: [
                    [
                        'sum by (event, detail) (rate(shop_otp_events_total{event=~"rate-limited|challenge|verify"}[5m]))',
                        '{{event}} {{detail}}',
                    ],
                ],
            },
            {
                title: 'Logins',
                exprs: [
                    ['sum by (strategy) (rate(shop_login_attempts_total[5m]))', 'attempts {{strategy}}'],
                    ['sum(rate(shop_logins_total[5m]))', 'succeeded'],
                ],
            },
        ],
    },
    shipping: {
        title: 'Shipping',
        panels: [
            {
                title: 'Breaker state',
                exprs: [['max by (state) (shop_postex_breaker_state)', '{{state}}']],
                kind: 'stat',
            },
            {
                title: 'Quotes by source',
                exprs: [
                    ['sum by (source, reason) (rate(shop_postex_quotes_total[5m]))', '{{source}} {{reason}}'],
                ],
            },
            {
                title: 'Quote latency',
                exprs: [
                    [
                        'histogram_quantile(0.95, sum by (le, source) (rate(shop_postex_quote_duration_seconds_bucket[5m])))',
                        'p95 {{source}}',
                    ],
                ],
                unit: 's',
            },
            {
                title: 'Parcels created and failed',
                exprs: [
                    [
                        'sum by (outcome) (increase(shop_job_queue_jobs_total{queue="postex-create-parcel"}[1h]))',
                        '{{outcome}}',
                    ],
                ],
            },
        ],
    },
    chat: {
        title: 'Support chat',
        panels: [
            { title: 'Sockets', exprs: [['sum by (side) (shop_chat_sockets)', '{{side}}']] },
            {
                title: 'Messages',
                exprs: [
                    ['sum by (side, outcome) (rate(shop_chat_messages_total[5m]))', '{{side}} {{outcome}}'],
                ],
            },
            {
                title: 'Delivery time',
                exprs: [
                    [
                        'histogram_quantile(0.95, sum by (le, side) (rate(shop_chat_message_delivery_seconds_bucket[5m])))',
                        'p95 {{side}}',
                    ],
                ],
                unit: 's',
            },
        ],
    },
    'queues-database': {
        title: 'Queues and database',
        panels: [
            {
                title: 'Oldest waiting job',
                exprs: [['max by (queue) (shop_job_queue_oldest_waiting_age_seconds)', '{{queue}}']],
                unit: 's',
            },
            { title: 'Waiting jobs', exprs: [['max by (queue) (shop_job_queue_waiting_jobs)', '{{queue}}']] },
            {
                title: 'Failed jobs',
                exprs: [
                    [
                        'sum by (queue) (increase(shop_job_queue_jobs_total{outcome="failed"}[30m]))',
                        '{{queue}}',
                    ],
                ],
            },
            {
                title: 'Job duration',
                exprs: [
                    [
                        'histogram_quantile(0.95, sum by (le, queue) (rate(shop_job_queue_job_duration_seconds_bucket[5m])))',
                        'p95 {{queue}}',
                    ],
                ],
                unit: 's',
            },
            {
                title: 'Connections',
                exprs: [
                    ['sum by (instance, state) (shop_db_pool_connections)', '{{instance}} {{state}}'],
                    ['sum by (instance) (shop_db_pool_waiting_requests)', '{{instance}} waiting'],
                ],
            },
            {
                title: 'Redis memory',
                exprs: [['max(redis_memory_used_bytes{redis="queue"})', 'queue Redis']],
                unit: 'bytes',
            },
            {
                title: 'Event loop lag',
                exprs: [['max by (instance) (nodejs_eventloop_lag_p99_seconds)', '{{instance}}']],
                unit: 's',
            },
            {
                title: 'Heap used',
                exprs: [['sum by (instance) (nodejs_heap_size_used_bytes)', '{{instance}}']],
                unit: 'bytes',
            },
            {
                title: 'Backup age',
                exprs: [['time() - max(shop_backup_last_success_timestamp_seconds)', 'age']],
                unit: 's',
                kind: 'stat',
            },
            {
                title: 'WAL archiving',
                exprs: [['max(pg_stat_archiver_last_archive_age)', 'last archive age']],
                unit: 's',
            },
        ],
    },
};

/** Grafana dashboard JSON (schema 39), one per file, with a Prometheus data source variable. */
export function dashboards(): Record<string, object> {
    return Object.fromEntries(
        Object.entries(DASHBOARDS).map(([uid, d]) => [
            `docker/monitoring/grafana/dashboards/${uid}.json`,
            {
                uid: `shop-${uid}`,
                title: `Shop / ${d.title}`,
                tags: ['shop'],
                schemaVersion: 39,
                time: { from: 'now-6h', to: 'now' },
                refresh: '30s',
                templating: {
                    list: [
                        { name: 'datasource', type: 'datasource', query: 'prometheus', label: 'Prometheus' },
                    ],
                },
                panels: d.panels.map((p, i) => ({
                    id: i + 1,
                    type: p.kind ?? 'timeseries',
                    title: p.title,
                    datasource: { type: 'prometheus', uid: '${datasource}' },
                    gridPos: { h: 8, w: 12, x: (i % 2) * 12, y: Math.floor(i / 2) * 8 },
                    fieldConfig: { defaults: { unit: p.unit ?? 'short' }, overrides: [] },
                    targets: p.exprs.map(([expr, legendFormat], j) => ({
                        refId: String.fromCharCode(65 + j),
                        expr,
                        legendFormat,
                    })),
                })),
            },
        ]),
    );
}
