#!/usr/bin/env bash
# Clones the committed tree into a temporary folder, runs the README's first command there with nothing set,
# and waits for the Shop API to list products with Persian names and for the Admin UI to load.
set -euo pipefail
src="$(cd "$(dirname "$0")/../.." && pwd)"
work="$(mktemp -d)"
port="${SMOKE_PORT:-3187}"
cleanup() {
    kill -TERM -- -"$pid" 2>/dev/null || true
    for _ in $(seq 1 15); do kill -0 -- -"$pid" 2>/dev/null || break; sleep 1; done
    kill -KILL -- -"$pid" 2>/dev/null || true
    rm -rf "$work"
}
trap cleanup EXIT

git clone -q "$src" "$work/shop"
cd "$work/shop"
env -u DATABASE_URL -u REDIS_URL PORT="$port" SIMULATOR_PORT="$((port + 1))" \
    setsid bash -c 'npm install --no-audit --no-fund && npm start' > "$work/start.log" 2>&1 &
pid=$!

query='{"query":"{ products(options: { take: 3 }) { totalItems items { name } } }"}'
# npm install compiles native modules and `npm run build` compiles the Admin UI: several minutes on 2 cores.
for _ in $(seq 1 900); do
    if body=$(curl -sf -H 'content-type: application/json' -d "$query" "http://127.0.0.1:$port/shop-api" 2>/dev/null); then
        echo "Shop API: $body"
        node -e '
            const { data } = JSON.parse(process.argv[1]);
            if (data.products.totalItems !== 50) throw new Error("expected 50 demo products");
            if (!data.products.items.every(p => /[\u0600-\u06FF]/.test(p.name))) throw new Error("expected Persian names");
        ' "$body"
        curl -sf "http://127.0.0.1:$port/admin/" | grep -q '<base href="/admin/"' || { echo "Admin UI did not load"; exit 1; }
        grep -q 'Admin UI: compiled' "$work/start.log" || { echo "npm start did not compile the Admin UI extensions"; exit 1; }
        if grep -q 'without the project extensions' "$work/start.log"; then echo "Admin UI served without extensions"; exit 1; fi
        curl -sf -o /dev/null "http://127.0.0.1:$port/support-chat/widget.js" || { echo "chat widget not served"; exit 1; }
        curl -sf "http://127.0.0.1:$port/storefront/chat" | grep -q 'support-chat/widget.js' || { echo "chat demo page missing"; exit 1; }
        curl -sf "http://127.0.0.1:$port/health"
        echo
        echo "smoke test passed"
        exit 0
    fi
    if ! kill -0 "$pid" 2>/dev/null; then
        echo "npm start exited early:"; tail -50 "$work/start.log"; exit 1
    fi
    sleep 1
done
echo "the Shop API did not answer within 900 s:"; tail -50 "$work/start.log"; exit 1
