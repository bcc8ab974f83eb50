#!/usr/bin/env bash
# `statelog show channel ID --go-nitro`: a channel's states as go-nitro SignedState JSON, one line
# for every turn the log's state events sign, superseded turns included. Each line's state hash
# (recomputed by `statelog state hash` from the go-nitro form alone) is the hash the log recorded
# for that turn, each signature recovers to the participant it is keyed by, and Go's
# encoding/json, decoding the lines into go-nitro's types, writes them back identically (skipped
# without Go).
# Usage: cli_go_nitro_test.sh PATH/TO/statelog
set -u
source "$(dirname "$0")/cli_lib.sh"
here=$(cd "$(dirname "$0")" && pwd)
D=$T/data

check "demo runs" run 0 "$S" demo --data "$D"
cid=$("$S" export --data "$D" | grep -m1 '"type":"channel_created"' |
  sed 's/.*"channel_id":"\(0x[0-9a-f]*\)".*/\1/')
check "show --go-nitro" run 0 "$S" show channel "$cid" --go-nitro --data "$D"
cp "$T/out" "$T/states.jsonl"
check "show --json" run 0 "$S" show channel "$cid" --json --data "$D"
cp "$T/out" "$T/channel.json"
check "the channel's events" run 0 "$S" log --channel "$cid" --json --data "$D"
cp "$T/out" "$T/events.jsonl"

# The turns and signatures as the log's state and proposal events record them: go-nitro keeps every turn, the
# node view (show --json) only the latest supported one and the turns after it.
check "every turn, its hash and its signers" python3 - "$S" "$T/states.jsonl" "$T/channel.json" \
    "$T/events.jsonl" <<'PY'
import json, subprocess, sys
statelog, lines_path, channel_path, events_path = sys.argv[1:]
known = {}
for line in open(events_path):
    e = json.loads(line)["event"]
    if e["type"] in ("state_signed", "state_received", "proposal_signed", "proposal_received"):
        turn = e["state"]["turn_num"]
        s = known.setdefault(turn, {"state_hash": e["state_hash"], "signatures": {}})
        s["signatures"][e["signer"]] = e["signature"]
channel = json.load(open(channel_path))
latest = channel["latest_supported"]
current = [turn for turn, _ in channel["states"]]
if latest is None or current != [t for t in sorted(known) if t >= latest]:
    sys.exit(f"show --json holds turns {current}, latest supported {latest}, of {sorted(known)}")
lines = open(lines_path).read().splitlines()
if len(lines) != len(known) or len(lines) < 3:
    sys.exit(f"{len(lines)} lines for {len(known)} signed turns")
for line in lines:
    ss = json.loads(line)
    turn = ss["State"]["TurnNum"]
    run = lambda *args: subprocess.run([statelog, "state", *args], input=line, text=True,
                                       capture_output=True, check=True).stdout.strip()
    if run("hash") != known[turn]["state_hash"]:
        sys.exit(f"turn {turn}: state hash {run('hash')} != {known[turn]['state_hash']}")
    if len(ss["Sigs"]) != len(known[turn]["signatures"]):
        sys.exit(f"turn {turn}: {len(ss['Sigs'])} signatures, the store has {len(known[turn]['signatures'])}")
    for index, sig in ss["Sigs"].items():
        signer = run("recover", "--sig", sig)
        if signer != ss["State"]["Participants"][int(index)].lower():
            sys.exit(f"turn {turn}: Sigs.{index} recovers to {signer}")
PY

if sh "$here/../gonitro/build_gotool.sh" "$T/gotool" "$T" >/dev/null; then
  check "Go's encoding/json reads the lines and writes them back identically" \
    bash -c "'$T/gotool' roundtrip <'$T/states.jsonl' | cmp - '$T/states.jsonl'"
else
  echo "note: Go or buntdb is not installed; the Go round trip is skipped"
fi
check "--go-nitro with --json is a usage error" \
  run 2 "$S" show channel "$cid" --go-nitro --json --data "$D"
finish
