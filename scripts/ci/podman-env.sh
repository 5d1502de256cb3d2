#!/usr/bin/env bash
# Sourced by the image scripts: installs podman (runc + cgroupfs, see docs/deployment.md) once, and defines `pm`,
# podman with the project's fixed storage and build cache under /var/tmp, so layers survive between CI runs.
set -euo pipefail

SHOP_CI_CACHE="${SHOP_CI_CACHE:-/var/tmp/iran-shop-ci}"
CI_CACHE="$SHOP_CI_CACHE"
SHOP_CI_CACHE_LOG="$SHOP_CI_CACHE/last-build.log"
mkdir -p "$CI_CACHE"

if ! command -v podman >/dev/null || [ ! -x /usr/sbin/runc ] || ! command -v debootstrap >/dev/null; then
    echo "installing podman, runc and debootstrap (Debian)"
    apt-get update -qq >/dev/null
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq podman runc debootstrap uidmap >/dev/null
fi

# crun fails on these machines ("cgroups in hybrid mode"); runc with the cgroupfs manager works.
export CONTAINERS_CONF="$CI_CACHE/containers.conf"
cat > "$CONTAINERS_CONF" <<'CONF'
[containers]
default_ulimits = []
pids_limit = 0
[engine]
cgroup_manager = "cgroupfs"
CONF

pm() {
    podman --runtime /usr/sbin/runc --root "$CI_CACHE/storage" --runroot "$CI_CACHE/run" \
        --storage-driver overlay "$@"
}
