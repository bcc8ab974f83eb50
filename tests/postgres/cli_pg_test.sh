#!/usr/bin/env bash
# The statelog command on a shared PostgreSQL log (--store): two processes append, a third follows
# the log live and sees every event of both, in order; verify passes on the shared log, and names
# the offset of a damaged or a missing row.
# Usage: cli_pg_test.sh PATH/TO/statelog   (STATELOG_PG_CONNINFO names the test server)
set -u
S=$1
C=${STATELOG_PG_CONNINFO:?STATELOG_PG_CONNINFO is not set: the postgres_server fixture must run first}
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

"$S" demo --store "$C" >"$T/demo1" 2>&1 || fail "first demo: $(cat "$T/demo1")"
before=$("$S" stats --json --store "$C" | sed 's/.*"length":\([0-9]*\).*/\1/')
# Disk use of a PostgreSQL log: its tables, by part (not the size of any directory).
"$S" stats --json --store "$C" >"$T/stats" || fail "stats --json"
python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))["disk"]
for part in ("events", "indexes", "tree", "total"):
    assert d[part] > 0, (part, d)
assert d["logs"] == 0 and d["events"] + d["indexes"] + d["tree"] < d["total"], d
' "$T/stats" || fail "stats: disk use by table: $(cat "$T/stats")"
[ "$before" -ge 76 ] || fail "the first demo appended fewer than 76 events ($before)"
# Follow from the current end: the next demo run (another process) appends 75 events.
"$S" log --follow --from "$before" --limit 75 --json --store "$C" >"$T/follow" 2>"$T/follow.err" &
follower=$!
sleep 1
"$S" demo --store "$C" >"$T/demo2" 2>&1 || fail "second demo: $(cat "$T/demo2")"
for _ in $(seq 1 100); do
  kill -0 $follower 2>/dev/null || break
  sleep 0.2
done
kill $follower 2>/dev/null && fail "the follower did not see 75 new events: $(wc -l <"$T/follow") lines"
wait $follower || fail "follower exit: $(cat "$T/follow.err")"
[ "$(grep -c '^{"offset":' "$T/follow")" -eq 75 ] || fail "follower printed $(wc -l <"$T/follow") lines"
first=$(head -n 1 "$T/follow" | sed 's/{"offset":\([0-9]*\).*/\1/')
last=$(tail -n 1 "$T/follow" | sed 's/{"offset":\([0-9]*\).*/\1/')
[ "$first" -eq "$before" ] && [ "$last" -eq $((before + 74)) ] || fail "offsets $first..$last"
"$S" verify --store "$C" >"$T/verify" 2>&1 || fail "verify: $(cat "$T/verify")"
grep -q "verify: OK" "$T/verify" || fail "verify output"
"$S" demo --fresh --store "$C" >/dev/null 2>&1 && fail "--fresh must refuse a shared log"

# Four demos at once on the shared log, three rounds: every one succeeds, its counts are its own
# (75 events each), and the log verifies after each round.
for round in 1 2 3; do
  pids=()
  for d in 1 2 3 4; do
    "$S" demo --store "$C" --snapshot-interval 50 >"$T/race$d" 2>&1 &
    pids+=($!)
  done
  for d in 1 2 3 4; do
    wait "${pids[$((d - 1))]}" || fail "round $round: concurrent demo $d: $(cat "$T/race$d")"
    grep -q "appended 75 checked events" "$T/race$d" || fail "round $round demo $d counts: $(grep appended "$T/race$d")"
    grep -q "verify ==" "$T/race$d" || fail "round $round demo $d output"
  done
  "$S" verify --store "$C" >"$T/verify" 2>&1 || fail "round $round: verify after concurrent demos: $(cat "$T/verify")"
done

# A damaged row, and a missing one, are reported by verify with their offset; put back, the log
# verifies again.
psql "$C" -q -v ON_ERROR_STOP=1 -c "CREATE TABLE statelog.saved AS SELECT * FROM statelog.events WHERE pos IN (10, 20)" >/dev/null ||
  fail "cannot save two rows"
psql "$C" -q -v ON_ERROR_STOP=1 -c "UPDATE statelog.events SET body = overlay(body placing '\\x7e'::bytea from 40 for 1) WHERE pos = 10" >/dev/null ||
  fail "cannot damage a row"
