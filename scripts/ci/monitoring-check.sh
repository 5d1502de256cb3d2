#!/usr/bin/env bash
# Observability checks (issue 16), run by .ci/run:
# 1. the rule files, the PrometheusRule and the promtool tests are what scripts/monitoring/alert-rules.ts renders;
# 2. promtool check rules + promtool test rules (every alert fires when it should and stays silent otherwise);
# 3. amtool check-config and the routing of page/ticket alerts;
# 4. a running shop (PostgreSQL + Redis/BullMQ when their URLs are given) is scraped after traffic
#    (test/metrics.e2e-spec.ts), and every metric a rule or dashboard reads must be among its series, every
#    runbook_url must point at a heading of docs/runbook.md;
# 5. no log line of that run (at debug level) holds a phone number, OTP code, session token, provider key or card number.
set -euo pipefail
cd "$(dirname "$0")/../.."

bash scripts/ci/ensure-prometheus.sh

echo "--- rules rendered from scripts/monitoring/alert-rules.ts"
npx esbuild scripts/monitoring/alert-rules.ts --bundle --platform=node --packages=external --log-level=warning \
    --outfile=dist/monitoring/alert-rules.js
node dist/monitoring/alert-rules.js check

echo "--- promtool"
promtool check rules docker/monitoring/prometheus/rules/shop.rules.yml
promtool check config docker/monitoring/prometheus/prometheus.yml
start=$(date +%s)
(cd docker/monitoring/prometheus/tests && promtool test rules shop.test.yml)
echo "promtool test rules: $(($(date +%s) - start)) s"

echo "--- amtool"
amtool check-config docker/monitoring/alertmanager/alertmanager.yml
route() { amtool config routes test --config.file=docker/monitoring/alertmanager/alertmanager.yml "$@" 2>/dev/null; }
[ "$(route severity=page alertname=ShopServerDown)" = pager ] || { echo "page alerts must go to the pager"; exit 1; }
[ "$(route severity=ticket alertname=ZibalRefundDue)" = ticket ] || { echo "ticket alerts must go to tickets"; exit 1; }
echo "routing: page -> pager, ticket -> ticket"

echo "--- metrics of the rules and dashboards are exported by a running shop; runbook headings exist; no secret in its logs"
families=$(mktemp) secrets=$(mktemp) run_log=$(mktemp)
trap 'rm -f "$families" "$secrets" "$run_log"' EXIT
# Debug level: the most the shop ever logs. The run's output (with the shop's JSON lines) is kept for the scan.
LOG_LEVEL=debug METRICS_FAMILIES_OUT="$families" LOG_SECRETS_OUT="$secrets" \
    npx vitest run --project e2e test/metrics.e2e-spec.ts > "$run_log" 2>&1 || { tail -80 "$run_log"; exit 1; }
grep -E 'Test Files|Tests ' "$run_log"
node dist/monitoring/alert-rules.js verify "$families"
npx esbuild scripts/monitoring/log-secrets.ts --bundle --platform=node --packages=external --log-level=warning \
    --outfile=dist/monitoring/log-secrets.js
node dist/monitoring/log-secrets.js "$run_log" "$secrets"
