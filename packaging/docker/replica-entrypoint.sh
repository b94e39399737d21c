#!/bin/bash
# Runs a streaming replica of PRIMARY_HOST. The first start (no data directory
# yet) clones the primary with pg_basebackup; every start then execs postgres
# as a hot standby, passing this script's arguments on (e.g. -c port=5433).
#
# The entrypoint of the replica in docker-compose.db.yml, and plain shell that
# runs the same way outside Docker, as the account that owns PGDATA.
#
#   PGDATA                     data directory (default /var/lib/postgresql/data/pgdata);
#                              its parent must be writable: the clone is made next to
#                              it and renamed into place, so an interrupted clone never
#                              looks like a data directory
#   PRIMARY_HOST, PRIMARY_PORT the primary (default postgres-primary, 5432)
#   REPLICATION_USER           role with REPLICATION (default replicator)
#   REPLICATION_PASSWORD       its password (required for the first start)
#   REPLICATION_SLOT           physical slot on the primary (default pulse_replica)
#   REPLICA_BOOTSTRAP_TIMEOUT  seconds to keep retrying while the primary is not
#                              ready (default 120)
#   PG_BINDIR                  directory of the PostgreSQL programs, if not on PATH
set -euo pipefail

PGDATA=${PGDATA:-/var/lib/postgresql/data/pgdata}
PRIMARY_HOST=${PRIMARY_HOST:-postgres-primary}
PRIMARY_PORT=${PRIMARY_PORT:-5432}
REPLICATION_USER=${REPLICATION_USER:-replicator}
REPLICATION_SLOT=${REPLICATION_SLOT:-pulse_replica}
REPLICA_BOOTSTRAP_TIMEOUT=${REPLICA_BOOTSTRAP_TIMEOUT:-120}
if [ -n "${PG_BINDIR:-}" ]; then
    PATH=$PG_BINDIR:$PATH
fi

log() { echo "replica-entrypoint: $*" >&2; }

clone() {
    rm -rf -- "$staging"
    pg_receivewal --create-slot --if-not-exists --slot="$REPLICATION_SLOT" "${primary[@]}" 2>&1 || return 1
    # -R writes standby.signal and primary_conninfo (with the password, so the
    # standby can reconnect after a restart without this environment).
    pg_basebackup --pgdata="$staging" --write-recovery-conf --wal-method=stream \
        --slot="$REPLICATION_SLOT" --checkpoint=fast "${primary[@]}" 2>&1 || return 1
}

if [ -e "$PGDATA" ] && [ -n "$(ls -A -- "$PGDATA")" ]; then
    if [ ! -s "$PGDATA/PG_VERSION" ]; then
        log "$PGDATA is neither empty nor a data directory; refusing to touch it"
        exit 1
    fi
    log "data directory $PGDATA exists, starting it"
else
    if [ -z "${REPLICATION_PASSWORD:-}" ]; then
        log "REPLICATION_PASSWORD is not set; it is needed to clone the primary"
        exit 1
    fi
    # PGPASSWORD, not a connection string: a password in argv shows in ps.
    export PGPASSWORD=$REPLICATION_PASSWORD PGCONNECT_TIMEOUT=${PGCONNECT_TIMEOUT:-5}
    primary=(--host="$PRIMARY_HOST" --port="$PRIMARY_PORT" --username="$REPLICATION_USER" --no-password)
    staging=$PGDATA.clone
    deadline=$((SECONDS + REPLICA_BOOTSTRAP_TIMEOUT))
    log "cloning $PRIMARY_HOST:$PRIMARY_PORT as $REPLICATION_USER (slot $REPLICATION_SLOT)"
    until output=$(clone); do
        if ((SECONDS >= deadline)); then
            log "gave up after ${REPLICA_BOOTSTRAP_TIMEOUT}s: the primary at $PRIMARY_HOST:$PRIMARY_PORT did not accept the clone. Last error:"
            printf '%s\n' "$output" >&2
            rm -rf -- "$staging"
            exit 1
        fi
        log "primary not ready (${output//$'\n'/ }), retrying"
        sleep 1
    done
    chmod 700 "$staging"
    if [ -d "$PGDATA" ]; then
        rmdir -- "$PGDATA"
    fi
    mv -- "$staging" "$PGDATA"
    unset PGPASSWORD
    log "clone complete"
fi

exec postgres -D "$PGDATA" -c hot_standby=on "$@"
