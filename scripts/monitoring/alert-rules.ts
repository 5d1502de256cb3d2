/**
 * The shop's Prometheus rules, written once here and rendered to
 * - docker/monitoring/prometheus/rules/shop.rules.yml (plain rule file: Prometheus, promtool), and
 * - k8s/monitoring/prometheus-rule.yaml (the same groups as a prometheus-operator PrometheusRule).
 * `node <built>.js write` renders both; `check` fails when a committed file differs from the rendering.
 *
 * SLOs (30-day windows; docs/runbook.md "SLOs"):
 * - Checkout availability: 99.5 % of checkout mutations on the Shop API end without a GraphQL error
 *   (an ErrorResult such as "coupon invalid" is an answer, not an error).
 * - Checkout latency: 99 % of checkout mutations finish within 1 s.
 * - Zibal callback: 99.5 % of the bank's returns to /payments/zibal/callback are answered without a 5xx.
 * Alerts burn the error budget in several windows (Google SRE workbook, "Alerting on SLOs"): page at 14.4x over
 * 1h (and 5m) or 6x over 6h (and 30m); ticket at 1x over 3d (and 6h).
 */
import fs from 'node:fs';
import path from 'node:path';

import yaml from 'js-yaml';
import prettier from 'prettier';

import { dashboards } from './dashboards';
import { metricProblems, runbookProblems } from './rule-checks';
import { ruleTests } from './rule-tests';

export interface AlertRule {
    alert: string;
    expr: string;
    for?: string;
    labels: { severity: 'page' | 'ticket'; slo?: string };
    annotations: { summary: string; description: string; runbook_url: string; dashboard?: string };
}
export interface RecordingRule {
    record: string;
    expr: string;
}
export interface RuleGroup {
    name: string;
    interval?: string;
    rules: Array<AlertRule | RecordingRule>;
}

/** Where the runbook is; each alert's `runbook_url` is this plus `#<alert name in lower case>`. */
export const RUNBOOK = 'docs/runbook.md';

const CHECKOUT_OPS =
    'addItemToOrder|adjustOrderLine|setCustomerForOrder|setOrderShippingAddress|setOrderShippingMethod|transitionOrderToState|addPaymentToOrder|createZibalPaymentIntent';
const CHECKOUT = `api="shop",type="mutation",operation=~"${CHECKOUT_OPS}"`;
const WINDOWS = ['5m', '30m', '1h', '6h', '3d'] as const;

interface Slo {
    /** Recording rule prefix, e.g. shop:checkout_errors */
    name: string;
    objective: number;
    bad: (w: string) => string;
    total: (w: string) => string;
    alert: string;
    what: string;
    dashboard: string;
}

const SLOS: Slo[] = [
    {
        name: 'shop:checkout_errors',
        objective: 0.995,
        bad: w => `sum(rate(shop_graphql_operations_total{${CHECKOUT},outcome="error"}[${w}]))`,
        total: w => `sum(rate(shop_graphql_operations_total{${CHECKOUT}}[${w}]))`,
        alert: 'CheckoutAvailability',
        what: 'checkout mutations failing with an error',
        dashboard: 'Shop health / Checkout error ratio',
    },
    {
        name: 'shop:checkout_slow',
        objective: 0.99,
        bad: w =>
            `(sum(rate(shop_graphql_operation_duration_seconds_count{${CHECKOUT}}[${w}])) - sum(rate(shop_graphql_operation_duration_seconds_bucket{${CHECKOUT},le="1"}[${w}])))`,
        total: w => `sum(rate(shop_graphql_operation_duration_seconds_count{${CHECKOUT}}[${w}]))`,
        alert: 'CheckoutLatency',
        what: 'checkout mutations slower than 1 s',
        dashboard: 'Shop health / Checkout latency',
    },
    {
        name: 'shop:zibal_callback_errors',
        objective: 0.995,
        bad: w => `sum(rate(shop_http_requests_total{route="zibal-callback",status_class="5xx"}[${w}]))`,
        total: w => `sum(rate(shop_http_requests_total{route="zibal-callback"}[${w}]))`,
        alert: 'ZibalCallbackAvailability',
        what: 'Zibal callbacks answered with a 5xx',
        dashboard: 'Payments / Zibal callbacks',
    },
];

