#!/usr/bin/env bash
# CI: the PostgreSQL restore drill (docs/disaster-recovery.md). Installs PostgreSQL's server binaries and pgBackRest
# from Debian when missing, builds, and runs `npm run backup:drill`, which prints the measured RPO and RTO and exits
# non-zero on any difference between the restored shop and the state it was restored to.
set -euo pipefail
cd "$(dirname "$0")/../.."
start=$(date +%s)
npm run --silent backup:drill
echo "backup drill with build: $(( $(date +%s) - start )) s"
