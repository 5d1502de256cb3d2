#!/usr/bin/env bash
# End-to-end with a real Prometheus (issue 16): the services profile (server + forked worker, PostgreSQL + Redis)
# runs with metrics on; Prometheus scrapes both with the project's config (docker/monitoring/prometheus/prometheus.yml,
# only the targets' ports and the intervals changed for a short test) and evaluates the project's rules.
# Traffic: checkouts paid through the Zibal simulator, then a failing Postex. Read through Prometheus's HTTP API:
# the shop's series exist for server and worker, and PostexBreakerOpen becomes pending (or firing).
set -euo pipefail
cd "$(dirname "$0")/../.."
PG_URL="${DATABASE_URL:-postgresql://postgres@127.0.0.1:5432/postgres}"
REDIS="${REDIS_URL:-redis://127.0.0.1:6379}"
bash scripts/ci/ensure-prometheus.sh

work=$(mktemp -d)
base=$((20000 + RANDOM % 20000))
port=$base metrics=$((base + 1)) worker_metrics=$((base + 2)) sim=$((base + 3)) prom=$((base + 4))
db="prom_e2e_$$"
shop_pid="" prom_pid="" traffic_pid=""
cleanup() {
    [ -n "$traffic_pid" ] && kill "$traffic_pid" 2>/dev/null || true
    [ -n "$prom_pid" ] && kill "$prom_pid" 2>/dev/null || true
    if [ -n "$shop_pid" ]; then
        kill -TERM -- -"$shop_pid" 2>/dev/null || true
        for _ in $(seq 1 15); do kill -0 -- -"$shop_pid" 2>/dev/null || break; sleep 1; done
        kill -KILL -- -"$shop_pid" 2>/dev/null || true
    fi
    psql -q "$PG_URL" -c "drop database if exists $db" >/dev/null 2>&1 || true
    rm -rf "$work"
}
trap cleanup EXIT

echo "--- build (TypeScript only) and start the services profile with metrics on"
npx tsc -p tsconfig.json
psql -q "$PG_URL" -c "create database $db" >/dev/null
db_url="${PG_URL%/*}/$db"
DATABASE_URL="$db_url" REDIS_URL="$REDIS" REDIS_PREFIX="$db" PORT=$port SIMULATOR_PORT=$sim \
    METRICS_PORT=$metrics WORKER_METRICS_PORT=$worker_metrics LOG_FORMAT=json LOG_LEVEL=warn \
    setsid node dist/src/main.js > "$work/shop.log" 2>&1 &
shop_pid=$!
ready=""
for _ in $(seq 1 180); do
    if curl -sf "http://127.0.0.1:$worker_metrics/metrics" >/dev/null 2>&1 &&
        curl -sf -H 'content-type: application/json' -d '{"query":"{ products(options: { take: 1 }) { totalItems } }"}' \
            "http://127.0.0.1:$port/shop-api" 2>/dev/null | grep -q '"totalItems":[1-9]'; then
        ready=1
        break
    fi
    kill -0 "$shop_pid" 2>/dev/null || { echo "the shop exited:"; tail -40 "$work/shop.log"; exit 1; }
    sleep 1
done
[ -n "$ready" ] || { echo "the shop did not start within 180 s:"; tail -40 "$work/shop.log"; exit 1; }
echo "server metrics: $(curl -s "http://127.0.0.1:$metrics/metrics" | grep -c '^shop_') shop_ samples;" \
    "worker metrics: $(curl -s "http://127.0.0.1:$worker_metrics/metrics" | grep -c '^shop_') shop_ samples"

echo "--- Prometheus with the project's scrape config and rules"
sed -e "s/127.0.0.1:9464/127.0.0.1:$metrics/" -e "s/127.0.0.1:9465/127.0.0.1:$worker_metrics/" \
    -e 's/scrape_interval: 15s/scrape_interval: 2s/' -e 's/evaluation_interval: 15s/evaluation_interval: 2s/' \
    -e "s|rules/shop.rules.yml|$PWD/docker/monitoring/prometheus/rules/shop.rules.yml|" \
    docker/monitoring/prometheus/prometheus.yml > "$work/prometheus.yml"
prometheus --config.file="$work/prometheus.yml" --storage.tsdb.path="$work/tsdb" \
    --web.listen-address="127.0.0.1:$prom" --log.level=warn > "$work/prometheus.log" 2>&1 &
prom_pid=$!

echo "--- traffic: 3 checkouts paid through Zibal, then Postex failing"
node dist/scripts/monitoring/drive-traffic.js "http://127.0.0.1:$port" "http://127.0.0.1:$sim" 3 150 > "$work/traffic.log" 2>&1 &
traffic_pid=$!
for _ in $(seq 1 120); do grep -q '^quote 1' "$work/traffic.log" && break; kill -0 $traffic_pid 2>/dev/null || break; sleep 1; done
cat "$work/traffic.log"
grep -q '^quote 1' "$work/traffic.log" || { echo "traffic failed"; exit 1; }

echo "--- what Prometheus sees"
api() { curl -sfG "http://127.0.0.1:$prom/api/v1/$1" "${@:2}"; }
value() {
    api query --data-urlencode "query=$1" | node -e '
        let s = ""; process.stdin.on("data", d => (s += d)).on("end", () => {
            const r = JSON.parse(s).data.result; console.log(r.length ? r[0].value[1] : "none");
        })'
}
alerts() {
    api alerts | node -e '
        let s = ""; process.stdin.on("data", d => (s += d)).on("end", () =>
            console.log(JSON.parse(s).data.alerts.map(a => a.labels.alertname + "=" + a.state).join(", ")))'
}
QUERIES=(
    'sum(up{job=~"shop-server|shop-worker"})'
    'sum(shop_orders_placed_total)'
    'max(shop:zibal_attempts:by_state{state="settled"})'
    'max(shop_postex_breaker_state{state="open"})'
    'count(shop_job_queue_waiting_jobs{job="shop-worker"})'
    'sum(shop_job_queue_jobs_total{job="shop-worker",outcome="completed"})'
)
EXPECT=(2 3 3 1 any any)
deadline=$(($(date +%s) + 120))
while :; do
    ok=1
    for i in "${!QUERIES[@]}"; do
        v=$(value "${QUERIES[$i]}")
        if [ "$v" = none ] || { [ "${EXPECT[$i]}" != any ] && [ "$v" != "${EXPECT[$i]}" ]; }; then ok=""; fi
    done
    if [ -n "$ok" ] && alerts | grep -Eq 'PostexBreakerOpen=(pending|firing)'; then break; fi
    if [ "$(date +%s)" -gt "$deadline" ]; then
        echo "Prometheus did not see it all within 120 s:"
        for q in "${QUERIES[@]}"; do echo "  $q = $(value "$q")"; done
        echo "  alerts: $(alerts)"
        tail -20 "$work/shop.log"
        exit 1
    fi
    sleep 2
done
for q in "${QUERIES[@]}" 'sum(shop_graphql_operations_total{operation="createZibalPaymentIntent"})' \
    'sum(shop_postex_quotes_total{source="fallback"})' \
    'count(count by (__name__) ({job="shop-server",__name__=~"shop_.*"}))' \
    'count(count by (__name__) ({job="shop-worker",__name__=~"shop_.*"}))'; do
    echo "  $q = $(value "$q")"
done
echo "  alerts: $(alerts)"
echo "real-Prometheus test passed"