function runbook(alert: string): string {
    return `${RUNBOOK}#${alert.toLowerCase()}`;
}

function sloGroups(): RuleGroup[] {
    const recording: RecordingRule[] = SLOS.flatMap(slo =>
        WINDOWS.map(w => ({
            record: `${slo.name}:ratio_rate${w}`,
            expr: `${slo.bad(w)}\n/\nclamp_min(${slo.total(w)}, 1e-9)`,
        })),
    );
    const alerts: AlertRule[] = SLOS.flatMap(slo => {
        const budget = Number((1 - slo.objective).toFixed(4));
        const burn = (factor: number, long: string, short: string) =>
            `(${slo.name}:ratio_rate${long} > (${factor} * ${budget}) and ${slo.name}:ratio_rate${short} > (${factor} * ${budget}))`;
        const page = `${slo.alert}BudgetBurn`;
        const ticket = `${slo.alert}BudgetBurnSlow`;
        return [
            {
                alert: page,
                expr: `${burn(14.4, '1h', '5m')}\nor\n${burn(6, '6h', '30m')}`,
                for: '2m',
                labels: { severity: 'page' as const, slo: slo.alert },
                annotations: {
                    summary: `${slo.alert}: error budget burning fast`,
                    description: `Too many ${slo.what} in the last hour(s): at this rate the 30-day error budget (${(budget * 100).toFixed(1)} %) is gone within days.`,
                    runbook_url: runbook(page),
                    dashboard: slo.dashboard,
                },
            },
            {
                alert: ticket,
                expr: burn(1, '3d', '6h'),
                for: '1h',
                labels: { severity: 'ticket' as const, slo: slo.alert },
                annotations: {
                    summary: `${slo.alert}: error budget burning`,
                    description: `${slo.what[0].toUpperCase()}${slo.what.slice(1)} over 3 days above the SLO's ${(budget * 100).toFixed(1)} %.`,
                    runbook_url: runbook(ticket),
                    dashboard: slo.dashboard,
                },
            },
        ];
    });
    return [
        { name: 'shop-slo-recording', rules: recording },
        { name: 'shop-slo-alerts', rules: alerts },
    ];
}

function alert(
    name: string,
    severity: 'page' | 'ticket',
    expr: string,
    forDuration: string | undefined,
    summary: string,
    description: string,
    dashboard: string,
): AlertRule {
    return {
        alert: name,
        expr,
        ...(forDuration ? { for: forDuration } : {}),
        labels: { severity },
        annotations: { summary, description, runbook_url: runbook(name), dashboard },
    };
}

/** Every process (server and worker jobs, every pod) reports DB-derived gauges alike: `max by` gives one value. */
const ONE = 'max by (state, zibal_status)';

