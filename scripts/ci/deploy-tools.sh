#!/usr/bin/env bash
# Installs what the deployment tests (test/deploy/*.spec.ts) need and the project does not depend on: kubectl
# (its built-in kustomize renders the overlays), docker-compose (validates docker/compose.yaml), and pinned npm
# validators (Kubernetes and operator schemas, GitHub's workflow parser) in a folder outside node_modules, so the
# app's dependency tree stays as it is. Prints the folder; the tests find it there (DEPLOY_TOOLS_DIR).
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
dir="${DEPLOY_TOOLS_DIR:-/var/tmp/iran-shop-ci/deploy-tools}"
packages=(
    kubernetes-models@5.1.0
    @kubernetes-models/cert-manager@6.0.0
    @kubernetes-models/external-secrets@2.0.0
    @kubernetes-models/prometheus-operator@6.0.0
    @actions/workflow-parser@0.3.61
    yaml@2.9.1
)
apt_missing=()
command -v docker-compose > /dev/null || apt_missing+=(docker-compose)
if ! command -v kubectl > /dev/null; then
    # Debian's own kubernetes-client (1.20) is too old for these overlays; the kubectl package comes from the
    # Kubernetes/Google Cloud apt repository where one is configured (CI machines here ship kubectl 1.32).
    apt_missing+=(kubectl)
fi
if [ ${#apt_missing[@]} -gt 0 ]; then
    echo "installing ${apt_missing[*]} (apt)"
    apt-get update -qq > /dev/null
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${apt_missing[@]}" > /dev/null
fi
stamp="$dir/.installed"
if [ "$(cat "$stamp" 2>/dev/null)" != "${packages[*]}" ]; then
    rm -rf "$dir"
    mkdir -p "$dir"
    echo '{"private":true}' > "$dir/package.json"
    npm install --prefix "$dir" --no-audit --no-fund --no-save --loglevel=error "${packages[@]}" > /dev/null
    # GitHub's parser is an ES module that imports its JSON schema without import attributes (it expects a
    # bundler): bundled once into CommonJS with the project's esbuild.
    "$root/node_modules/.bin/esbuild" --bundle --platform=node --format=cjs --log-level=warning \
        "$dir/node_modules/@actions/workflow-parser/dist/index.js" --outfile="$dir/workflow-parser.cjs"
    echo "${packages[*]}" > "$stamp"
fi
echo "deploy test tools in $dir; $(kubectl version --client 2>/dev/null | head -2 | tr '\n' ' ')$(docker-compose version --short)"
