#!/usr/bin/env bash
# A PostgreSQL high-availability cluster on this machine, for the failover tests: one etcd member
# and three Patroni nodes (a primary and two standbys, Patroni's strict synchronous mode with one
# synchronous standby), all on 127.0.0.1. Run as root; etcd, Patroni and PostgreSQL run as the
# `postgres` user. docs/operations/postgres-ha.md describes the production layout this mirrors.
#
#   patroni-cluster.sh start DIR        starts etcd and the nodes, waits for a leader and a sync
#                                       standby, creates database `statelog`; prints the conninfo
#   patroni-cluster.sh conninfo DIR     the multi-host connection string
#   patroni-cluster.sh leader DIR       the number of the node that is primary now
#   patroni-cluster.sh kill-leader DIR  SIGKILLs the primary's Patroni agent and postmaster (a
#                                       node loss) and prints its number
#   patroni-cluster.sh start-node DIR N restarts node N (it rejoins as a standby, via pg_rewind)
#   patroni-cluster.sh wait-healthy DIR waits for a leader and a synchronous standby (60 s at most)
#   patroni-cluster.sh logs DIR         the last lines of every log of the cluster
#   patroni-cluster.sh stop DIR         stops everything and removes DIR
#
# Ports: etcd 2379/2380 + offset, PostgreSQL 5441-5443 + offset, Patroni REST 8011-8013 + offset,
# where offset = STATELOG_HA_PORT_OFFSET (default 0).
set -euo pipefail