function shopGroups(): RuleGroup[] {
    return [
        {
            name: 'shop-payments',
            rules: [
                {
                    record: 'shop:zibal_attempts:by_state',
                    expr: `sum by (state) (${ONE} (shop_zibal_payment_attempts))`,
                },
                alert(
                    'ZibalPaymentFailureRatioHigh',
                    'page',
                    `(
  sum(delta(shop:zibal_attempts:by_state{state=~"failed|expired"}[30m]))
  /
  clamp_min(sum(delta(shop:zibal_attempts:by_state{state=~"settled|failed|expired|rejected|refund-due"}[30m])), 1)
) > 0.5
and
sum(delta(shop:zibal_attempts:by_state{state=~"settled|failed|expired|rejected|refund-due"}[30m])) >= 5`,
                    '10m',
                    'More than half of the Zibal payments of the last 30 minutes failed',
                    'Over half of the Zibal attempts resolved in 30 minutes failed or expired: shoppers cannot pay.',
                    'Payments / Zibal attempts by state',
                ),
                alert(
                    'ZibalReconciliationBacklog',
                    'page',
                    `max(shop_zibal_oldest_unresolved_attempt_age_seconds) > 2700`,
                    '5m',
                    'A Zibal payment has waited for settlement for more than 45 minutes',
                    'The oldest pending/verifying Zibal attempt is older than 45 minutes; reconciliation (after 10 min) is not resolving it.',
                    'Payments / Unresolved attempts',
                ),
                alert(
                    'ZibalRefundDue',
                    'ticket',
                    `max(shop_zibal_refund_due_attempts) > 0`,
                    undefined,
                    'A shopper paid but the money is not on an order: refund due',
                    'A Zibal attempt is in refund-due: money was taken at Zibal but the payment could not be added to its order.',
                    'Payments / Refund due',
                ),
            ],
        },
        {
            name: 'shop-otp',
            rules: [
                alert(
                    'OtpSendFailures',
                    'page',
                    `(
  sum(rate(shop_otp_events_total{event="provider-failure"}[10m]))
  /
  clamp_min(sum(rate(shop_otp_events_total{event=~"sent|provider-failure"}[10m])), 1e-9)
) > 0.2
and
sum(increase(shop_otp_events_total{event="provider-failure"}[10m])) >= 3`,
                    '5m',
                    'SMS.ir is failing to send login codes',
                    'Over 20 % of code sends failed at SMS.ir in the last 10 minutes: shoppers cannot log in by phone.',
                    'OTP / Sends by outcome',
                ),
                alert(
                    'OtpSendRateSpike',
                    'page',
                    `(
  sum(rate(shop_otp_events_total{event=~"sent|request|rate-limited|challenge"}[15m]))
  > 5 * clamp_min(sum(rate(shop_otp_events_total{event=~"sent|request|rate-limited|challenge"}[1d] offset 1d)), 0.01)
)
or
max by (period) (shop_otp_window_state{state=~"KNOWN_ACCOUNTS_ONLY|CLOSED"}) == 1`,
                    '5m',
                    'Code requests far above normal: SMS pumping likely',
                    'Code requests are 5x the same time yesterday, or the shop-wide send window restricts codes (known accounts only / closed). Every SMS is billed.',
                    'OTP / Send windows',
                ),
            ],
        },
        {
            name: 'shop-shipping',
            rules: [
                alert(
                    'PostexBreakerOpen',
                    'ticket',
                    `max(shop_postex_breaker_state{state="open"}) == 1`,
                    '5m',
                    'Postex quotes fail: shoppers see the fallback shipping price',
                    'The Postex circuit breaker of at least one server is open: quotes use the fallback price.',
                    'Shipping / Breaker state',
                ),
            ],
        },
        {
            name: 'shop-jobs',
            rules: [
                alert(
                    'JobQueueBacklogOld',
                    'ticket',
                    `max by (queue) (shop_job_queue_oldest_waiting_age_seconds) > 900`,
                    '5m',
                    'Jobs of queue {{ $labels.queue }} wait for more than 15 minutes',
                    'The oldest waiting job of {{ $labels.queue }} is older than 15 minutes: emails, parcels or search updates are late.',
                    'Queues / Oldest waiting job',
                ),
                alert(
                    'JobFailures',
                    'ticket',
                    `sum by (queue) (increase(shop_job_queue_jobs_total{outcome="failed"}[30m])) >= 3`,
                    undefined,
                    'Jobs of queue {{ $labels.queue }} are failing',
                    '3 or more failed job attempts of {{ $labels.queue }} in 30 minutes.',
                    'Queues / Failed jobs',
                ),
            ],
        },
        {
            name: 'shop-processes',
            rules: [
                alert(
                    'ShopServerDown',
                    'page',
                    `sum(up{job="shop-server"}) == 0 or absent(up{job="shop-server"})`,
                    '2m',
                    'No shop server answers its metrics scrape',
                    'Every shop server target is down: the shop is offline.',
                    'Shop health / Targets up',
                ),
                alert(
                    'ShopWorkerDown',
                    'page',
                    `sum(up{job="shop-worker"}) == 0 or absent(up{job="shop-worker"})`,
                    '5m',
                    'No shop worker answers its metrics scrape',
                    'Every worker is down: no emails, parcels, payment reconciliation or scheduled tasks.',
                    'Shop health / Targets up',
                ),
            ],
        },
        {
            name: 'shop-data',
            rules: [
                alert(
                    'BackupTooOld',
                    'page',
                    `time() - max(shop_backup_last_success_timestamp_seconds) > 26 * 3600 or absent(shop_backup_last_success_timestamp_seconds)`,
                    '15m',
                    'The last successful database backup is older than its schedule',
                    'The newest successful backup is older than the daily schedule plus 2 hours, or no backup has reported.',
                    'Database / Backup age',
                ),
                alert(
                    'WalArchivingStuck',
                    'page',
                    `max(pg_stat_archiver_last_archive_age) > 900 or sum(increase(pg_stat_archiver_failed_count[15m])) > 0`,
                    '10m',
                    'PostgreSQL WAL archiving is stuck: point-in-time recovery is falling behind',
                    'No WAL segment archived for 15 minutes, or archiving fails.',
                    'Database / WAL archiving',
                ),
                alert(
                    'DatabaseConnectionsNearLimit',
                    'ticket',
                    `sum(pg_stat_activity_count) / max(pg_settings_max_connections) > 0.8
or
max by (instance) (shop_db_pool_connections{state="in_use"} / ignoring (state) shop_db_pool_max_connections) >= 0.9 and max by (instance) (shop_db_pool_waiting_requests) > 0`,
                    '10m',
                    'Database connections are near the limit',
                    'PostgreSQL is above 80 % of max_connections, or a process has used its whole pool with queries waiting.',
                    'Database / Connections',
                ),
                alert(
                    'QueueRedisMemoryHigh',
                    'page',
                    `max(redis_memory_used_bytes{redis="queue"} / (redis_memory_max_bytes{redis="queue"} > 0)) > 0.8`,
                    '10m',
                    'The queue Redis is above 80 % of maxmemory',
                    'With noeviction, a full queue Redis refuses new jobs (checkout emails, parcels).',
                    'Queues / Redis memory',
                ),
                alert(
                    'QueueRedisEvictions',
                    'page',
                    `sum(increase(redis_evicted_keys_total{redis="queue"}[10m])) > 0`,
                    undefined,
                    'The queue Redis evicted keys: jobs may be lost',
                    'Keys were evicted in the last 10 minutes; the queue Redis must run with maxmemory-policy noeviction.',
                    'Queues / Redis memory',
                ),
            ],
        },
    ];
}

