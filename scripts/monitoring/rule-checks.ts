import type { RuleGroup } from './alert-rules';

/** GitHub's anchor of a Markdown heading: lower case, punctuation dropped, spaces to dashes. */
export function headingAnchor(heading: string): string {
    return heading
        .trim()
        .toLowerCase()
        .replace(/[^\p{L}\p{N}\s_-]/gu, '')
        .replace(/\s/g, '-');
}

/** Problems with the `runbook_url`s: each must point at `runbookPath#<anchor of an existing heading>`. */
export function runbookProblems(groups: RuleGroup[], runbookPath: string, markdown: string): string[] {
    const anchors = new Set(
        markdown
            .split('\n')
            .filter(l => /^#{1,6}\s/.test(l))
            .map(l => headingAnchor(l.replace(/^#+\s/, ''))),
    );
    const problems: string[] = [];
    for (const group of groups) {
        for (const rule of group.rules) {
            if (!('alert' in rule)) {
                continue;
            }
            const [file, anchor] = rule.annotations.runbook_url.split('#');
            if (file !== runbookPath || !anchor || !anchors.has(anchor)) {
                problems.push(
                    `${rule.alert}: runbook_url ${rule.annotations.runbook_url} has no heading in ${runbookPath}`,
                );
            }
        }
    }
    return problems;
}

/**
 * Metrics that come from other exporters, not from the shop: what each rule expects of them. The rules' `shop_*`
 * metrics must all be exported by the shop itself.
 */
export const EXTERNAL_METRICS: Record<string, string> = {
    up: 'Prometheus (scrape health)',
    shop_backup_last_success_timestamp_seconds: 'the backup job (Pushgateway or node_exporter textfile)',
    pg_stat_archiver_last_archive_age: 'postgres_exporter',
    pg_stat_archiver_failed_count: 'postgres_exporter',
    pg_stat_activity_count: 'postgres_exporter',
    pg_settings_max_connections: 'postgres_exporter',
    redis_memory_used_bytes: 'redis_exporter (queue Redis, label redis="queue")',
    redis_memory_max_bytes: 'redis_exporter (queue Redis, label redis="queue")',
    redis_evicted_keys_total: 'redis_exporter (queue Redis, label redis="queue")',
};

const PROMQL_WORDS = new Set([
    'sum',
    'max',
    'min',
    'avg',
    'count',
    'rate',
    'increase',
    'delta',
    'irate',
    'by',
    'without',
    'and',
    'or',
    'unless',
    'on',
    'ignoring',
    'group_left',
    'group_right',
    'offset',
    'bool',
    'clamp_min',
    'clamp_max',
    'absent',
    'time',
    'histogram_quantile',
    'le',
    'topk',
    'bottomk',
    'abs',
    'vector',
    'scalar',
    'label_replace',
    'e',
]);

/** The metric names an expression reads (string literals, label matchers, durations and functions removed). */
export function metricsOf(expr: string): string[] {
    const cleaned = expr
        .replace(/"(?:[^"\\]|\\.)*"/g, '""')
        .replace(/\{[^}]*\}/g, ' ')
        .replace(/\[[^\]]*\]/g, ' ')
        .replace(/\boffset\s+\w+/g, ' ')
        .replace(/\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, ' ');
    const names = cleaned.match(/[a-zA-Z_:][a-zA-Z0-9_:]*/g) ?? [];
    return [...new Set(names.filter(n => !PROMQL_WORDS.has(n) && !/^\d/.test(n)))];
}

/**
 * Problems with the metrics the rules (and dashboards) read: a recording rule's name must be recorded here, an
 * external metric must be listed in {@link EXTERNAL_METRICS}, and every other metric must be in `exported` (the
 * series names a scrape of a running shop returned).
 */
export function metricProblems(
    groups: RuleGroup[],
    extraExpressions: Array<{ where: string; expr: string }>,
    exported: Set<string>,
): string[] {
    const recorded = new Set(groups.flatMap(g => g.rules.flatMap(r => ('record' in r ? [r.record] : []))));
    const exprs = [
        ...groups.flatMap(g =>
            g.rules.map(r => ({ where: 'alert' in r ? r.alert : r.record, expr: r.expr })),
        ),
        ...extraExpressions,
    ];
    const problems: string[] = [];
    for (const { where, expr } of exprs) {
        for (const name of metricsOf(expr)) {
            if (recorded.has(name) || name in EXTERNAL_METRICS || exported.has(name)) {
                continue;
            }
            problems.push(
                `${where}: ${name} is not exported by the shop (nor recorded, nor a listed external metric)`,
            );
        }
    }
    return problems;
}
