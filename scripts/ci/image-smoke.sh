#!/usr/bin/env bash
# Runs the image built by scripts/ci/image-build.sh the way production runs it: server and worker containers as
# uid 1000 with a read-only root filesystem (only a tmpfs /tmp and the data volume writable), on a fresh database
# on this machine's PostgreSQL and on its Redis (own key prefix). Then:
#   1. both health endpoints answer, and the image's HEALTHCHECK passes;
#   2. an order is placed through the Shop API with cash on delivery, and the worker completes the jobs;
#   3. SIGTERM to the server during 20 concurrent requests: none that was accepted is lost, and the container
#      exits 0 within its grace period; the worker stops within its grace period too;
#   4. production mode with a required secret missing stops the container at start, naming the variable.
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
source "$root/scripts/ci/podman-env.sh"
image="${1:-iran-shop-server:ci}"
PG="${CI_DATABASE_URL:-postgresql://postgres@127.0.0.1:5432/postgres}"
REDIS="${CI_REDIS_URL:-redis://127.0.0.1:6379}"
port="${IMAGE_SMOKE_PORT:-3290}"
worker_port=$((port + 1))
sim_port=$((port + 2))
grace=30
run_id="imgsmoke$$"
db="shop_${run_id}"
data="$(mktemp -d)"
server="shop-smoke-server-$$"
worker="shop-smoke-worker-$$"

pm image exists "$image" || bash "$root/scripts/ci/image-build.sh" "$image"

cleanup() {
    pm rm -f -t 0 "$server" "$worker" > /dev/null 2>&1 || true
    psql "$PG" -qc "DROP DATABASE IF EXISTS \"$db\" WITH (FORCE)" > /dev/null 2>&1 || true
    redis-cli -u "$REDIS" --scan --pattern "${run_id}*" | xargs -r redis-cli -u "$REDIS" del > /dev/null 2>&1 || true
    rm -rf "$data"
}
trap cleanup EXIT

psql "$PG" -qc "CREATE DATABASE \"$db\""
db_url="${PG%/*}/$db"
chown 1000:1000 "$data"

# Development mode: the server runs the provider simulators in-process and seeds the demo shop; the worker is
# pointed at the server's simulators. Everything else is as in production.
common=(--network host --user 1000:1000 --read-only --read-only-tmpfs=false --tmpfs /tmp:rw,size=64m,mode=1777
    -v "$data:/var/lib/shop" -e APP_ENV=development -e NODE_ENV=development -e HOST=127.0.0.1 -e LOG_FORMAT=json -e LOG_LEVEL=info
    -e "DATABASE_URL=$db_url" -e "REDIS_URL=$REDIS" -e "REDIS_PREFIX=$run_id" -e DB_POOL_SIZE=5
    -e "PORT=$port" -e "WORKER_HEALTH_PORT=$worker_port" -e "SIMULATOR_PORT=$sim_port")
sim="http://127.0.0.1:$sim_port"
start=$(date +%s)
pm run -d --name "$server" "${common[@]}" -e SEED_ON_START=true -e "SHUTDOWN_DRAIN_SECONDS=$((grace - 5))" \
    "$image" server > /dev/null
pm run -d --name "$worker" "${common[@]}" -e SEED_ON_START=false \
    -e "ZIBAL_API_URL=$sim/zibal" -e "ZIBAL_PLATFORM_URL=$sim/zibal-api" -e "SMSIR_API_URL=$sim/smsir" \
    -e "POSTEX_API_URL=$sim/postex/api/v1" "$image" worker > /dev/null

