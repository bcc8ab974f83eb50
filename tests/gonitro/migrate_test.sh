#!/usr/bin/env bash
# `statelog migrate-go-nitro` against go-nitro stores written by the real libraries: the records
# signed by gonitro_fixture_spec, encoded by Go's encoding/json into go-nitro's types and written
# through the real buntdb (gotool store). Checks that the migration reproduces the store (counts,
# vouchers and objective statuses read back from the log, every channel's states written back
# byte for byte as Go encodes them), that verify and show name the imported prefix, and that each
# broken store (torn tail, garbage tail, forged signature, wrong channel id, bad JSON, not a store)
# is refused with its file, key and field, appending nothing.
#   migrate_test.sh STATELOG GONITRO_FIXTURE_SPEC
# Exit 77 (skipped) when Go or buntdb's sources are not installed.
set -u
source "$(dirname "$0")/../cli/cli_lib.sh"
spec_tool=$2
here=$(cd "$(dirname "$0")" && pwd)
sh "$here/build_gotool.sh" "$T/gotool" "$T" || exit $?

"$spec_tool" 12 >"$T/spec.jsonl"
"$T/gotool" store "$T/src" "$T/expected" <"$T/spec.jsonl"
node_dir=$(ls -d "$T"/src/0x*)
node=$(basename "$node_dir")
sfx=${node:2:5}
ts=1700000000000000

# What the spec holds, counted here from the records themselves.
python3 - "$T/spec.jsonl" >"$T/counts" <<'PY'
import json, sys
live = {}
for line in open(sys.argv[1]).read().splitlines()[1:]:
    r = json.loads(line)
    files = live.setdefault(r["file"], {})
    if r.get("del"):
        files.pop(r["key"], None)
    else:
        files[r["key"]] = r["value"]
ch, cc = live.get("channels", {}), live.get("consensus_channels", {})
sigs = sum(len(s["Sigs"]) for c in ch.values() for s in c["OffChain"]["SignedStateForTurnNum"].values())
sigs += 2 * len(cc)
vouchers = sum(1 for k in live.get("vouchers", {}) if k in ch)
json.dump({"channels": len(ch) + len(cc), "ledgers": len(cc), "signatures": sigs,
           "vouchers": vouchers, "objectives": len(live.get("objectives", {})),
           "live": live}, sys.stdout)
PY
count() { python3 -c "import json,sys; print(json.load(open('$T/counts'))['$1'])"; }

D=$T/data
check "the migration succeeds" run 0 "$S" migrate-go-nitro "$T/src" --data "$D" --timestamp $ts
cp "$T/out" "$T/report"
check "the report counts what the store holds" \
  grep -q "$(count channels) channels ($(count ledgers) ledger), $(count signatures) signatures, $(count vouchers) vouchers, $(count objectives) objectives" "$T/report"
check "the compare step found no difference" \
  grep -qx "compare: every channel, objective and voucher of the store equals the log's fold" "$T/report"
check "the defunded channel's voucher is reported, not invented" \
  grep -q "vouchers_$sfx.db: key 0x[0-9a-f]*: the channel is not in the store (defunded); its voucher is not imported" "$T/report"
check "the pending proposal is reported" \
  grep -q "ProposalQueue: 1 unsettled proposals are not imported" "$T/report"
check "every file's digest is in the report" \
  bash -c "for f in '$node_dir'/*.db; do grep -q \"\$(basename \$f) .* keccak256 0x\" '$T/report' || exit 1; done"

check "the log verifies" run 0 "$S" verify --data "$D"
check "verify names the imported range" \
  grep -qx "imported: offsets 1-[0-9]* from the go-nitro store of node ${node,,} (6 files; provenance at offset 0)" "$T/out"

