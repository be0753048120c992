#!/usr/bin/env bash
# Makes sure a PostgreSQL server answers on 127.0.0.1:5432 and lets user `postgres` in over
# TCP without a password (trust), as the crm-store-postgres tests expect
# (CRM_TEST_DATABASE_URL, default postgres://postgres@127.0.0.1:5432/postgres).
#
# Idempotent. Meant for CI and developer machines running Debian, as root:
#   1. a server already answers            -> nothing to start;
#   2. a cluster is installed but stopped  -> start it;
#   3. nothing installed                   -> apt-get install postgresql, create/start a cluster.
# Then, if the URL does not work with trust auth and the cluster is local, it puts trust
# lines for `postgres` on 127.0.0.1/::1 at the top of pg_hba.conf and reloads.
# Prints every step it takes. Exits non-zero if the URL still does not work.
set -euo pipefail

# ENSURE_PG_PORT / ENSURE_PG_CLUSTER exist to exercise the script on a throwaway cluster.
HOST=127.0.0.1
PORT="${ENSURE_PG_PORT:-5432}"
CLUSTER="${ENSURE_PG_CLUSTER:-main}"
URL="${CRM_TEST_DATABASE_URL:-postgres://postgres@${HOST}:${PORT}/postgres}"
APT_UPDATED=""
MARKER="# crm: trust for the test suite (scripts/ensure-postgres.sh)"

say() { printf 'ensure-postgres: %s\n' "$*"; }
die() { say "ERROR: $*" >&2; exit 1; }

as_root() {
    if [ "$(id -u)" -eq 0 ]; then
        "$@"
    elif command -v sudo >/dev/null 2>&1; then
        sudo "$@"
    else
        die "needs root for: $*"
    fi
}

apt_install() {
    if [ -z "$APT_UPDATED" ]; then
        as_root env DEBIAN_FRONTEND=noninteractive apt-get update
        APT_UPDATED=1
    fi
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y "$@"
}

ready() {
    command -v pg_isready >/dev/null 2>&1 && pg_isready -q -h "$HOST" -p "$PORT" -t 3
}

url_works() {
    command -v psql >/dev/null 2>&1 || return 1
    PGCONNECT_TIMEOUT=5 psql "$URL" -w -X -A -t -q -c 'SELECT 1' >/dev/null 2>&1
}

# Newest installed version that has the cluster, or empty.
cluster_version() {
    local v best=""
    [ -d /etc/postgresql ] || { echo ""; return; }
    for v in $(ls /etc/postgresql 2>/dev/null | sort -n); do
        if [ -f "/etc/postgresql/$v/$CLUSTER/postgresql.conf" ]; then best="$v"; fi
    done
    echo "$best"
}

cluster_status() {
    pg_lsclusters -h 2>/dev/null | awk -v v="$1" -v c="$CLUSTER" '$1==v && $2==c {print $4}'
}

# Newest installed server version (from /usr/lib/postgresql), or empty.
server_version() {
    ls /usr/lib/postgresql 2>/dev/null | sort -n | tail -n 1 || true
}

wait_ready() {
    local i
    for i in $(seq 1 30); do
        ready && return 0
        sleep 1
    done
    return 1
}

start_cluster() {
    local ver="$1" port
    port="$(pg_conftool "$ver" "$CLUSTER" show port 2>/dev/null | sed -E 's/.*= *//; s/[^0-9]//g' || true)"
    if [ -n "$port" ] && [ "$port" != "$PORT" ]; then
        say "cluster $ver/$CLUSTER is configured for port $port; setting port $PORT"
        as_root pg_conftool "$ver" "$CLUSTER" set port "$PORT"
        if cluster_status "$ver" | grep -q online; then
            say "restarting cluster $ver/$CLUSTER"
            as_root pg_ctlcluster --skip-systemctl-redirect "$ver" "$CLUSTER" restart
        fi
    fi
    case "$(cluster_status "$ver")" in
        online*) say "cluster $ver/$CLUSTER is already running" ;;
        *)
            say "starting cluster $ver/$CLUSTER"
            as_root pg_ctlcluster --skip-systemctl-redirect "$ver" "$CLUSTER" start
            ;;
    esac
}

# 1-3: get a server answering on HOST:PORT.
if ! command -v pg_isready >/dev/null 2>&1; then
    say "pg_isready is missing; installing postgresql-client"
    apt_install postgresql-client
fi
if ready; then
    say "a server already answers on $HOST:$PORT"
else
    ver="$(cluster_version)"
    if [ -z "$ver" ]; then
        if [ -z "$(server_version)" ]; then
            say "no PostgreSQL server is installed; installing postgresql"
            apt_install postgresql
        fi
        # Debian's package usually creates (and may start) a `main` cluster itself.
        ver="$(cluster_version)"
        if [ -z "$ver" ]; then
            ver="$(server_version)"
            [ -n "$ver" ] || die "no PostgreSQL server found after installing"
            say "creating cluster $ver/$CLUSTER on port $PORT"
            as_root pg_createcluster --port "$PORT" "$ver" "$CLUSTER"
        fi
    fi
    start_cluster "$ver"
    wait_ready || die "cluster $ver/$CLUSTER did not come up on $HOST:$PORT (see /var/log/postgresql/)"
    say "server answers on $HOST:$PORT"
fi

# 4: the URL must work with trust auth.
if url_works; then
    say "$URL works"
    exit 0
fi
ver="$(cluster_version)"
[ -n "$ver" ] || die "$URL does not work and no local cluster config was found to fix; check the server's pg_hba.conf"
hba="$(pg_conftool "$ver" "$CLUSTER" show hba_file 2>/dev/null | sed -E "s/.*= *'?//; s/'$//" || true)"
if [ -z "$hba" ] || [ ! -f "$hba" ]; then hba="/etc/postgresql/$ver/$CLUSTER/pg_hba.conf"; fi
if grep -qF "$MARKER" "$hba"; then
    say "trust lines already present in $hba"
else
    say "adding trust for user postgres on 127.0.0.1/::1 to the top of $hba"
    tmp="$(mktemp)"
    {
        echo "$MARKER"
        echo "host    all    postgres    127.0.0.1/32    trust"
        echo "host    all    postgres    ::1/128         trust"
        cat "$hba"
    } >"$tmp"
    as_root cp "$tmp" "$hba"
    rm -f "$tmp"
fi
say "reloading cluster $ver/$CLUSTER"
as_root pg_ctlcluster --skip-systemctl-redirect "$ver" "$CLUSTER" reload
sleep 1
url_works || die "$URL still does not work; check $hba and the server log"
say "$URL works"
