#!/usr/bin/env bash
# End-to-end tests of the statelog command on the embedded store: every subcommand, exit codes,
# error messages, and that failed commands leave the store unchanged.
# Usage: cli_test.sh PATH/TO/statelog
set -u
source "$(dirname "$0")/cli_lib.sh"
D=$T/data

check "help lists every subcommand" run 0 "$S" --help
for c in demo import export log show snapshot verify repair stats state; do
  check "help names $c" grep -q "^  $c" "$T/out"
done
check "unknown subcommand is a usage error" run 2 "$S" frobnicate
check "and names it" grep -q 'unknown subcommand "frobnicate" of statelog' "$T/err"
# With --help too: a script must be able to tell that the command does not exist.
for args in "vacuum --help" "--help vacuum" "vacuum -h"; do
  # shellcheck disable=SC2086 # the words are the arguments
  check "statelog $args is a usage error" run 2 "$S" $args
  check "statelog $args names the subcommand" grep -q 'unknown subcommand "vacuum" of statelog' "$T/err"
  check "statelog $args prints no help" [ ! -s "$T/out" ]
done
check "an unknown nested subcommand with --help is a usage error" run 2 "$S" state bogus --help
check "and names it and its parent" grep -q 'unknown subcommand "bogus" of statelog state' "$T/err"
check "an unknown show kind is a usage error" run 2 "$S" show bogus
check "and is named" grep -q 'unknown subcommand "bogus" of statelog show' "$T/err"
check "a stray argument beside --help is a usage error" run 2 "$S" stats extra --help
check "and is named" grep -q 'statelog stats: unexpected argument "extra"' "$T/err"
check "an unknown option of statelog itself is refused" run 2 "$S" --bogus
check "naming statelog once" grep -qx 'statelog: unexpected argument "--bogus" (statelog --help lists the options)' "$T/err"
check "statelog --version" run 0 "$S" --version
check "prints the version" grep -qx 'statelog 0\.2\.0' "$T/out"
# Controls: --help on what exists still prints help and exits 0.
check "stats --help exits 0" run 0 "$S" stats --help
check "state sign --help exits 0" run 0 "$S" state sign --help
check "and prints its help" grep -q "Sign the state hash" "$T/out"
check "codec-demo round-trips sample events" run 0 "$S" codec-demo
check "codec-demo says so" grep -q "3 events encoded, hashed and decoded back identically" "$T/out"

check "demo runs" run 0 "$S" demo --data "$D"
check "demo verifies" grep -q "re-checked: OK" "$T/out"
check "demo shows time travel" grep -q "time travel" "$T/out"
len1=$(grep -c . <("$S" export --data "$D"))
check "demo appended 76 events" [ "$len1" -eq 76 ]
check "the log names Irene's node" run 0 "$S" verify --data "$D"
check "verify says its rules" grep -q "^rules: nitro-2, node 0x111a00868581f73ab42feef67d235ca09ca1e8db$" "$T/out"
check "demo continues on the store" run 0 "$S" demo --data "$D"
check "second run appends after the first" grep -q "offsets 76..150" "$T/out"
check "demo --fresh starts over" run 0 "$S" demo --fresh --data "$D"
check "fresh store has 76 events" grep -q "offsets 1..75" "$T/out"
check "--fresh refuses a directory that is not a store" run 1 "$S" demo --fresh --data "$T"
check "and says why" grep -q "not a statelog store" "$T/err"

# export / import round trip gives the same log, head included
check "export" run 0 "$S" export --data "$D"
cp "$T/out" "$T/all.jsonl"
check "import into a new store" run 0 "$S" import "$T/all.jsonl" --data "$T/copy"
check "stats of copy" run 0 "$S" stats --json --data "$T/copy"
head_copy=$(sed 's/.*"head":"\([^"]*\)".*/\1/' "$T/out")
# Disk use by part (stats --json "disk"): in a store whose small memtables were flushed to table
# files, the parts are measured and add up to the total.
check "stats: a store in table files" run 0 "$S" generate --channels 20 --seed 7 --batch 20 \
  --disk-reserve 1MiB --snapshot-interval 100 --data "$T/sized"
check "stats --json of it" run 0 "$S" stats --json --data "$T/sized"
check "stats: disk by part" python3 -c '
import json, sys
out = json.loads(open(sys.argv[1]).read())
d = out["disk"]
assert out["bytes"] == d["total"] > 0, d
# The large parts are measured; a few small snapshots may sit inside one table block, which
# RocksDB approximates as nothing.
for part in ("events", "indexes", "tree", "logs"):
    assert 0 < d[part] < d["total"], (part, d)
