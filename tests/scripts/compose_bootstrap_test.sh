#!/bin/bash
# The database scripts of docker-compose.db.yml (packaging/docker/), run
# without Docker against local directories and the installed PostgreSQL 15:
# a primary set up the way the postgres image does it plus primary-init.sh,
# and replica-entrypoint.sh cloning it into an empty directory. Checks that
# streaming replication comes up and that the .env.example credentials reach
# both nodes over TCP with password authentication.
#
#   compose_bootstrap_test.sh [REPO_DIR]     (PG_BINDIR: the PostgreSQL programs)
set -euo pipefail

repo=${1:-$(cd -- "$(dirname -- "$0")/../.." && pwd)}
scripts=$repo/packaging/docker
PG_BINDIR=${PG_BINDIR:-/usr/lib/postgresql/15/bin}
export PATH=$PG_BINDIR:$PATH
# Only what this test passes explicitly may choose servers and credentials.
unset PGHOST PGPORT PGUSER PGDATABASE PGPASSWORD PGPASSFILE PGSERVICE PGOPTIONS

fail() { echo "FAIL: $*" >&2; exit 1; }

for tool in initdb pg_ctl postgres pg_basebackup pg_receivewal psql; do
    command -v "$tool" >/dev/null || fail "$tool not found in $PG_BINDIR or PATH (./dev.sh deps installs postgresql)"
done

# The credentials exactly as .env.example gives them to docker-compose.
env_value() {
    local value
    value=$(sed -n "s/^$1=\([^ #]*\).*/\1/p" "$repo/.env.example")
    [ -n "$value" ] || fail "$1 has no value in .env.example"
    printf '%s' "$value"
}
app_user=$(env_value POSTGRES_USER)
app_password=$(env_value POSTGRES_PASSWORD)
app_db=$(env_value POSTGRES_DATABASE)
repl_user=$(env_value REPLICATION_USER)
repl_password=$(env_value REPLICATION_PASSWORD)
slot=pulse_replica

work=$(mktemp -d "${TMPDIR:-/tmp}/pulse-compose-test.XXXXXX")
chmod 755 "$work"

# Syncing the clone to disk takes seconds on CI disks and proves nothing here.
mkdir "$work/bin"
printf '#!/bin/sh\nexec "%s" --no-sync "$@"\n' "$(command -v pg_basebackup)" >"$work/bin/pg_basebackup"
chmod 755 "$work/bin/pg_basebackup"
export PATH=$work/bin:$PATH

# PostgreSQL refuses to run as root.
if [ "$(id -u)" = 0 ]; then
    chown -R postgres: "$work"
    as_pg=(runuser -u postgres -- env "PATH=$PATH")
else
    as_pg=(env "PATH=$PATH")
fi

primary=$work/primary
replica=$work/replica
replica_pid=
giveup_pid=