"$S" verify --store "$C" >"$T/verify" 2>&1 && fail "verify passed a damaged row: $(cat "$T/verify")"
grep -q "offset 10: " "$T/verify" || fail "verify did not name the damaged row's offset: $(cat "$T/verify")"
psql "$C" -q -v ON_ERROR_STOP=1 -c "UPDATE statelog.events SET body = (SELECT body FROM statelog.saved WHERE pos = 10) WHERE pos = 10; DELETE FROM statelog.events WHERE pos = 20" >/dev/null ||
  fail "cannot delete a row"
"$S" verify --store "$C" >"$T/verify" 2>&1 && fail "verify passed a missing row: $(cat "$T/verify")"
grep -q "offset 20 is missing" "$T/verify" || fail "verify did not name the missing row's offset: $(cat "$T/verify")"
psql "$C" -q -v ON_ERROR_STOP=1 -c "INSERT INTO statelog.events SELECT * FROM statelog.saved WHERE pos = 20; DROP TABLE statelog.saved" >/dev/null ||
  fail "cannot put the rows back"
"$S" verify --store "$C" >"$T/verify" 2>&1 || fail "control: verify after the rows were put back: $(cat "$T/verify")"
# Checkpoints kept in the shared log (table checkpoints): sign one, prove an event against it and
# check the proof offline; after another process's appends, a second checkpoint extends the first.
irene=0x111a00868581f73ab42feef67d235ca09ca1e8db
echo 0xfebb3b74b0b52d0976f6571d555f4ac8b91c308dfa25c7b58d1e6a7c3f50c781 >"$T/irene.key"
"$S" checkpoint --store "$C" --key-file "$T/irene.key" >"$T/cp1" 2>"$T/cp1.err" ||
  fail "checkpoint: $(cat "$T/cp1.err")"
grep -q "^kept checkpoint 0 of statelog/$irene: " "$T/cp1.err" || fail "checkpoint: $(cat "$T/cp1.err")"
"$S" prove --store "$C" event 5 --out "$T/p5" 2>"$T/p5.err" || fail "prove: $(cat "$T/p5.err")"
"$S" check-proof "$T/p5" --key "$irene" >"$T/check" 2>&1 || fail "check-proof: $(cat "$T/check")"
grep -q "^check-proof: OK$" "$T/check" || fail "check-proof output: $(cat "$T/check")"
"$S" demo --store "$C" >/dev/null 2>&1 || fail "demo after the checkpoint"
STATELOG_NODE_KEY_FILE="$T/irene.key" "$S" checkpoint --store "$C" >"$T/cp2" 2>"$T/cp2.err" ||
  fail "second checkpoint: $(cat "$T/cp2.err")"
grep -q "^kept checkpoint 1 of statelog/$irene: " "$T/cp2.err" || fail "second: $(cat "$T/cp2.err")"
"$S" prove --store "$C" consistency "$T/cp1" --out "$T/c12" 2>"$T/c12.err" ||
  fail "prove consistency: $(cat "$T/c12.err")"
"$S" check-proof "$T/c12" --key "$irene" --older "$T/cp1" >"$T/check" 2>&1 ||
  fail "check-proof consistency: $(cat "$T/check")"
"$S" checkpoint --store "$C" --key-file "$T/irene.key" --origin example.com/other >/dev/null \
  2>"$T/other.err" && fail "another origin was signed"
grep -q "the last checkpoint signed is of statelog/$irene, not example.com/other" "$T/other.err" ||
  fail "another origin: $(cat "$T/other.err")"

# A follower whose log goes away (its schema dropped under it) exits non-zero with the error.
"$S" log --follow --store "$C" >"$T/f2" 2>"$T/f2.err" &
f2=$!
sleep 1
psql "$C" -q -c 'DROP SCHEMA statelog CASCADE' >/dev/null 2>&1 || fail "cannot drop the schema"
for _ in $(seq 1 50); do
  kill -0 $f2 2>/dev/null || break
  sleep 0.2
done
kill $f2 2>/dev/null && fail "the follower kept running after its log was dropped"
wait $f2 && fail "the follower exited 0 after its log was dropped"
grep -q "log --follow stopped" "$T/f2.err" || fail "follower error: $(cat "$T/f2.err")"
echo "1 passed, 0 failed"
