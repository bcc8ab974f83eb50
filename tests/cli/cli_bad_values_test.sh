#!/usr/bin/env bash
# Every option of the statelog command with out-of-range and garbage values: each is refused with
# exit 2 (usage) or 3 (input rejected) and a message on stderr; never an abort (134), a crash
# (139) or an uncaught exception. Then the import inputs that hold no events: a directory, an
# empty file, a FIFO that yields nothing, an unreadable file.
# Usage: cli_bad_values_test.sh PATH/TO/statelog
set -u
source "$(dirname "$0")/cli_lib.sh"
D=$T/data
"$S" demo --data "$D" >/dev/null 2>&1 || { echo "FAIL: demo to set up the store" >&2; exit 1; }
before=$("$S" export --data "$D" | md5sum)

refused() {  # refused CODES CMD...: exit code is one of CODES (e.g. "2 3"), with a message
  local codes=$1
  shift
  "$@" >"$T/out" 2>"$T/err" </dev/null
  local rc=$?
  if [[ " $codes " == *" $rc "* ]] && [ -s "$T/err" ] && ! grep -q "internal error" "$T/err"; then
    pass=$((pass + 1))
  else
    echo "FAIL: rc $rc (wanted one of $codes, with a message): ${*:2}" >&2
    sed 's/^/    /' "$T/err" >&2
    fails=$((fails + 1))
  fi
}

huge=99999999999999999999999
bad_numbers=(-1 -99999999999 "$huge" abc 1.5 "" 0x10 ' ' 1e3)
cid=0x$(printf '0%.0s' {1..64})
for v in "${bad_numbers[@]}"; do
  for o in --channels --payments --challenges --open --concurrency --seed --start --batch; do
    refused "2" "$S" generate "$o" "$v"
  done
  refused "2" "$S" demo --snapshot-interval "$v" --data "$D"
  refused "2" "$S" import --snapshot-interval "$v" --data "$D" /dev/null
  refused "2" "$S" snapshot --snapshot-interval "$v" --data "$D"
  refused "2" "$S" export --from "$v" --data "$D"
  refused "2" "$S" export --to "$v" --data "$D"
  refused "2" "$S" log --from "$v" --data "$D"
  refused "2" "$S" log --limit "$v" --data "$D"
  refused "2" "$S" show channel "$cid" --at "$v" --data "$D"
  refused "2" "$S" show objective "DirectFunding-$cid" --at "$v" --data "$D"
  refused "2" "$S" verify --threads "$v" --data "$D"
  refused "2" "$S" verify --head "$v:$cid" --data "$D"
done
for o in --channels --concurrency --batch; do refused "2" "$S" generate "$o" 0; done
for o in --challenges --open; do refused "2" "$S" generate "$o" 101; done
refused "2" "$S" generate --payments 4294967297
refused "2" "$S" generate --out ""
refused "2" "$S" generate --out "$T/x.jsonl" --data "$T/gen"
refused "2" "$S" demo --payments 5 --data "$D"  # replaced by generate
for v in -1 abc "" 1 1048575 1KiB "$huge" 1XB; do
  refused "2" "$S" demo --disk-reserve "$v" --data "$D"
  refused "2" "$S" import --disk-reserve "$v" --data "$D" /dev/null
done
refused "2" "$S" verify --threads 4294967295 --data "$D"
refused "2" "$S" verify --head "1:0x12" --data "$D"
refused "2" "$S" verify --head "nonsense" --data "$D"
# Numbers the parser accepts that lie outside the log: input rejected.
for v in 18446744073709551615 1000000; do
  refused "3" "$S" export --from "$v" --data "$D"
  refused "3" "$S" export --to "$v" --data "$D"
  refused "3" "$S" log --from "$v" --data "$D"
  refused "3" "$S" show channel "$cid" --at "$v" --data "$D"
done
refused "3" "$S" export --from 20 --to 10 --data "$D"
for v in '' nope 0x 0xzz "$huge"; do
  refused "2" "$S" log --channel "$v" --data "$D"
  refused "2" "$S" log --objective "$v" --data "$D"
  refused "2" "$S" log --type "$v" --data "$D"
  refused "2" "$S" show channel "$v" --data "$D"
  refused "2" "$S" show objective "$v" --data "$D"
  refused "2 3" "$S" state sign --key "$v"
  refused "2 3" "$S" state recover --sig "$v"
done
refused "3" "$S" state id
refused "3" "$S" state hash
refused "2" "$S" state
refused "2" "$S" show
refused "2" "$S" export extra-argument --data "$D"
refused "2" "$S" stats --no-such-flag --data "$D"

# import inputs without events: an error that says so, never "imported 0".
mkdir "$T/dir"
refused "3" "$S" import "$T/dir" --data "$D"
check "directory message" grep -q "cannot import $T/dir: it is a directory" "$T/err"
: >"$T/empty.jsonl"
refused "3" "$S" import "$T/empty.jsonl" --data "$D"
check "empty file message" grep -q "nothing imported: $T/empty.jsonl holds no events" "$T/err"
printf '\n  \n' >"$T/blank.jsonl"
refused "3" "$S" import "$T/blank.jsonl" --data "$D"
mkfifo "$T/fifo"
(: >"$T/fifo") &
refused "3" "$S" import "$T/fifo" --data "$D"
wait
check "fifo message" grep -q "holds no events" "$T/err"
refused "3" "$S" import - --data "$D"  # stdin is /dev/null
refused "1" "$S" import "$T/does-not-exist.jsonl" --data "$D"
check "missing file message" grep -q "cannot read $T/does-not-exist.jsonl: No such file or directory" "$T/err"
# Unreadable: a read that fails (as root, file modes do not stop reads; /proc/self/mem does).
refused "1" "$S" import /proc/self/mem --data "$D"
check "unreadable file message" grep -q "cannot read /proc/self/mem" "$T/err"
if [ "$(id -u)" -ne 0 ]; then
  echo '{}' >"$T/secret.jsonl"
  chmod 000 "$T/secret.jsonl"
  refused "1" "$S" import "$T/secret.jsonl" --data "$D"
  check "permission message" grep -q "Permission denied" "$T/err"
fi

# Control: the same checks accept a valid value, so a refusal above is about the value.
check "a valid --from/--to works" run 0 "$S" export --from 1 --to 2 --data "$D"
check "and exports one event" [ "$(grep -c . "$T/out")" -eq 1 ]
check "a valid --threads works" run 0 "$S" verify --threads 2 --data "$D"
check "the refused commands changed nothing" [ "$before" = "$("$S" export --data "$D" | md5sum)" ]
check "a valid --disk-reserve works" run 0 "$S" snapshot --disk-reserve 2MiB --data "$D"

finish
