#!/bin/sh
# The image's command: `server` (default), `worker`, `migrate`, `health` (the HEALTHCHECK), or any other command.
set -e
cd /app
case "${1:-server}" in
    server) shift 2>/dev/null || true; exec node dist/src/server.js "$@" ;;
    worker) shift; exec node dist/src/worker.js "$@" ;;
    migrate) shift; exec node dist/scripts/migration.js run "$@" ;;
    health) exec node dist/src/health/probe.js ;;
    *) exec "$@" ;;
esac