# Every live channel of the channels file: its states as Go encodes them.
for f in "$T"/expected/*.jsonl; do
  id=$(basename "$f" .jsonl)
  check "show --go-nitro $id is Go's encoding of the store's states" \
    bash -c "'$S' show channel $id --go-nitro --data '$D' | cmp - '$f'"
done
check "show names the provenance" run 0 "$S" show channel "$id" --data "$D"
check "  ... of every event of the channel" \
  grep -q "provenance:    \([0-9]*\) of \1 events imported from the go-nitro store of node ${node,,} (store_imported at offset 0)" "$T/out"

# Vouchers and objective statuses, read back from the log and compared with the records.
check "vouchers and objectives read back equal the records" python3 - "$S" "$D" "$T/counts" "${node,,}" <<'PY'
import json, subprocess, sys
statelog, data, counts, node = sys.argv[1:]
live = json.load(open(counts))["live"]
show = lambda *a: json.loads(subprocess.run([statelog, "show", *a, "--json", "--data", data],
                                            capture_output=True, text=True, check=True).stdout)
for cid, v in live["vouchers"].items():
    if cid not in live["channels"]:
        continue
    c = show("channel", cid)
    side = "paid" if v["ChannelPayer"] == node else "received"
    if str(c[side]) != str(v["LargestVoucher"]["Amount"]):
        sys.exit(f"{cid}: {side} {c[side]}, the store has {v['LargestVoucher']['Amount']}")
names = ["Unapproved", "Approved", "Rejected", "Completed"]
for oid, o in live["objectives"].items():
    got = show("objective", oid)["status"]
    if got != names[o["Status"]]:
        sys.exit(f"{oid}: status {got}, the store has {names[o['Status']]}")
PY

check "a second migration with the same timestamp" \
  run 0 "$S" migrate-go-nitro "$node_dir" --data "$T/data2" --timestamp $ts
check "  ... writes the same log" \
  bash -c "cmp <('$S' export --data '$D') <('$S' export --data '$T/data2')"
check "a store that already holds events is refused" \
  run 3 "$S" migrate-go-nitro "$T/src" --data "$D" --timestamp $ts
check "  ... with its length" grep -q "RocksDB store $D already holds [0-9]* events; migrate into a new store" "$T/err"
check "--dry-run checks and writes nothing" run 0 "$S" migrate-go-nitro "$T/src" --dry-run --data "$T/dry"
check "  ... says so" grep -q "^dry run (nothing written): " "$T/out"
check "  ... and creates no store" test ! -e "$T/dry"

# Broken stores: each refused with the file, key and field; no store is created.
broken() {  # broken NAME: a fresh copy of the store in $T/NAME; echoes its node directory
  rm -rf "$T/$1"
  cp -r "$T/src" "$T/$1"
  echo "$T/$1/$node"
}
refused() {  # refused NAME EXPECTED_RC MESSAGE: the migration of $T/NAME fails with MESSAGE
  run "$2" "$S" migrate-go-nitro "$T/$1" --data "$T/$1-data" --timestamp $ts &&
    grep -qF -- "$3" "$T/err" && test ! -e "$T/$1-data" ||
    { echo "  stderr: $(cat "$T/err")" >&2; return 1; }
}

check "a missing directory" refused missing 3 "statelog: NotFound: $T/missing: no such directory"
mkdir -p "$T/empty"
check "a directory that is not a go-nitro store" refused empty 3 \
  "$T/empty: not a go-nitro store: it is not named 0x<node address> and holds no such directory"
nd=$(broken nofile)
rm "$nd/vouchers_$sfx.db"
check "a store without its vouchers file" refused nofile 3 \
  "$nd: not a go-nitro store: vouchers_$sfx.db is missing"

nd=$(broken unreadable)
rm "$nd/vouchers_$sfx.db"
mkdir "$nd/vouchers_$sfx.db"
check "a file that cannot be read" refused unreadable 3 \
  "$nd/vouchers_$sfx.db: a directory, not a buntdb file"

nd=$(broken torn)
size=$(stat -c %s "$nd/channels_$sfx.db")
printf '*3\r\n$3\r\nset\r\n$66\r\n0x12' >>"$nd/channels_$sfx.db"
check "a torn last command is dropped, as buntdb does" \
  run 0 "$S" migrate-go-nitro "$T/torn" --data "$T/torn-data" --timestamp $ts
check "  ... and reported" \
  grep -q "channels_$sfx.db: a torn last command (22 bytes from offset $size) is dropped, as buntdb drops it" "$T/out"
check "  ... the log is the same" \
  bash -c "cmp <('$S' export --data '$D' --from 1) <('$S' export --data '$T/torn-data' --from 1)"

nd=$(broken garbage)
size=$(stat -c %s "$nd/objectives_$sfx.db")
head -c 16 /dev/zero >>"$nd/objectives_$sfx.db"
check "a garbage tail" refused garbage 3 "objectives_$sfx.db: byte $size: "

# patch FILE REGEX BACK BYTE: sets the byte BACK bytes before the end of REGEX's first match in
# FILE to BYTE ("2" when it is BYTE already), keeping every length so that buntdb's framing stays
# whole; prints the match's groups.
patch() {
  python3 - "$@" <<'PY'
import re, sys
path, regex, back, byte = sys.argv[1], sys.argv[2].encode(), int(sys.argv[3]), sys.argv[4].encode()
data = open(path, "rb").read()
m = re.search(regex, data)
at = m.end() - back
data = data[:at] + (byte if data[at:at + 1] != byte else b"2") + data[at + 1:]
open(path, "wb").write(data)
print(" ".join(g.decode() for g in m.groups()))
PY
}
record='\$66\r\n(0x[0-9a-f]{64})\r\n\$\d+\r\n'  # a set command's key, up to its value

# A forged signature: the 10th hex digit of a signature's r changed in the channels file.
nd=$(broken forged)
read -r key turn <<<"$(patch "$nd/channels_$sfx.db" \
  "$record"'.*?"SignedStateForTurnNum":\{"(\d+)":\{"State":.*?"Sigs":\{"0":"0x[0-9a-f]{10}' 0 1)"
check "a forged signature" refused forged 3 \
  "nothing imported: channels_$sfx.db: key $key: OffChain.SignedStateForTurnNum.$turn.Sigs.0: event "

# A ledger channel whose fixed part no longer gives its id: FP.ChannelNonce 1 -> 9.
nd=$(broken wrongid)
key=$(patch "$nd/consensus_channels_$sfx.db" "$record"'[^\r]*?"ChannelNonce":1,' 2 9)
check "a channel id that does not match its fixed part" refused wrongid 3 \
  "nothing imported: consensus_channels_$sfx.db: key $key: Id: event "

# A value that is not JSON: the first byte of a voucher's value.
nd=$(broken notjson)
key=$(patch "$nd/vouchers_$sfx.db" "$record"'\{' 1 x)
check "a value that is not JSON" refused notjson 3 \
  "vouchers_$sfx.db: key $key: JSON: The JSON document has an improper structure: missing or superfluous commas, braces, missing keys, etc. (at offset 0)"
finish
