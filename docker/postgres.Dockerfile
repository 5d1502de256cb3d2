# PostgreSQL 16 with pgBackRest for WAL archiving and backups (docker/postgres/pgbackrest.conf).
FROM postgres:16-bookworm
RUN apt-get update -qq \
    && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends pgbackrest ca-certificates >/dev/null \
    && rm -rf /var/lib/apt/lists/* \
    && install -d -o postgres -g postgres -m 0750 /var/log/pgbackrest /var/lib/pgbackrest /var/spool/pgbackrest
