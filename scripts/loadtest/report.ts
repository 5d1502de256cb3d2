import type { PoolWaits, SqlStat } from './probe-protocol';
import type { ProfileSummary } from './profile-summary';

export interface ProcessUsage {
    /** Mean CPU over the step, % of one core (200 = both cores of this machine). */
    cpu: number;
    /** Largest resident set seen in the step, MB. */
    rssMb: number;
}

export interface StepResult {
    concurrency: number;
    seconds: number;
    iterations: number;
    iterationsPerSecond: number;
    requests: number;
    requestsPerSecond: number;
    /** Request latency percentiles, ms. */
    p50: number;
    p95: number;
    p99: number;
    /** Whole-iteration latency percentiles, ms (for flows; a browse visit is four requests). */
    iterationP50: number;
    iterationP95: number;
    errorRate: number;
    errors: Record<string, number>;
    /** CPU and memory by role: server (sum over servers, largest RSS), worker, simulators, postgres, loadgen. */
    usage: Record<string, ProcessUsage>;
    sql: { queries: number; queriesPerRequest: number; sqlMsPerRequest: number; poolWaits: PoolWaits };
    /** The largest `shop_db_pool_waiting_requests` any server's /metrics showed during the step. */
    poolWaitingMax: number;
    /** The machine's 1-minute load average at the end of the step (2 cores: above 2 the processes queue for CPU). */
    loadAverage: number;
}

export interface ScenarioResult {
    name: string;
    iteration: string;
    steps: StepResult[];
    /** Concurrency of the last step whose throughput rose ≥ 10 % over the step before (where it saturates). */
    knee: number;
    kneeReason: string;
    errorRate: number;
    /** Statements by total time over the whole ramp, all servers. */
    sql: SqlStat[];
    profile?: { concurrency: number; seconds: number; file: string; summary: ProfileSummary; sql: SqlStat[] };
}

export interface RunReport {
    startedAt: string;
    command: string;
    machine: { cpus: number; model: string; memoryGb: number; node: string; postgres: string };
    servers: number;
    serverEnv: Record<string, string>;
    quick: boolean;
    stepSeconds: number;
    seconds: number;
    scenarios: ScenarioResult[];
    notes: string[];
    passed: boolean;
    maxErrorRate: number;
}

/** The knee of a ramp: the last step whose throughput still rose by 10 % or more over the one before. */
export function findKnee(steps: StepResult[]): { knee: number; reason: string } {
    let k = 0;
    for (let i = 1; i < steps.length; i++) {
        if (steps[i].iterationsPerSecond >= 1.1 * steps[i - 1].iterationsPerSecond) {
            k = i;
        } else {
            break;
        }
    }
    const s = steps[k];
    const next = steps[k + 1];
    const reason = next
        ? `throughput ${f(s.iterationsPerSecond)} → ${f(next.iterationsPerSecond)} iterations/s from ${s.concurrency} to ${next.concurrency} concurrent, p95 ${f(s.p95, 0)} → ${f(next.p95, 0)} ms`
        : `throughput still rising at the last step (${s.concurrency} concurrent): the knee is beyond the ramp`;
    return { knee: s.concurrency, reason };
}

/** Sums the statement stats of several servers or steps by statement. */
export function mergeSql(lists: SqlStat[][], top = 15): SqlStat[] {
    const by = new Map<string, SqlStat>();
    for (const s of lists.flat()) {
        const m = by.get(s.statement);
        if (m) {
            m.count += s.count;
            m.totalMs += s.totalMs;
            m.maxMs = Math.max(m.maxMs, s.maxMs);
        } else {
            by.set(s.statement, { ...s });
        }
    }
    return [...by.values()].sort((a, b) => b.totalMs - a.totalMs).slice(0, top);
}

export function f(n: number, digits = 1): string {
    return Number.isFinite(n) ? n.toFixed(digits) : 'n/a';
}

const pct = (n: number) => `${f(100 * n, 2)} %`;
const cell = (s: string) => s.replace(/\|/g, '\\|');

function sqlTable(stats: SqlStat[], rows: number): string[] {
    return [
        '| total ms | calls | mean ms | max ms | statement (first 160 characters) |',
        '| ---: | ---: | ---: | ---: | --- |',
        ...stats
            .slice(0, rows)
            .map(
                s =>
                    `| ${f(s.totalMs, 0)} | ${s.count} | ${f(s.totalMs / s.count, 2)} | ${f(s.maxMs, 1)} | \`${cell(s.statement.slice(0, 160))}\` |`,
            ),
    ];
}

