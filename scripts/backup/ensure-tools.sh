#!/usr/bin/env bash
# Installs what the PostgreSQL backup drill needs from Debian if it is missing: the PostgreSQL server binaries
# (initdb, pg_ctl under /usr/lib/postgresql/<version>/bin) and pgBackRest. Idempotent and quiet.
set -euo pipefail

missing=()
ls /usr/lib/postgresql/*/bin/initdb > /dev/null 2>&1 || missing+=(postgresql)
command -v pgbackrest > /dev/null 2>&1 || missing+=(pgbackrest)
if [ ${#missing[@]} -gt 0 ]; then
    if [ "$(id -u)" -ne 0 ]; then
        echo "backup drill: missing ${missing[*]}; install them with: sudo apt-get install -y ${missing[*]}" >&2
        exit 1
    fi
    echo "installing ${missing[*]} (apt)"
    log="$(mktemp)"
    if ! { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"; } > "$log" 2>&1; then
        cat "$log" >&2
        exit 1
    fi
    rm -f "$log"
fi
pgbackrest version
