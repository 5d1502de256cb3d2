#!/usr/bin/env bash
# Deploys an image to an overlay (staging or production) with the current kubectl context:
#   scripts/deploy/k8s-deploy.sh production ghcr.io/iran-shop/iran-shop-server:0.4.2
# 1. sets the overlay's image and renders it;
# 2. applies everything but the server and worker Deployments, and runs the migration Job to completion
#    (a failed migration stops here: the running release is untouched);
# 3. applies the rest and waits for the rollout (new pods drain the old ones: preStop + SHUTDOWN_DRAIN_SECONDS).
# Rollback: run it again with the previous tag (README "Rollback"); the release workflow does the same.
set -euo pipefail
overlay="${1:?usage: k8s-deploy.sh staging|production IMAGE:TAG}"
image="${2:?usage: k8s-deploy.sh staging|production IMAGE:TAG}"
root="$(cd "$(dirname "$0")/../.." && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

cp -r "$root/k8s" "$work/k8s"
(cd "$work/k8s/overlays/$overlay" && kustomize edit set image "iran-shop-server=$image")
kubectl kustomize "$work/k8s/overlays/$overlay" > "$work/rendered.yaml"
namespace=$(sed -n 's/^namespace: *//p' "$work/k8s/overlays/$overlay/kustomization.yaml")
echo "deploying $image to $overlay (namespace $namespace)"

# A Job's pod template cannot change: the previous release's migration Job goes first.
kubectl -n "$namespace" delete job shop-migrate --ignore-not-found --wait=true
kubectl apply -f "$work/rendered.yaml" -l 'app.kubernetes.io/name notin (shop-server,shop-worker)'
if ! kubectl -n "$namespace" wait --for=condition=complete job/shop-migrate --timeout=15m; then
    kubectl -n "$namespace" logs job/shop-migrate --tail=50 || true
    echo "migration failed: the running release is unchanged"
    exit 1
fi
kubectl apply -f "$work/rendered.yaml"
kubectl -n "$namespace" rollout status deployment/shop-server --timeout=15m
kubectl -n "$namespace" rollout status deployment/shop-worker --timeout=15m
echo "$image is live in $overlay"