assert sum(v for k, v in d.items() if k != "total") == d["total"], d
' "$T/out"
run 0 "$S" stats --json --data "$D"
head_orig=$(sed 's/.*"head":"\([^"]*\)".*/\1/' "$T/out")
check "same head after round trip" [ "$head_copy" = "$head_orig" ]
check "re-import is idempotent" run 0 "$S" import "$T/all.jsonl" --data "$T/copy"
check "re-import appends nothing" grep -q "imported 0 events (76 already present)" "$T/out"
check "export range" run 0 "$S" export --from 10 --to 20 --data "$D"
check "export range has 10 lines" [ "$(grep -c . "$T/out")" -eq 10 ]
check "export past the end fails" run 3 "$S" export --from 0 --to 999 --data "$D"

# a bad line: reported with its line number, nothing appended
before=$("$S" export --data "$T/copy" | md5sum)
{ head -n 3 "$T/all.jsonl"; echo '{"id":"0x00","type":"objective_approved"}'; } >"$T/bad.jsonl"
check "bad line rejected" run 3 "$S" import "$T/bad.jsonl" --data "$T/copy"
check "error names the line" grep -q "bad.jsonl:4: " "$T/err"
sed -n 30p "$T/all.jsonl" | sed 's/"ts":[0-9]*/"ts":1/' >"$T/illegal.jsonl"
check "event with a mismatched id rejected" run 3 "$S" import "$T/illegal.jsonl" --data "$T/copy"
# The copy holds the original event, so the Ledger takes this one for a retry and checks its id.
check "error names the id mismatch" grep -q "illegal.jsonl:1: event 0 ([a-z_]*): id 0x[0-9a-f]\{64\} does not match the event's content: expected 0x[0-9a-f]\{64\}$" "$T/err"
# A legal first event with its id zeroed, into a new store: the log core checks the id.
sed -n 1p "$T/all.jsonl" | sed 's/"id":"0x[0-9a-f]*"/"id":"0x'"$(printf '0%.0s' $(seq 64))"'"/' >"$T/zero-id.jsonl"
check "a zeroed id rejected" run 3 "$S" import "$T/zero-id.jsonl" --data "$T/zero"
check "error names the zeroed id" grep -q "zero-id.jsonl:1: batch event 0: id 0x0\{64\} does not match the event's content: expected 0x[0-9a-f]\{64\}$" "$T/err"
check "nothing stored" [ -z "$("$S" export --data "$T/zero")" ]
# A legal-looking file whose third event breaks the rules (a state of an unknown channel).
grep '"type":"state_signed"' "$T/all.jsonl" | head -n 1 >"$T/orphan.jsonl"
check "illegal history rejected" run 3 "$S" import "$T/orphan.jsonl" --data "$T/other"
check "error names the line and says nothing imported" grep -q "nothing imported: .*orphan.jsonl:1: event 0 (state_signed)" "$T/err"
check "store unchanged" [ "$before" = "$("$S" export --data "$T/copy" | md5sum)" ]
sed -n 1p "$T/all.jsonl" | "$S" import --data "$T/fresh" >"$T/out" 2>"$T/err"
check "import from stdin" grep -q "imported 1 events" "$T/out"