export function ruleGroups(): RuleGroup[] {
    return [...sloGroups(), ...shopGroups()];
}

const ROOT = path.resolve(__dirname, process.env.RULES_ROOT ?? '../..');
export const RULE_FILE = 'docker/monitoring/prometheus/rules/shop.rules.yml';
export const PROMETHEUS_RULE_FILE = 'k8s/monitoring/prometheus-rule.yaml';
export const RULE_TEST_FILE = 'docker/monitoring/prometheus/tests/shop.test.yml';
export const DASHBOARD_CONFIGMAP_FILE = 'k8s/monitoring/grafana-dashboards.yaml';

async function render(): Promise<Record<string, string>> {
    const header =
        '# Generated by scripts/monitoring/alert-rules.ts (npm run monitoring:rules). Do not edit.\n';
    const groups = ruleGroups();
    const plain = header + yaml.dump({ groups }, { lineWidth: -1, noRefs: true });
    const crd =
        header +
        yaml.dump(
            {
                apiVersion: 'monitoring.coreos.com/v1',
                kind: 'PrometheusRule',
                metadata: {
                    name: 'shop-rules',
                    labels: { 'app.kubernetes.io/part-of': 'iran-shop', role: 'alert-rules' },
                },
                spec: { groups },
            },
            { lineWidth: -1, noRefs: true },
        );
    const tests =
        header + yaml.dump(ruleTests(groups, '../rules/shop.rules.yml'), { lineWidth: -1, noRefs: true });
    // Formatted as `prettier --check .` (lint) wants them, with the repository's Prettier settings.
    const format = async (file: string, text: string) =>
        prettier.format(text, { ...(await prettier.resolveConfig(path.join(ROOT, file))), parser: 'yaml' });
    return {
        [RULE_FILE]: await format(RULE_FILE, plain),
        [PROMETHEUS_RULE_FILE]: await format(PROMETHEUS_RULE_FILE, crd),
        [RULE_TEST_FILE]: await format(RULE_TEST_FILE, tests),
        // The same dashboards as a ConfigMap for Grafana's sidecar (label grafana_dashboard=1) in Kubernetes.
        [DASHBOARD_CONFIGMAP_FILE]: await format(
            DASHBOARD_CONFIGMAP_FILE,
            header +
                yaml.dump(
                    {
                        apiVersion: 'v1',
                        kind: 'ConfigMap',
                        metadata: {
                            name: 'shop-grafana-dashboards',
                            labels: { 'app.kubernetes.io/part-of': 'iran-shop', grafana_dashboard: '1' },
                        },
                        data: Object.fromEntries(
                            Object.entries(dashboards()).map(([file, d]) => [
                                path.basename(file),
                                JSON.stringify(d),
                            ]),
                        ),
                    },
                    { lineWidth: -1, noRefs: true },
                ),
        ),
        ...Object.fromEntries(
            await Promise.all(
                Object.entries(dashboards()).map(async ([file, dashboard]) => [
                    file,
                    await prettier.format(JSON.stringify(dashboard), {
                        ...(await prettier.resolveConfig(path.join(ROOT, file))),
                        parser: 'json',
                    }),
                ]),
            ),
        ),
    };
}