wait_health() {
    local name="$1" url="$2"
    for _ in $(seq 1 180); do
        if curl -sf "$url" > /dev/null; then return 0; fi
        if [ "$(pm inspect --format '{{.State.Running}}' "$name")" != "true" ]; then
            echo "$name exited:"; pm logs --tail 40 "$name"; return 1
        fi
        sleep 1
    done
    echo "$name: $url did not answer within 180 s"; pm logs --tail 40 "$name"; return 1
}
wait_health "$server" "http://127.0.0.1:$port/health"
wait_health "$worker" "http://127.0.0.1:$worker_port/health"
echo "server health: $(curl -s "http://127.0.0.1:$port/health")"
echo "worker health: $(curl -s "http://127.0.0.1:$worker_port/health")"
curl -sf "http://127.0.0.1:$port/health/live" > /dev/null && curl -sf "http://127.0.0.1:$worker_port/health/live" > /dev/null ||
    { echo "a liveness endpoint (/health/live) did not answer"; exit 1; }
echo "both healthy (and live) $(( $(date +%s) - start )) s after start"
for c in "$server" "$worker"; do
    pm healthcheck run "$c" > /dev/null || { echo "HEALTHCHECK of $c failed"; exit 1; }
    user=$(pm exec "$c" id -u)
    [ "$user" = 1000 ] || { echo "$c runs as uid $user"; exit 1; }
    if pm exec "$c" touch /app/probe 2> /dev/null; then echo "$c: the root filesystem is writable"; exit 1; fi
done
echo "HEALTHCHECK passes in both; both run as uid 1000 on a read-only root filesystem"

node "$root/scripts/ci/image-smoke-client.mjs" order "http://127.0.0.1:$port"

# Memory for the Kubernetes requests/limits (k8s/base): resident now and at its peak, after start, seed and order.
for c in "$server" "$worker"; do
    p=$(pm inspect --format '{{.State.Pid}}' "$c")
    echo "memory of ${c%-*}: $(awk '/^VmRSS/ { r = $2 } /^VmHWM/ { h = $2 } END { printf "%d MB resident, %d MB peak", r / 1024, h / 1024 }' "/proc/$p/status")"
done

pid=$(pm inspect --format '{{.State.Pid}}' "$server")
signalled=$(date +%s%N)
node "$root/scripts/ci/image-smoke-client.mjs" drain "http://127.0.0.1:$port" "$pid" 20
code=$(timeout "$grace" podman --runtime /usr/sbin/runc --root "$SHOP_CI_CACHE/storage" --runroot "$SHOP_CI_CACHE/run" \
    --storage-driver overlay wait "$server" || echo timeout)
took=$(( ($(date +%s%N) - signalled) / 1000000 ))
pm logs "$server" 2>&1 | grep -E '"context":"Shutdown"' | sed 's/^/  server log: /' | cut -c1-200 || true
if [ "$code" != 0 ]; then
    echo "server did not exit 0 within the ${grace} s grace period (exit: $code)"; pm logs --tail 30 "$server"; exit 1
fi
echo "server exited 0, ${took} ms after SIGTERM (grace period ${grace} s)"

signalled=$(date +%s%N)
pm stop -t "$grace" "$worker" > /dev/null
code=$(pm inspect --format '{{.State.ExitCode}}' "$worker")
took=$(( ($(date +%s%N) - signalled) / 1000000 ))
[ "$code" = 0 ] || [ "$code" = 143 ] || { echo "worker exit code $code"; pm logs --tail 30 "$worker"; exit 1; }
[ "$took" -lt $((grace * 1000)) ] || { echo "worker needed the whole grace period"; exit 1; }
echo "worker stopped on SIGTERM in ${took} ms (exit $code)"

# A production container without its secrets stops at once and names them.
out=$(pm run --rm --network host --user 1000:1000 --read-only --tmpfs /tmp -e "DATABASE_URL=$db_url" \
    -e "REDIS_URL=$REDIS" "$image" server 2>&1 || true)
for var in COOKIE_SECRET SUPERADMIN_PASSWORD SMTP_URL; do
    grep -q "$var" <<< "$out" || { echo "production start without $var did not name it:"; echo "$out"; exit 1; }
done
echo "production mode without secrets refuses to start: $(grep -c '^  - ' <<< "$out") problems named (COOKIE_SECRET, ...)"
echo "image smoke test passed"
