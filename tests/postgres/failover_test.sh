#!/usr/bin/env bash
# PostgreSQL failover under load (docs/operations/postgres-ha.md): a Patroni cluster (one
# primary, two standbys, strict synchronous mode) on this machine; durable writers append through
# a multi-host connection string while the primary node is killed (SIGKILL of its Patroni agent
# and its postmaster). Patroni promotes the synchronous standby, the writers retry on their own,
# and afterwards:
#   - every acknowledged event is in the log, exactly once, at the offset it was acknowledged at;
#   - the offsets are dense and `statelog verify` passes (ids, chain, signatures, legality);
#   - one `statelog log --follow --replicated-delivery` subscriber rode through every failover,
#     reporting each outage, and delivered every event of the final log once, in order.
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
  if [ -z "$sub_pid" ]; then
    # The subscriber: one `log --follow` for the whole test, from offset 0, started once the
    # writers created the log. It rides through every failover on its own (reporting each
    # outage), or the test fails.
    "$statelog" log --follow --json --replicated-delivery --reconnect-timeout 120 --store "$conn" \
      >"$work/delivered.jsonl" 2>"$work/follow.err" &
    sub_pid=$!
    for _ in $(seq 1 600); do
      [ -s "$work/delivered.jsonl" ] && break
      sleep 0.1
    done
    [ -s "$work/delivered.jsonl" ] || fail "the subscriber delivered nothing within 60 s"
  fi
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
kill -0 "$sub_pid" 2>/dev/null || fail "the subscriber exited during a failover"
kill "$sub_pid"
wait "$sub_pid" 2>/dev/null || true
sub_pid=""
outages=$(grep -c "the store is unreachable since" "$work/follow.err" || true)
reconnects=$(grep -c "log --follow: reconnected" "$work/follow.err" || true)
[ "$outages" -gt 0 ] || fail "the subscriber reported no outage over $rounds failovers"
[ "$outages" -eq "$reconnects" ] || fail "the subscriber reported $outages outages, $reconnects ends"
echo "the subscriber rode through $outages outages: $(grep -m1 "unreachable since" "$work/follow.err")"

"$statelog" verify --store "$conn" >"$work/verify.out" 2>&1 || {
  cat "$work/verify.out"
  fail "verify"
}
"$statelog" export --store "$conn" >"$work/final.jsonl"

check="$here/failover_check.py"
python3 "$check" --complete "$work/final.jsonl" "$work/delivered.jsonl" "$work"/acked.* ||
  fail "the final log does not hold what was acknowledged, or the subscriber missed some of it"
# Control: a subscriber that skipped an event is refused.
sed 3d "$work/delivered.jsonl" >"$work/gap.jsonl"
if python3 "$check" --complete "$work/final.jsonl" "$work/gap.jsonl" "$work"/acked.* >"$work/control.out" 2>&1; then
  fail "control: the check accepted a subscriber that skipped an event"
fi
echo "control: a subscriber that skipped an event is refused ($(tail -1 "$work/control.out"))"
# Control: the same check on the log without its last acknowledged event must fail.
head -n -1 "$work/final.jsonl" >"$work/control.jsonl"
if python3 "$check" "$work/control.jsonl" /dev/null "$work"/acked.* >"$work/control.out" 2>&1; then
  fail "control: the check accepted a log that lost an acknowledged event"
fi
echo "control: a log without the last acknowledged event is refused ($(tail -1 "$work/control.out"))"
echo "PASS: $rounds failovers, $total_acked acknowledged events checked"
