#!/usr/bin/env bash
# Starts or stops a throw-away PostgreSQL server for statelog's tests and benchmarks.
#
#   pg-server.sh start DIR   initdb into DIR/data, start postgres listening only on a Unix socket
#                            in DIR, create the database "statelog" and print the connection string
#   pg-server.sh stop DIR    stop that server and delete DIR
#   pg-server.sh conninfo DIR  print the connection string only
#   pg-server.sh kill DIR    stop that server at once (pg_ctl -m immediate, as a crash would),
#                            keeping its data
#   pg-server.sh resume DIR  start the server of DIR again on its data, waiting for it (60 s)
#
# Run as root, the server runs as the "postgres" user (runuser); otherwise as the caller.
# Environment: PG_PORT (default 5432; only names the socket file), PG_FSYNC (default off: tests
# need no crash durability; set "on" for benchmarks), PG_BINDIR (default: the newest
# /usr/lib/postgresql/*/bin).
set -euo pipefail

die() { echo "pg-server.sh: $*" >&2; exit 1; }

cmd=${1:-}
dir=${2:-}
if [ -z "$cmd" ] || [ -z "$dir" ]; then
  die "usage: pg-server.sh start|stop|conninfo|kill|resume DIR"
fi
case "$dir" in /*) ;; *) dir="$(pwd)/$dir" ;; esac
port=${PG_PORT:-5432}
fsync=${PG_FSYNC:-off}
conninfo="host=$dir port=$port dbname=statelog user=postgres"

if [ -z "${PG_BINDIR:-}" ]; then
  for d in /usr/lib/postgresql/*/bin; do
    [ -x "$d/initdb" ] && PG_BINDIR=$d  # the glob sorts 14 < 15 < 16 (same digit count)
  done
fi
[ -x "${PG_BINDIR:-}/initdb" ] || die "PostgreSQL server binaries not found (install the Debian package 'postgresql'; looked in '${PG_BINDIR:-/usr/lib/postgresql/*/bin}')"

# Runs a server program, as the postgres user when run by root, from DIR: the caller's working
# directory (e.g. a checkout under root's home) may be one the server user cannot enter.
as_server_user() {
  if [ "$(id -u)" -eq 0 ]; then
    (cd "$dir" && runuser -u postgres -- "$@")
  else
    (cd "$dir" && "$@")
  fi
}

# The end of the server's log, after a failure.
log_tail() {
  echo "--- the last lines of $dir/server.log:" >&2
  tail -n 30 "$dir/server.log" >&2 || true
}

case "$cmd" in
  start)
    if [ -f "$dir/data/postmaster.pid" ]; then
      as_server_user "$PG_BINDIR/pg_ctl" -D "$dir/data" -m immediate stop >/dev/null 2>&1 || true
    fi
    rm -rf "$dir"
    mkdir -p "$dir"
    chmod 700 "$dir"
    if [ "$(id -u)" -eq 0 ]; then
      id postgres >/dev/null 2>&1 || die "no 'postgres' user to run the server as (install 'postgresql')"
      chown postgres: "$dir"
      # The server user must be able to reach DIR.
      runuser -u postgres -- test -x "$dir" || die "user postgres cannot access $dir (choose a DIR under /tmp)"
    fi
    as_server_user "$PG_BINDIR/initdb" -D "$dir/data" -U postgres -A trust -E UTF8 --no-sync \
      >"$dir/initdb.log" 2>&1 || { cat "$dir/initdb.log" >&2; die "initdb failed"; }
    cat >>"$dir/data/postgresql.conf" <<CONF
listen_addresses = ''
unix_socket_directories = '$dir'
port = $port
max_connections = 300
fsync = $fsync
full_page_writes = $fsync
shared_buffers = 128MB
CONF
    as_server_user "$PG_BINDIR/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 start \
      >/dev/null 2>&1 || { log_tail; die "postgres did not start within 60 s"; }
    as_server_user "$PG_BINDIR/createdb" -h "$dir" -p "$port" -U postgres statelog \
      || { log_tail; die "createdb failed"; }
    echo "$conninfo"
    ;;
  stop)
    if [ -f "$dir/data/postmaster.pid" ]; then
      as_server_user "$PG_BINDIR/pg_ctl" -D "$dir/data" -m fast -w -t 60 stop >/dev/null \
        || { log_tail; die "pg_ctl stop failed"; }
    fi
    rm -rf "$dir"
    ;;
  conninfo)
    echo "$conninfo"
    ;;
  kill)
    as_server_user "$PG_BINDIR/pg_ctl" -D "$dir/data" -m immediate -w -t 60 stop >/dev/null \
      || { log_tail; die "pg_ctl stop -m immediate failed"; }
    ;;
  resume)
    as_server_user "$PG_BINDIR/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 start \
      >/dev/null 2>&1 || { log_tail; die "postgres did not start again within 60 s"; }
    ;;
  *)
    die "unknown command '$cmd' (start, stop, conninfo, kill or resume)"
    ;;
esac