export function renderMarkdown(r: RunReport): string {
    const out: string[] = [];
    out.push(`# Load test report (${r.startedAt})`, '');
    out.push(
        `Command: \`${r.command}\`; ${r.servers} server process(es) + 1 worker, PostgreSQL ${r.machine.postgres}, Redis; ` +
            `${r.quick ? 'quick' : 'full'} run, ${r.stepSeconds} s per step, ${f(r.seconds, 0)} s in all. ` +
            `Machine: ${r.machine.cpus} × ${r.machine.model}, ${f(r.machine.memoryGb, 0)} GB, Node ${r.machine.node}. ` +
            `Server env: ${
                Object.keys(r.serverEnv).length
                    ? Object.entries(r.serverEnv)
                          .map(([k, v]) => `${k}=${v}`)
                          .join(' ')
                    : '(defaults)'
            }. ` +
            `Result: **${r.passed ? 'passed' : 'FAILED'}** (error rate limit ${pct(r.maxErrorRate)} per scenario).`,
        '',
    );
    out.push('## Summary at the knee', '');
    out.push(
        '| scenario | knee (concurrent) | iterations/s | requests/s | p50 ms | p95 ms | p99 ms | errors | server CPU % | server RSS MB |',
    );
    out.push('| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
    for (const s of r.scenarios) {
        const k = s.steps.find(x => x.concurrency === s.knee)!;
        out.push(
            `| ${s.name} | ${s.knee} | ${f(k.iterationsPerSecond)} | ${f(k.requestsPerSecond)} | ${f(k.p50, 0)} | ${f(k.p95, 0)} | ${f(k.p99, 0)} | ${pct(s.errorRate)} | ${f(k.usage.server?.cpu ?? NaN, 0)} | ${f(k.usage.server?.rssMb ?? NaN, 0)} |`,
        );
    }
    out.push('');
    for (const s of r.scenarios) {
        out.push(`## ${s.name}`, '', `One iteration: ${s.iteration}.`, '');
        out.push(`Knee: **${s.knee} concurrent** — ${s.kneeReason}.`, '');
        out.push(
            '| concurrent | iter/s | req/s | p50 | p95 | p99 ms | iter p50 | iter p95 ms | errors | server CPU % | RSS MB | worker CPU % | PostgreSQL CPU % | loadgen CPU % | SQL/req | SQL ms/req | pool wait max ms | load avg |',
        );
        out.push(
            '| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
        );
        for (const st of s.steps) {
            const u = (role: string) => st.usage[role];
            out.push(
                `| ${st.concurrency} | ${f(st.iterationsPerSecond)} | ${f(st.requestsPerSecond)} | ${f(st.p50, 0)} | ${f(st.p95, 0)} | ${f(st.p99, 0)} | ${f(st.iterationP50, 0)} | ${f(st.iterationP95, 0)} | ${pct(st.errorRate)} | ${f(u('server')?.cpu ?? NaN, 0)} | ${f(u('server')?.rssMb ?? NaN, 0)} | ${f(u('worker')?.cpu ?? NaN, 0)} | ${f(u('postgres')?.cpu ?? NaN, 0)} | ${f(u('loadgen')?.cpu ?? NaN, 0)} | ${f(st.sql.queriesPerRequest)} | ${f(st.sql.sqlMsPerRequest)} | ${f(st.sql.poolWaits.maxMs, 0)} | ${f(st.loadAverage)} |`,
            );
        }
        const errors = new Map<string, number>();
        for (const st of s.steps) {
            for (const [k, n] of Object.entries(st.errors)) {
                errors.set(k, (errors.get(k) ?? 0) + n);
            }
        }
        if (errors.size) {
            out.push('', 'Errors:', '', ...[...errors].map(([k, n]) => `- ${n} × ${k}`));
        }
        out.push('', 'SQL over the ramp (all servers), by total time:', '', ...sqlTable(s.sql, 5), '');
        if (s.profile) {
            const p = s.profile;
            out.push(
                `CPU profile of server 0 over ${f(p.seconds, 0)} s at ${p.concurrency} concurrent (busy ${f(p.summary.busyPercent, 0)} % of the window; \`${p.file}\`):`,
                '',
                '| self time by module | % of busy |',
                '| --- | ---: |',
                ...p.summary.modules.slice(0, 10).map(m => `| ${cell(m.name)} | ${f(m.percent)} |`),
                '',
                '| self time by function | % of busy |',
                '| --- | ---: |',
                ...p.summary.functions.slice(0, 12).map(m => `| \`${cell(m.name)}\` | ${f(m.percent)} |`),
                '',
                'Slowest SQL in the profile window (all servers), by total time:',
                '',
                ...sqlTable(p.sql, 8),
                '',
            );
        }
    }
    if (r.notes.length) {
        out.push('## Notes', '', ...r.notes.map(n => `- ${n}`), '');
    }
    return out.join('\n');
}