# show, log, verify, snapshot
cid=$(grep -m1 '"type":"channel_created"' "$T/all.jsonl" | sed 's/.*"channel_id":"\(0x[0-9a-f]*\)".*/\1/')
check "show channel" run 0 "$S" show channel "$cid" --data "$D"
check "show channel concluded" grep -q "concluded:     yes" "$T/out"
check "show channel --at" run 0 "$S" show channel "$cid" --at 5 --data "$D"
check "time travel shows an earlier state" grep -q "concluded:     no" "$T/out"
check "show channel --json" run 0 "$S" show channel "$cid" --json --data "$D"
check "json has the id" grep -q "\"id\":\"$cid\"" "$T/out"
check "show objective" run 0 "$S" show objective "DirectFunding-$cid" --data "$D"
check "objective completed" grep -q "Completed" "$T/out"
check "show bad id is a usage error" run 2 "$S" show channel 0x12 --data "$D"
check "show unknown channel" run 3 "$S" show channel "0x$(printf '0%.0s' {1..64})" --data "$D"
check "show past the end" run 3 "$S" show channel "$cid" --at 100000 --data "$D"
check "log by type" run 0 "$S" log --type proposal_signed --data "$D"
check "log by type has 4" [ "$(grep -c proposal_signed "$T/out")" -eq 4 ]
check "log by channel" run 0 "$S" log --channel "$cid" --json --data "$D"
check "log --json lines" grep -q '^{"offset":' "$T/out"
check "log unknown type" run 2 "$S" log --type nope --data "$D"
check "snapshot" run 0 "$S" snapshot --data "$D"
check "verify with snapshot" run 0 "$S" verify --data "$D"
check "verify checked a snapshot" grep -q "1 snapshots checked" "$T/out"
run 0 "$S" stats --json --data "$D"
len=$(sed 's/.*"length":\([0-9]*\).*/\1/' "$T/out")
head=$(sed 's/.*"head":"\([^"]*\)".*/\1/' "$T/out")
check "verify against the trusted head" run 0 "$S" verify --head "$len:$head" --data "$D"
check "verify against a wrong head fails" run 4 "$S" verify --head "$len:0x$(printf 'a%.0s' {1..64})" --data "$D"
check "and names the offset" grep -q "verify failed: offset [0-9]*: " "$T/err"
check "verify of a missing store fails" run 1 "$S" verify --data "$T/nothing-here"
check "and does not create it" [ ! -e "$T/nothing-here" ]

# follow: catch-up from an offset, stopping after --limit events
check "log --follow catches up" run 0 timeout 20 "$S" log --follow --from 50 --limit 6 --data "$D"
check "follow printed 6 events from offset 50" [ "$(grep -c . "$T/out")" -eq 6 ] && grep -q "^      50 " "$T/out"
check "a second process cannot open the store" bash -c "'$S' log --follow --data '$D' >/dev/null 2>&1 & sleep 1; '$S' stats --data '$D' >/dev/null 2>'$T/busy'; rc=\$?; kill %1; [ \$rc -eq 1 ] && grep -qi 'busy' '$T/busy'"

# Damage is refused, never absorbed: a write-ahead log changed in the middle, or cut short, makes
# every command fail naming where; `repair` keeps the undamaged prefix and says what it dropped.
R=$T/damaged
check "repair: a demo store" run 0 "$S" demo --data "$R"
check "repair: and a second run" run 0 "$S" demo --data "$R"
check "repair of a clean store changes nothing" run 0 "$S" repair --data "$R"
check "and says so" grep -q "opens cleanly (151 events); nothing to repair" "$T/out"
wal=$(ls -S "$R"/*.log | head -1) # the largest write-ahead log
python3 -c "import sys; p=sys.argv[1]; b=bytearray(open(p,'rb').read()); o=len(b)*7//10; b[o:o+4]=bytes(x^0xff for x in b[o:o+4]); open(p,'wb').write(b)" "$wal"
check "a damaged log is refused" run 1 "$S" verify --data "$R"
check "naming the file and the byte" grep -q "Corruption: .*the write-ahead log is damaged: $wal at byte [0-9]*: checksum mismatch" "$T/err"
check "so is a writable open" run 1 "$S" snapshot --data "$R"
check "repair salvages it" run 0 "$S" repair --data "$R"
check "and prints what it dropped" grep -q "dropped:     offsets [0-9]*\.\.150 ([0-9]* acknowledged events)" "$T/out"
check "and where the originals are" grep -q "copied:      $R/lost-[0-9TZ]*/$(basename "$wal") (" "$T/out"
check "the repaired store verifies" run 0 "$S" verify --data "$R"
check "a second repair finds nothing to do" run 0 "$S" repair --data "$R"
# A log cut short at a record boundary looks whole to RocksDB; the acknowledged count does not.
kept=$("$S" stats --json --data "$R" | sed 's/.*"length":\([0-9]*\).*/\1/')
check "repair: more events" run 0 "$S" demo --data "$R"
wal=$(ls -t "$R"/*.log | head -1) # the newest write-ahead log, which holds them
truncate -s "$(( $(stat -c %s "$wal") / 2 ))" "$wal"
check "a shortened log is refused" run 1 "$S" verify --data "$R"
check "naming what was acknowledged" grep -q "were acknowledged ($R/ACKED): offsets \[[0-9]*, $((kept + 75))) are lost" "$T/err"
check "repair salvages it too" run 0 "$S" repair --data "$R"
check "repaired store verifies" run 0 "$S" verify --data "$R"

finish