cmd=${1:?command}
dir=${2:?directory}
off=${STATELOG_HA_PORT_OFFSET:-0}
nodes=(1 2 3)
etcd_client=$((2379 + off))
etcd_peer=$((2380 + off))
pg_port() { echo $((5440 + $1 + off)); }
rest_port() { echo $((8010 + $1 + off)); }
# Runs a program as the postgres user from DIR (which it owns): the caller's working directory
# (e.g. a checkout under root's home) may be one that user cannot enter.
as_pg() { (cd "$dir" && runuser -u postgres -- "$@"); }
# The end of every log of the cluster.
logs() {
  local f
  for f in "$dir/etcd.log" "$dir"/node*/patroni.log "$dir"/node*/data/log/*; do
    [ -s "$f" ] || continue
    echo "--- the last lines of $f:"
    tail -n 15 "$f"
  done
}
die() {
  echo "patroni-cluster: $*" >&2
  logs >&2
  exit 1
}

conninfo() {
  local hosts ports
  hosts=$(printf '127.0.0.1,%.0s' "${nodes[@]}")
  ports=$(for n in "${nodes[@]}"; do printf '%s,' "$(pg_port "$n")"; done)
  echo "host=${hosts%,} port=${ports%,} dbname=statelog user=postgres" \
    "target_session_attrs=read-write connect_timeout=2"
}

# role N: "primary", "replica" or "down", from the node's Patroni REST API.
role() {
  python3 - "$(rest_port "$1")" <<'EOF'
import json, sys, urllib.request
try:
    with urllib.request.urlopen(f"http://127.0.0.1:{sys.argv[1]}/patroni", timeout=2) as r:
        print(json.load(r).get("role", "down"))
except Exception as e:
    body = getattr(e, "read", None)
    try:
        print(json.loads(body()).get("role", "down") if body else "down")
    except Exception:
        print("down")
EOF
}

leader() {
  for n in "${nodes[@]}"; do
    if [ "$(role "$n")" = primary ] || [ "$(role "$n")" = master ]; then
      echo "$n"
      return 0
    fi
  done
  return 1
}

# A leader that accepts writes, and a standby Patroni lists as synchronous.
healthy() {
  local l
  l=$(leader) || return 1
  psql -X -q -t -h 127.0.0.1 -p "$(pg_port "$l")" -U postgres -d postgres -c \
    "SELECT count(*) FROM pg_stat_replication WHERE sync_state = 'sync'" 2>/dev/null |
    grep -q '^ *[1-9]'
}

wait_healthy() {
  for _ in $(seq 1 120); do
    healthy && return 0
    sleep 0.5
  done
  die "no primary with a synchronous standby after 60 s"
}

write_config() {
  local n=$1 d="$dir/node$1"
  mkdir -p "$d"
  cat >"$d/patroni.yml" <<EOF
scope: statelog-ha-$off
name: node$n
restapi:
  listen: 127.0.0.1:$(rest_port "$n")
  connect_address: 127.0.0.1:$(rest_port "$n")
etcd3:
  hosts: 127.0.0.1:$etcd_client
bootstrap:
  dcs:
    ttl: 10
    loop_wait: 2
    retry_timeout: 5
    maximum_lag_on_failover: 0
    synchronous_mode: true
    synchronous_mode_strict: true
    synchronous_node_count: 1
    postgresql:
      use_pg_rewind: true
      use_slots: true
      parameters:
        wal_log_hints: 'on'
        max_wal_senders: 10
        max_replication_slots: 10
        hot_standby: 'on'
        fsync: 'on'
  initdb:
    - encoding: UTF8
    - auth-local: trust
    - auth-host: trust
postgresql:
  listen: 127.0.0.1:$(pg_port "$n")
  connect_address: 127.0.0.1:$(pg_port "$n")
  data_dir: $d/data
  bin_dir: /usr/lib/postgresql/15/bin
  pgpass: $d/pgpass
  authentication:
    superuser:
      username: postgres
      password: postgres
    replication:
      username: replicator
      password: replicator
    rewind:
      username: postgres
      password: postgres
  parameters:
    unix_socket_directories: '$d'
  pg_hba:
    - local all all trust
    - host all all 127.0.0.1/32 trust
    - host replication replicator 127.0.0.1/32 trust
EOF
}

start_node() {
  local n=$1
  as_pg bash -c "nohup patroni '$dir/node$n/patroni.yml' >>'$dir/node$n/patroni.log' 2>&1 &
    echo \$! >'$dir/node$n/patroni.pid'"
}

case "$cmd" in
start)
  command -v patroni >/dev/null || die "patroni is not installed (Debian package patroni)"
  command -v etcd >/dev/null || die "etcd is not installed (Debian package etcd-server)"
  rm -rf "$dir"
  mkdir -p "$dir/etcd"
  chown -R postgres:postgres "$dir"
  chmod 700 "$dir"
  as_pg bash -c "nohup etcd --name e0 --data-dir '$dir/etcd' \
    --listen-client-urls http://127.0.0.1:$etcd_client \
    --advertise-client-urls http://127.0.0.1:$etcd_client \
    --listen-peer-urls http://127.0.0.1:$etcd_peer \
    --initial-advertise-peer-urls http://127.0.0.1:$etcd_peer \
    --initial-cluster e0=http://127.0.0.1:$etcd_peer >'$dir/etcd.log' 2>&1 &
    echo \$! >'$dir/etcd.pid'"
  for n in "${nodes[@]}"; do write_config "$n"; done
  chown -R postgres:postgres "$dir"
  start_node 1 # the first node bootstraps the cluster; the others clone it
  for _ in $(seq 1 120); do
    leader >/dev/null && break
    sleep 0.5
  done
  leader >/dev/null || die "node1 did not become primary within 60 s"
  start_node 2
  start_node 3
  wait_healthy
  l=$(leader)
  psql -X -q -h 127.0.0.1 -p "$(pg_port "$l")" -U postgres -d postgres \
    -c "CREATE DATABASE statelog" >/dev/null
  conninfo
  ;;
conninfo) conninfo ;;
leader) leader ;;
logs) logs ;;
wait-healthy) wait_healthy ;;
kill-leader)
  l=$(leader) || die "no leader"
  kill -9 "$(cat "$dir/node$l/patroni.pid")" 2>/dev/null || true
  if [ -f "$dir/node$l/data/postmaster.pid" ]; then
    kill -9 "$(head -1 "$dir/node$l/data/postmaster.pid")" 2>/dev/null || true
  fi
  echo "$l"
  ;;
start-node) start_node "${3:?node number}" ;;
stop)
  for n in "${nodes[@]}"; do
    [ -f "$dir/node$n/patroni.pid" ] && kill -9 "$(cat "$dir/node$n/patroni.pid")" 2>/dev/null || true
    [ -f "$dir/node$n/data/postmaster.pid" ] &&
      kill -9 "$(head -1 "$dir/node$n/data/postmaster.pid")" 2>/dev/null || true
  done
  [ -f "$dir/etcd.pid" ] && kill -9 "$(cat "$dir/etcd.pid")" 2>/dev/null || true
  sleep 0.5
  rm -rf "$dir"
  ;;
*) die "unknown command $cmd" ;;
esac
