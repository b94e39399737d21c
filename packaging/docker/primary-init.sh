#!/bin/bash
# Prepares a primary for streaming replication: the replication role and the
# pg_hba rule that lets it connect. Safe to run more than once.
#
# In the postgres image it runs from /docker-entrypoint-initdb.d on the first
# start, against the entrypoint's temporary server on its unix socket. Outside
# Docker it runs against any local server: libpq's PGHOST/PGPORT choose it, and
# it must run as the account that owns the server's pg_hba.conf.
#
#   POSTGRES_USER, POSTGRES_DB   a superuser and its database (default: libpq's)
#   REPLICATION_USER             role the replica connects as (default replicator)
#   REPLICATION_PASSWORD         its password (required)
#   PG_BINDIR                    directory of psql, if it is not on PATH
set -euo pipefail

REPLICATION_USER=${REPLICATION_USER:-replicator}
if [ -z "${REPLICATION_PASSWORD:-}" ]; then
    echo "primary-init: REPLICATION_PASSWORD is not set" >&2
    exit 1
fi
# The name goes unquoted into pg_hba.conf.
if ! [[ $REPLICATION_USER =~ ^[A-Za-z_][A-Za-z0-9_]*$ ]]; then
    echo "primary-init: REPLICATION_USER must be a plain identifier (letters, digits, _)" >&2
    exit 1
fi
if [ -n "${PG_BINDIR:-}" ]; then
    PATH=$PG_BINDIR:$PATH
fi
export REPLICATION_USER REPLICATION_PASSWORD

psql_() {
    psql -X -v ON_ERROR_STOP=1 -qtA \
        ${POSTGRES_USER:+--username="$POSTGRES_USER"} ${POSTGRES_DB:+--dbname="$POSTGRES_DB"} "$@"
}

# \getenv (psql 15+), not --set: a password on the command line would show in ps.
psql_ <<'SQL'
\getenv user REPLICATION_USER
\getenv pw REPLICATION_PASSWORD
SELECT format('CREATE ROLE %I', :'user')
 WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = :'user') \gexec
SELECT format('ALTER ROLE %I WITH REPLICATION LOGIN PASSWORD %L', :'user', :'pw') \gexec
SQL

# The replica connects over TCP from another address; a database of "all" in
# pg_hba.conf does not cover replication connections, so they need a rule.
hba_file=$(psql_ -c 'SHOW hba_file')
rule="host replication $REPLICATION_USER all scram-sha-256"
if ! grep -qxF "$rule" "$hba_file"; then
    printf '%s\n' "$rule" >>"$hba_file"
    psql_ -c 'SELECT pg_reload_conf()' >/dev/null
fi
echo "primary-init: replication role $REPLICATION_USER ready"
