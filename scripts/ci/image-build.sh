#!/usr/bin/env bash
# Builds docker/Dockerfile with podman (layers cached under $SHOP_CI_CACHE, /var/tmp/iran-shop-ci by default) and
# prints the build time and the image size, total and above the base image.
# Usage: scripts/ci/image-build.sh [tag]   (default iran-shop-server:ci)
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
source "$root/scripts/ci/podman-env.sh"
tag="${1:-iran-shop-server:ci}"
BASE=docker.io/library/node:22-bookworm-slim

bash "$root/scripts/ci/base-image.sh"

cd "$root"
version="$(node -p 'require("./package.json").version')"
revision="$(git rev-parse HEAD 2>/dev/null || echo unknown)"
start=$(date +%s)
# docker format: OCI images drop HEALTHCHECK. --network host: RUN steps reach the npm registry and Debian.
args=(--build-arg "VERSION=$version" --build-arg "REVISION=$revision")
# This machine's extra CA (a TLS-intercepting egress proxy), if any, for npm inside the build.
if [ -n "${NODE_EXTRA_CA_CERTS:-}" ] && [ -f "$NODE_EXTRA_CA_CERTS" ]; then
    args+=(--volume "$NODE_EXTRA_CA_CERTS:/run/build-ca.crt:ro" --build-arg NODE_EXTRA_CA_CERTS=/run/build-ca.crt)
fi
if ! pm build --format docker --network host --layers -f docker/Dockerfile -t "$tag" "${args[@]}" . \
    > "$SHOP_CI_CACHE_LOG" 2>&1; then
    tail -60 "$SHOP_CI_CACHE_LOG"
    echo "image build failed (full log: $SHOP_CI_CACHE_LOG)"
    exit 1
fi
took=$(( $(date +%s) - start ))
total=$(pm image inspect --format '{{.Size}}' "$tag")
base=$(pm image inspect --format '{{.Size}}' "$BASE")
mb() { awk -v b="$1" 'BEGIN { printf "%.0f MB", b / 1e6 }'; }
echo "image $tag built in ${took} s: $(mb "$total") total, $(mb $((total - base))) above the base ($(mb "$base"), a local stand-in here)"
