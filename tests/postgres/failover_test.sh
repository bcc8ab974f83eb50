#!/usr/bin/env bash
# PostgreSQL failover under load (docs/operations/postgres-ha.md): a Patroni cluster (one
# primary, two standbys, strict synchronous mode) on this machine; durable writers append through
# a multi-host connection string while the primary node is killed (SIGKILL of its Patroni agent
# and its postmaster). Patroni promotes the synchronous standby, the writers retry on their own,
# and afterwards:
#   - every acknowledged event is in the log, exactly once, at the offset it was acknowledged at;
#   - the offsets are dense and `statelog verify` passes (ids, chain, signatures, legality);
#   - a `statelog log --follow --replicated-delivery` subscriber (restarted from where it stopped
#     whenever its connection breaks) delivered nothing that is not in the final log.
#
#   failover_test.sh STATELOG POSTGRES_WRITER [ROUNDS] [EVENTS_PER_WRITER]
# Exit 77 (skipped) when not root or Patroni/etcd are not installed.
set -euo pipefail

statelog=${1:?statelog binary}
writer=${2:?postgres_writer binary}
rounds=${3:-2}
events=${4:-1500}
writers=3
here=$(cd "$(dirname "$0")" && pwd)
cluster=$here/patroni-cluster.sh

if [ "$(id -u)" -ne 0 ]; then
  echo "SKIP: the failover test starts PostgreSQL as the postgres user and needs root"
  exit 77
fi
if ! command -v patroni >/dev/null || ! command -v etcd >/dev/null; then
  echo "SKIP: patroni and etcd-server are not installed"
  exit 77
fi

work=$(mktemp -d /tmp/statelog-failover.XXXXXX)
chmod 755 "$work" # the cluster below runs as the postgres user
sub_pid=""
cleanup() {
  [ -n "$sub_pid" ] && kill "$sub_pid" 2>/dev/null || true
  "$cluster" stop "$work/cluster" >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT
fail() {
  echo "FAIL: $*" >&2
  for f in "$work"/*.err; do
    if [ -s "$f" ]; then
      echo "--- $f" >&2
      tail -5 "$f" >&2
    fi
  done
  "$cluster" logs "$work/cluster" >&2 || true
  exit 1
}

conn=$("$cluster" start "$work/cluster")
echo "cluster up: $conn"

# The subscriber: follows from the next offset it has not delivered, again after every break.
follow() {
  local next
  while [ ! -e "$work/stop" ]; do
    next=0
    if [ -s "$work/delivered.jsonl" ]; then
      next=$(($(tail -1 "$work/delivered.jsonl" | sed 's/^{"offset":\([0-9]*\).*/\1/') + 1))
    fi
    "$statelog" log --follow --json --replicated-delivery --from "$next" --store "$conn" \
      >>"$work/delivered.jsonl" 2>>"$work/follow.err" &
    echo $! >"$work/follower.pid"
    wait $! || true
    sleep 0.2
  done
}
follow &
sub_pid=$!

total_acked=0
for round in $(seq 1 "$rounds"); do
  pids=()
  for w in $(seq 1 "$writers"); do
    id=$((round * 10 + w))
    : >"$work/acked.$round.$w"
    STATELOG_PG_CONNINFO="$conn" STATELOG_WRITER_RETRY_SECONDS=120 STATELOG_WRITER_SIGNED=1 \
      "$writer" statelog "$id" "$events" >"$work/acked.$round.$w" 2>"$work/writer.$round.$w.err" &
    pids+=($!)
  done
  # Kill the primary once every writer has had acknowledgements.
  for _ in $(seq 1 200); do
    ready=1
    for w in $(seq 1 "$writers"); do
      [ "$(wc -l <"$work/acked.$round.$w")" -ge 50 ] || ready=0
    done
    [ $ready = 1 ] && break
    sleep 0.05
  done
  start=$(date +%s.%N)
  killed=$("$cluster" kill-leader "$work/cluster")
  acked_at_kill=$(cat "$work"/acked."$round".* | wc -l)
  l=""
  deadline=$((SECONDS + 90))
  while [ $SECONDS -lt $deadline ]; do
    l=$("$cluster" leader "$work/cluster" 2>/dev/null || true)
    [ -n "$l" ] && [ "$l" != "$killed" ] && break
    sleep 0.1
  done
  [ -n "$l" ] && [ "$l" != "$killed" ] || fail "round $round: no node was promoted within 90 s of the kill of node $killed"
  promoted=$(date +%s.%N)
  for p in "${pids[@]}"; do wait "$p" || fail "round $round: a writer failed"; done
  acked=$(cat "$work"/acked."$round".* | wc -l)
  [ "$acked" -eq $((writers * events)) ] || fail "round $round: $acked of $((writers * events)) acknowledged"
  retried=$(cat "$work"/writer."$round".*.err | grep -c "retrying" || true)
  [ "$acked_at_kill" -lt "$acked" ] || fail "round $round: the writers had finished before the kill"
  [ "$retried" -gt 0 ] || fail "round $round: no writer met the failover"
  printf 'round %d: killed node %d with %d of %d events acknowledged; node promoted after %.1f s; %d retries\n' \
    "$round" "$killed" "$acked_at_kill" "$acked" "$(awk "BEGIN { print $promoted - $start }")" "$retried"
  total_acked=$((total_acked + acked))
  "$cluster" start-node "$work/cluster" "$killed"
  "$cluster" wait-healthy "$work/cluster"
done

# Let the subscriber reach the head, then stop it.
length=$("$statelog" stats --store "$conn" | sed -n 's/^ *events: *\([0-9]*\).*/\1/p' | head -1)
for _ in $(seq 1 300); do
  [ "$(wc -l <"$work/delivered.jsonl")" -ge "${length:-0}" ] && break
  sleep 0.1
done
touch "$work/stop"
for _ in $(seq 1 50); do
  kill "$(cat "$work/follower.pid")" 2>/dev/null || true
  kill -0 "$sub_pid" 2>/dev/null || break
  sleep 0.2
done
wait "$sub_pid" 2>/dev/null || true
sub_pid=""

"$statelog" verify --store "$conn" >"$work/verify.out" 2>&1 || {
  cat "$work/verify.out"
  fail "verify"
}
"$statelog" export --store "$conn" >"$work/final.jsonl"

check="$here/failover_check.py"
python3 "$check" "$work/final.jsonl" "$work/delivered.jsonl" "$work"/acked.* ||
  fail "the final log does not hold what was acknowledged"
# Control: the same check on the log without its last acknowledged event must fail.
head -n -1 "$work/final.jsonl" >"$work/control.jsonl"
if python3 "$check" "$work/control.jsonl" /dev/null "$work"/acked.* >"$work/control.out" 2>&1; then
  fail "control: the check accepted a log that lost an acknowledged event"
fi
echo "control: a log without the last acknowledged event is refused ($(tail -1 "$work/control.out"))"
echo "PASS: $rounds failovers, $total_acked acknowledged events checked"