dump_logs() {
    local log
    for log in "$work"/*.log; do
        [ -f "$log" ] || continue
        echo "---- $(basename "$log")" >&2
        tail -n 40 "$log" >&2
    done
}

stop_replica() {
    [ -n "$replica_pid" ] || return 0
    "${as_pg[@]}" pg_ctl -D "$replica" -m "$1" -w stop >/dev/null 2>&1 || true
    # The script may still be cloning or retrying: its whole process group.
    kill -KILL -- "-$replica_pid" 2>/dev/null || true
    wait "$replica_pid" 2>/dev/null || true
    replica_pid=
}

cleanup() {
    local status=$?
    stop_replica immediate
    [ -z "$giveup_pid" ] || wait "$giveup_pid" 2>/dev/null || true
    "${as_pg[@]}" pg_ctl -D "$primary" -m immediate -w stop >/dev/null 2>&1 || true
    [ "$status" = 0 ] || dump_logs
    rm -rf -- "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP PIPE

# free_port [TAKEN...]: nothing answers on a free port (a race is possible
# but unlikely).
free_port() {
    local port
    for _ in $(seq 100); do
        port=$((20000 + RANDOM % 40000))
        [[ " $* " != *" $port "* ]] || continue
        if ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
            echo "$port"
            return
        fi
    done
    fail "no free port found"
}

primary_port=$(free_port)
replica_port=$(free_port "$primary_port")
closed_port=$(free_port "$primary_port" "$replica_port")

# wait_for SECONDS WHAT COMMAND...: polls COMMAND until it succeeds.
wait_for() {
    local deadline=$((SECONDS + $1)) what=$2
    shift 2
    until "$@"; do
        ((SECONDS < deadline)) || fail "timed out waiting for $what"
        sleep 0.1
    done
}

# As the superuser over the unix socket (local connections are trusted).
query() {
    psql -X -qtA -h "$work" -p "$1" -U "$app_user" -d "${3:-$app_db}" -c "$2"
}
query_is() { [ "$(query "$1" "$2" 2>/dev/null)" = "$3" ]; }

start_replica() {
    # Own process group, so that cleanup can end all of it.
    setsid "${as_pg[@]}" PGDATA="$replica" PRIMARY_HOST=127.0.0.1 PRIMARY_PORT="$primary_port" \
        REPLICATION_USER="$repl_user" REPLICATION_PASSWORD="$repl_password" REPLICATION_SLOT="$slot" \
        REPLICA_BOOTSTRAP_TIMEOUT=60 \
        bash "$scripts/replica-entrypoint.sh" -c port="$replica_port" >"$work/$1.log" 2>&1 &
    replica_pid=$!
}

streaming() {
    wait_for 30 "the replica to be in recovery" query_is "$replica_port" 'SELECT pg_is_in_recovery()' t
    wait_for 30 "pg_stat_replication to show the replica streaming" query_is "$primary_port" \
        "SELECT count(*) FROM pg_stat_replication WHERE state = 'streaming' AND usename = '$repl_user'" 1
    query_is "$primary_port" "SELECT active FROM pg_replication_slots WHERE slot_name = '$slot'" t ||
        fail "the replica does not use slot $slot"
}

replicates() {
    query "$primary_port" "INSERT INTO probe VALUES ('$1')" >/dev/null
    wait_for 30 "row $1 on the replica" query_is "$replica_port" "SELECT count(*) FROM probe WHERE v = '$1'" 1
}

# TCP with password authentication, the way Pulse reaches both nodes.
app_login() {
    PGPASSWORD=$2 psql -X -qtA "host=127.0.0.1 port=$1 user=$app_user dbname=$app_db" \
        -c 'SELECT current_user, current_database()' 2>&1
}

"${as_pg[@]}" test -r "$scripts/replica-entrypoint.sh" -a -r "$scripts/primary-init.sh" ||
    fail "the postgres account cannot read $scripts"

# The primary as the postgres image creates it: POSTGRES_USER is the superuser.
# Inside the container the image trusts 127.0.0.1, but connections through
# Docker's published ports arrive from another address and need the password;
# here they come from 127.0.0.1, so host connections need it too.
(umask 077 && printf '%s\n' "$app_password" >"$work/pwfile")
[ "$(id -u)" != 0 ] || chown postgres: "$work/pwfile"
"${as_pg[@]}" initdb --no-sync -D "$primary" -U "$app_user" --pwfile="$work/pwfile" \
    --auth-local=trust --auth-host=scram-sha-256 >"$work/initdb.log" 2>&1 || fail "initdb failed"
rm -f "$work/pwfile"
# In Docker the replica connects from another address, which only the rule of
# primary-init.sh admits: so must it here.
sed -i '/^host[[:space:]]\+replication/d' "$primary/pg_hba.conf"
# Copied by pg_basebackup: the replica overrides the port on its command line.
cat >>"$primary/postgresql.conf" <<EOF
port = $primary_port
listen_addresses = '127.0.0.1'
unix_socket_directories = '$work'
fsync = off
# The replication settings of docker-compose.db.yml's primary.
wal_level = replica
max_wal_senders = 10
max_replication_slots = 10
wal_keep_size = 256MB
EOF

# Like the container started before its primary is ready: it must retry.
start_replica replica
# Meanwhile, a replica whose primary never comes (checked at the end).
"${as_pg[@]}" PGDATA="$work/orphan" PRIMARY_HOST=127.0.0.1 PRIMARY_PORT="$closed_port" \
    REPLICATION_PASSWORD="$repl_password" REPLICA_BOOTSTRAP_TIMEOUT=1 \
    timeout 30 bash "$scripts/replica-entrypoint.sh" >"$work/giveup.log" 2>&1 &
giveup_pid=$!
wait_for 30 "the replica script to retry" grep -q "primary not ready" "$work/replica.log"

"${as_pg[@]}" pg_ctl -D "$primary" -l "$work/primary.log" -w -t 30 start >/dev/null || fail "the primary did not start"
query "$primary_port" "CREATE DATABASE $app_db" postgres >/dev/null
for _ in 1 2; do # the second run must change nothing
    "${as_pg[@]}" PGHOST="$work" PGPORT="$primary_port" POSTGRES_USER="$app_user" POSTGRES_DB="$app_db" \
        REPLICATION_USER="$repl_user" REPLICATION_PASSWORD="$repl_password" \
        bash "$scripts/primary-init.sh" >>"$work/primary-init.log" 2>&1 || fail "primary-init.sh failed"
done
[ "$(grep -c "^host replication $repl_user all scram-sha-256$" "$primary/pg_hba.conf")" = 1 ] ||
    fail "primary-init.sh did not add its pg_hba.conf rule exactly once"
query "$primary_port" "CREATE TABLE probe (v text)" >/dev/null

streaming
replicates first
for port in "$primary_port" "$replica_port"; do
    [ "$(app_login "$port" "$app_password")" = "$app_user|$app_db" ] ||
        fail "$app_user cannot log in to $app_db on port $port: $(app_login "$port" "$app_password")"
    ! app_login "$port" wrong-password >/dev/null || fail "port $port accepts a wrong password"
done

# A restart with a data directory keeps it (a re-clone would drop the marker)
# and reconnects with the stored credentials alone.
stop_replica fast
"${as_pg[@]}" touch "$replica/not-recloned"
start_replica restart
streaming
replicates second
if [ ! -e "$replica/not-recloned" ] || grep -q cloning "$work/restart.log"; then
    fail "the restart cloned again"
fi

# Re-bootstrap into an emptied directory (the first clone had none at all)
# while the primary still has the slot.
stop_replica fast
find "$replica" -mindepth 1 -delete
start_replica rebootstrap
streaming
replicates third

# No primary at all: a bounded wait, a clear error and nothing left behind.
wait "$giveup_pid" && fail "the replica script succeeded without a primary"
giveup_pid=
grep -q "gave up after 1s" "$work/giveup.log" || fail "no clear error when giving up: $(cat "$work/giveup.log")"
if [ -e "$work/orphan" ] || [ -e "$work/orphan.clone" ]; then
    fail "the failed clone left files behind"
fi

if grep -rlF -e "$repl_password" -e "$app_password" "$work"/*.log; then
    fail "a password appears in the logs above"
fi
echo "PASS: replica cloned, streaming, restarted without re-cloning, re-bootstrapped with its slot"
