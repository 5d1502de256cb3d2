#!/usr/bin/env bash
# Installs Prometheus (promtool) and Alertmanager (amtool) from Debian when missing. Idempotent and quiet.
# The packages' services are not started here (no init system in CI); the tests start what they need.
set -euo pipefail
if command -v promtool >/dev/null && command -v amtool >/dev/null && command -v prometheus >/dev/null; then
    exit 0
fi
SUDO=""
if [ "$(id -u)" != 0 ]; then SUDO="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
# A policy that refuses service starts, so the packages' postinst does not try to launch daemons.
if [ ! -e /usr/sbin/policy-rc.d ]; then
    printf '#!/bin/sh\nexit 101\n' | $SUDO tee /usr/sbin/policy-rc.d >/dev/null
    $SUDO chmod +x /usr/sbin/policy-rc.d
    trap '$SUDO rm -f /usr/sbin/policy-rc.d' EXIT
fi
$SUDO apt-get update -qq >/dev/null
$SUDO apt-get install -y -qq --no-install-recommends prometheus prometheus-alertmanager >/dev/null
promtool --version | head -1
