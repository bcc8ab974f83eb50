#!/usr/bin/env bash
# The statelog command on a shared PostgreSQL log (--store): two processes append, a third follows
# the log live and sees every event of both, in order; verify passes on the shared log.
# Usage: cli_pg_test.sh PATH/TO/statelog   (STATELOG_PG_CONNINFO names the test server)
set -u
S=$1
C=${STATELOG_PG_CONNINFO:?STATELOG_PG_CONNINFO is not set: the postgres_server fixture must run first}
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

"$S" demo --store "$C" >"$T/demo1" 2>&1 || fail "first demo: $(cat "$T/demo1")"
before=$("$S" stats --json --store "$C" | sed 's/.*"length":\([0-9]*\).*/\1/')
[ "$before" -ge 56 ] || fail "the first demo appended fewer than 56 events ($before)"
# Follow from the current end: the next demo run (another process) appends 56 events.
"$S" log --follow --from "$before" --limit 56 --json --store "$C" >"$T/follow" 2>"$T/follow.err" &
follower=$!
sleep 1
"$S" demo --store "$C" >"$T/demo2" 2>&1 || fail "second demo: $(cat "$T/demo2")"
for _ in $(seq 1 100); do
  kill -0 $follower 2>/dev/null || break
  sleep 0.2
done
kill $follower 2>/dev/null && fail "the follower did not see 56 new events: $(wc -l <"$T/follow") lines"
wait $follower || fail "follower exit: $(cat "$T/follow.err")"
[ "$(grep -c '^{"offset":' "$T/follow")" -eq 56 ] || fail "follower printed $(wc -l <"$T/follow") lines"
first=$(head -n 1 "$T/follow" | sed 's/{"offset":\([0-9]*\).*/\1/')
last=$(tail -n 1 "$T/follow" | sed 's/{"offset":\([0-9]*\).*/\1/')
[ "$first" -eq "$before" ] && [ "$last" -eq $((before + 55)) ] || fail "offsets $first..$last"
"$S" verify --store "$C" >"$T/verify" 2>&1 || fail "verify: $(cat "$T/verify")"
grep -q "verify: OK" "$T/verify" || fail "verify output"
"$S" demo --fresh --store "$C" >/dev/null 2>&1 && fail "--fresh must refuse a shared log"
echo "1 passed, 0 failed"