/** The PromQL of the Grafana dashboards (docker/monitoring/grafana/dashboards/*.json), for the exported-metrics check. */
function dashboardExpressions(): Array<{ where: string; expr: string }> {
    const dir = path.join(ROOT, 'docker/monitoring/grafana/dashboards');
    if (!fs.existsSync(dir)) {
        return [];
    }
    return fs.readdirSync(dir).flatMap(file => {
        const dashboard = JSON.parse(fs.readFileSync(path.join(dir, file), 'utf8')) as {
            panels?: Array<{ title?: string; targets?: Array<{ expr?: string }> }>;
        };
        return (dashboard.panels ?? []).flatMap(p =>
            (p.targets ?? []).flatMap(t => (t.expr ? [{ where: `${file} / ${p.title}`, expr: t.expr }] : [])),
        );
    });
}

async function main(mode: string, arg?: string): Promise<void> {
    if (mode === 'verify') {
        // arg: a file with the series names a scrape of a running shop returned (test/metrics.e2e-spec.ts).
        const groups = ruleGroups();
        const exported = new Set(fs.readFileSync(arg!, 'utf8').split('\n').filter(Boolean));
        const problems = [
            ...runbookProblems(groups, RUNBOOK, fs.readFileSync(path.join(ROOT, RUNBOOK), 'utf8')),
            ...metricProblems(groups, dashboardExpressions(), exported),
        ];
        problems.forEach(p => console.error(p));
        const alerts = groups.flatMap(g => g.rules).filter(r => 'alert' in r).length;
        console.log(
            `${alerts} alerts checked for a runbook heading; metrics of ${groups.flatMap(g => g.rules).length} rules and ${dashboardExpressions().length} dashboard queries checked against ${exported.size} exported series names: ${problems.length} problem(s)`,
        );
        process.exit(problems.length ? 1 : 0);
    }
    const files = await render();
    let stale = 0;
    for (const [file, text] of Object.entries(files)) {
        const target = path.join(ROOT, file);
        if (mode === 'write') {
            fs.mkdirSync(path.dirname(target), { recursive: true });
            fs.writeFileSync(target, text);
            console.log(`wrote ${file}`);
        } else if (!fs.existsSync(target) || fs.readFileSync(target, 'utf8') !== text) {
            console.error(
                `${file} is not what scripts/monitoring/alert-rules.ts renders: run npm run monitoring:rules`,
            );
            stale += 1;
        }
    }
    if (stale) {
        process.exit(1);
    }
}

if (require.main === module) {
    void main(process.argv[2] ?? 'check', process.argv[3]);
}
