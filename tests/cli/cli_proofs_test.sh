#!/usr/bin/env bash
# Proofs that travel, from the command line: `statelog checkpoint` signs with the node's key (a
# key file, never printed) and keeps each checkpoint in the store; `statelog prove` writes
# inclusion proofs of events (by offset and by id) and consistency proofs against the latest kept
# checkpoint; `statelog check-proof` checks them with no store, and fails, naming what failed, on
# a changed event, a wrong index, a dropped or reordered proof hash, a checkpoint signed by
# another key, a wrong --key, and a checkpoint of another history (a log started over, a fork).
# Usage: cli_proofs_test.sh PATH/TO/statelog
set -u
source "$(dirname "$0")/cli_lib.sh"
S="$(cd "$(dirname "$S")" && pwd)/$(basename "$S")"  # absolute: some checks run elsewhere
fixtures="$(cd "$(dirname "$0")/../fixtures/statelog1" && pwd)"
irene=0x111a00868581f73ab42feef67d235ca09ca1e8db
irene_key=0xfebb3b74b0b52d0976f6571d555f4ac8b91c308dfa25c7b58d1e6a7c3f50c781
alice=0xaaa6628ec44a8a742987ef3a114ddfe2d4f7adce
alice_key=0x2d999770f7b5d49b694080f987b82bbc9fc9ac2b4dcc10b0f8aba7d700f69c6d
origin="statelog/$irene"
echo "$irene_key" >"$T/irene.key"
echo "$alice_key" >"$T/alice.key"
chmod 600 "$T/irene.key" "$T/alice.key"
# Every output of the commands below, to check that no key is ever printed.
all="$T/all-output"
: >"$all"
keep() { cat "$T/out" "$T/err" >>"$all"; }

A=$T/a
check "demo makes Irene's log" run 0 "$S" demo --data "$A"
# Copies of the log as it is now, for the histories that part from it below.
cp -r "$A" "$T/fork"

# ---- The node key.
check "no key at all is a usage error" run 2 env -u STATELOG_NODE_KEY_FILE "$S" checkpoint --data "$A"
check "saying where the key comes from" grep -qx "statelog: InvalidArgument: no node key: give --key-file FILE or set STATELOG_NODE_KEY_FILE to a file holding the node's private key (0x and 64 hex digits)" "$T/err"
check "a missing key file" run 1 "$S" checkpoint --data "$A" --key-file "$T/none.key"
check "is named, with the reason" grep -qx "statelog: IOError: --key-file $T/none.key: cannot read it: No such file or directory" "$T/err"
printf 'febb3b74b0b52d0976f6571d555f4ac8b91c308dfa25c7b58d1e6a7c3f50c781\n' >"$T/bad.key"
check "a key without 0x" run 3 "$S" checkpoint --data "$A" --key-file "$T/bad.key"
check "is not 0x-hex" grep -qx "statelog: InvalidArgument: --key-file $T/bad.key: not 0x-hex; it must hold the node's private key, 0x and 64 hex digits on one line" "$T/err"
keep
printf '0xfebb3b74\n' >"$T/short.key"
check "a short key" run 3 "$S" checkpoint --data "$A" --key-file "$T/short.key"
check "names its length" grep -qx "statelog: InvalidArgument: --key-file $T/short.key: 8 hex digits; a secp256k1 private key has 64" "$T/err"
printf '%s\n%s\n' "$irene_key" "$irene_key" >"$T/two.key"
check "two lines" run 3 "$S" checkpoint --data "$A" --key-file "$T/two.key"
check "are refused" grep -qx "statelog: InvalidArgument: --key-file $T/two.key: more than one line; it must hold only the node's private key, 0x and 64 hex digits" "$T/err"
keep
printf '0x%064d\n' 0 >"$T/zero.key"
check "the zero key" run 3 "$S" checkpoint --data "$A" --key-file "$T/zero.key"
check "is no secp256k1 key" grep -qx "statelog: InvalidArgument: --key-file $T/zero.key: not a valid secp256k1 private key (zero or not below the curve order)" "$T/err"
check "a directory as key file" run 3 "$S" checkpoint --data "$A" --key-file "$T"
check "is named" grep -qx "statelog: InvalidArgument: --key-file $T: it is a directory" "$T/err"
check "another node's key is refused" run 3 "$S" checkpoint --data "$A" --key-file "$T/alice.key"
check "naming both addresses" grep -qx "statelog: FailedPrecondition: the node key is that of $alice; this log belongs to node $irene" "$T/err"
keep
check "and nothing was kept" run 3 "$S" checkpoint --data "$A" --latest
check "saying how to make one" grep -qx "statelog: FailedPrecondition: the store keeps no checkpoint yet: run \`statelog checkpoint --key-file FILE\` first" "$T/err"
check "no proof without a checkpoint" run 3 "$S" prove --data "$A" event 0
check "for the same reason" grep -q "the store keeps no checkpoint yet: run \`statelog checkpoint --key-file FILE\` first" "$T/err"
# A log written before rule sets has no node: it cannot sign.
tar xzf "$fixtures/rocksdb-store.tar.gz" -C "$T"
check "the statelog-1 store upgrades" run 0 "$S" import --data "$T/rocks" "$fixtures/rocksdb-export.jsonl"
check "a log without a node cannot sign" run 3 "$S" checkpoint --data "$T/rocks" --key-file "$T/irene.key"
check "and says why" grep -qx "statelog: FailedPrecondition: this log was written under rule set statelog-1 and records no node, so it has no node key to sign checkpoints with" "$T/err"

# ---- Checkpoints kept by the store.
check "the node's key signs a checkpoint" run 0 "$S" checkpoint --data "$A" --key-file "$T/irene.key"
keep
cp "$T/out" "$T/cp1"
check "kept as number 0, of the 76 demo events" grep -qx "kept checkpoint 0 of $origin: 76 events" "$T/err"
check "with no warning about a key file only its user reads" [ "$(grep -c warning "$T/err")" = 0 ]
check "its origin is the node's address" [ "$(sed -n 1p "$T/cp1")" = "$origin" ]
check "its size is the log's length" [ "$(sed -n 2p "$T/cp1")" = "76" ]
check "it names the chain head" grep -q "^keccak256-chain 0x[0-9a-f]\{64\}$" "$T/cp1"
check "it is signed under the origin" grep -q "^— $origin " "$T/cp1"
check "--latest prints it, with no key" run 0 env -u STATELOG_NODE_KEY_FILE "$S" checkpoint --data "$A" --latest
check "byte for byte" cmp "$T/out" "$T/cp1"
check "STATELOG_NODE_KEY_FILE names the key file" run 0 env STATELOG_NODE_KEY_FILE="$T/irene.key" "$S" checkpoint --data "$A"
keep
check "a second checkpoint is kept" grep -qx "kept checkpoint 1 of $origin: 76 events" "$T/err"
# Key files in other forms: CRLF line end, no newline; one others may read is used, with a warning.
printf '%s\r\n' "$irene_key" >"$T/crlf.key"
chmod 600 "$T/crlf.key"
check "a key file with a CRLF line end" run 0 "$S" checkpoint --data "$A" --key-file "$T/crlf.key"
keep
printf '%s' "$irene_key" >"$T/bare.key"
chmod 644 "$T/bare.key"
check "a key file without a newline, readable by others" run 0 "$S" checkpoint --data "$A" --key-file "$T/bare.key"
keep
check "is used, with a warning" grep -qx "statelog: warning: --key-file $T/bare.key is accessible to other users (mode 0644): make it readable by the node's user alone (chmod 600)" "$T/err"
check "and kept" grep -qx "kept checkpoint 3 of $origin: 76 events" "$T/err"
: >"$T/empty.key"
check "an empty key file" run 3 "$S" checkpoint --data "$A" --key-file "$T/empty.key"
check "is named" grep -qx "statelog: InvalidArgument: --key-file $T/empty.key: empty; it must hold the node's private key, 0x and 64 hex digits on one line" "$T/err"
check "the environment's file is named in its errors" run 3 env STATELOG_NODE_KEY_FILE="$T/short.key" "$S" checkpoint --data "$A"
check "as the environment's" grep -qx "statelog: InvalidArgument: key file $T/short.key (STATELOG_NODE_KEY_FILE): 8 hex digits; a secp256k1 private key has 64" "$T/err"
check "another origin is refused" run 3 "$S" checkpoint --data "$A" --key-file "$T/irene.key" --origin example.com/other
check "naming both origins" grep -qx "statelog: FailedPrecondition: refusing to sign the checkpoint of size 76: the last checkpoint signed is of $origin, not example.com/other" "$T/err"
check "an origin that is no key name is a usage error" run 2 "$S" checkpoint --data "$A" --key-file "$T/irene.key" --origin "a+b"
check "--latest takes no key" run 2 "$S" checkpoint --data "$A" --latest --key-file "$T/irene.key"

# ---- Inclusion proofs.
check "prove an event by offset" run 0 "$S" prove --data "$A" event 5 --out "$T/p5"
check "a tlog-proof file" [ "$(sed -n 1p "$T/p5")" = "c2sp.org/tlog-proof@v1" ]
check "of offset 5" [ "$(sed -n 3p "$T/p5")" = "index 5" ]
"$S" checkpoint --data "$A" --latest >"$T/latest"
check "against the latest kept checkpoint" bash -c "sed '1,/^\$/d' '$T/p5' | cmp - '$T/latest'"
id5=$("$S" export --data "$A" --from 5 --to 6 | sed 's/^{"id":"\(0x[0-9a-f]*\)".*/\1/')
check "prove the same event by id" run 0 "$S" prove --data "$A" event --id "$id5"
check "gives the same file" cmp "$T/out" "$T/p5"
check "an unknown id" run 3 "$S" prove --data "$A" event --id "0x$(printf 'ab%.0s' {1..32})"
check "is not found" grep -qx "statelog: NotFound: no event with id 0x$(printf 'ab%.0s' {1..32}) in the log" "$T/err"
check "an offset beyond the checkpoint" run 3 "$S" prove --data "$A" event 76
check "says to sign a newer one" grep -qx "statelog: OutOfRange: offset 76 is not in the latest kept checkpoint, of 76 events: run \`statelog checkpoint\` to sign a newer one" "$T/err"
check "both an offset and --id" run 2 "$S" prove --data "$A" event 5 --id "$id5"
check "is one too many" grep -qx "statelog: InvalidArgument: prove event: give either an OFFSET or --id EVENT_ID" "$T/err"
check "neither" run 2 "$S" prove --data "$A" event
check "is one too few" grep -qx "statelog: InvalidArgument: prove event: give either an OFFSET or --id EVENT_ID" "$T/err"
check "a bad offset" run 2 "$S" prove --data "$A" event x5

# check-proof opens no store: run where there is none, and refuse --data.
mkdir "$T/elsewhere"
check "check-proof passes, with no store" run 0 bash -c "cd '$T/elsewhere' && '$S' check-proof '$T/p5' --key $irene"
keep
check "no store was made" [ -z "$(ls -A "$T/elsewhere")" ]
check "it names the checkpoint" grep -qx "checkpoint: $origin, 76 events, signed by $origin+[0-9a-f]\{8\}+.*" "$T/out"
check "the event's offset, id and type" grep -qx "event: offset 5, id $id5, type state_received" "$T/out"
check "the inclusion proof" grep -qx "inclusion proof: OK (7 hashes)" "$T/out"
check "the event's id and signatures" grep -qx "event id and Nitro signatures: OK (1 signatures)" "$T/out"
check "and the verdict" grep -qx "check-proof: OK" "$T/out"
vkey=$(sed -n 's/^checkpoint: .*, signed by //p' "$T/out")
check "the vkey it printed works as --key" run 0 "$S" check-proof "$T/p5" --key "$vkey"
check "check-proof takes no --data" run 2 "$S" check-proof "$T/p5" --key $irene --data "$A"

# Tampering: each a copy of p5 with one change.
python3 - "$T/p5" "$T" <<'EOF'
import base64, sys
lines = open(sys.argv[1]).read().split('\n')
out = sys.argv[2]
def write(name, ls):
    open(out + '/' + name, 'w').write('\n'.join(ls))
event = base64.b64decode(lines[1][len('extra '):])
changed = event.replace(b'"amount":"100"', b'"amount":"101"', 1)
assert changed != event
write('p5-event', [lines[0], 'extra ' + base64.b64encode(changed).decode()] + lines[2:])
write('p5-index', lines[:2] + ['index 6'] + lines[3:])
write('p5-dropped', lines[:4] + lines[5:])
write('p5-reordered', lines[:3] + [lines[4], lines[3]] + lines[5:])
write('p5-no-extra', [lines[0]] + lines[2:])
EOF
root=$(sed -n 3p "$T/cp1")
tree="the inclusion proof of leaf 5 in a tree of 76 leaves"
check "a changed byte in the event fails" run 4 "$S" check-proof "$T/p5-event" --key $irene
check "its inclusion proof" grep -qx "statelog: Corruption: check-proof $T/p5-event FAILED: $tree leads to root [A-Za-z0-9+/=]\{44\}, not $root" "$T/err"
check "a wrong index fails" run 4 "$S" check-proof "$T/p5-index" --key $irene
check "as a proof of leaf 6" grep -qx "statelog: Corruption: check-proof $T/p5-index FAILED: the inclusion proof of leaf 6 in a tree of 76 leaves leads to root [A-Za-z0-9+/=]\{44\}, not $root" "$T/err"
check "a dropped proof hash fails" run 4 "$S" check-proof "$T/p5-dropped" --key $irene
check "by its length" grep -qx "statelog: InvalidArgument: check-proof $T/p5-dropped FAILED: $tree has 6 hashes; it needs 7" "$T/err"
check "reordered proof hashes fail" run 4 "$S" check-proof "$T/p5-reordered" --key $irene
check "at the root" grep -qx "statelog: Corruption: check-proof $T/p5-reordered FAILED: $tree leads to root [A-Za-z0-9+/=]\{44\}, not $root" "$T/err"
check "a proof without the event fails" run 4 "$S" check-proof "$T/p5-no-extra" --key $irene
check "saying the event is missing" grep -qx "statelog: InvalidArgument: check-proof $T/p5-no-extra FAILED: tlog-proof: no extra line; statelog's proofs carry the event there" "$T/err"
check "the wrong --key fails" run 4 "$S" check-proof "$T/p5" --key $alice
check "naming the key" grep -qx "statelog: Corruption: check-proof $T/p5 FAILED: the checkpoint is not signed by --key $alice: note: no signature by a known key (signed by $origin+[0-9a-f]\{8\}; known: $origin+[0-9a-f]\{8\})" "$T/err"
check "a malformed --key is a usage error" run 2 "$S" check-proof "$T/p5" --key 0x12
check "naming the flag" grep -qx "statelog: InvalidArgument: --key: hex must have 40 digits, has 2" "$T/err"
check "a file that is no proof" run 4 "$S" check-proof "$T/cp1" --key $irene
check "is refused" grep -qx "statelog: InvalidArgument: check-proof $T/cp1 FAILED: not a proof file: an inclusion proof starts with \"c2sp.org/tlog-proof@v1\", a consistency proof with \"old <size>\", a stream bundle with \"statelog-bundle@v1\"" "$T/err"
# A checkpoint signed by another key, under the same origin: Alice's own log signed with
# --origin set to Irene's log's name, its checkpoint put in place of p5's.
# (Alice's log starts with an objective Irene's log also has: objective_created at offset 1.)
"$S" export --data "$A" --from 1 --to 2 >"$T/alice.jsonl"
check "Alice's log" run 0 "$S" import --node $alice --data "$T/alice" "$T/alice.jsonl"
check "signs under Irene's origin" run 0 "$S" checkpoint --data "$T/alice" --key-file "$T/alice.key" --origin "$origin"
keep
{ sed '/^$/q' "$T/p5"; cat "$T/out"; } >"$T/p5-other-key"
check "a checkpoint signed by another key fails" run 4 "$S" check-proof "$T/p5-other-key" --key $irene
check "its signature" grep -qx "statelog: Corruption: check-proof $T/p5-other-key FAILED: the checkpoint is not signed by --key $irene: note: no signature by a known key (signed by $origin+[0-9a-f]\{8\}; known: $origin+[0-9a-f]\{8\})" "$T/err"

# ---- Stream bundles: a channel's and an objective's events against one checkpoint.
channel=$("$S" export --data "$A" --from 3 --to 4 | sed 's/.*"channel_id":"\(0x[0-9a-f]*\)".*/\1/')
objective=$("$S" export --data "$A" --from 1 --to 2 | sed 's/.*"objective_id":"\([^"]*\)".*/\1/')
check "prove a channel" run 0 "$S" prove --data "$A" channel "$channel" --out "$T/ch"
check "a bundle" [ "$(sed -n 1p "$T/ch")" = "statelog-bundle@v1" ]
check "of the channel" [ "$(sed -n 2p "$T/ch")" = "stream channel $channel" ]
nch=$(sed -n 's/^events //p' "$T/ch")
check "with all its versions" [ "$(grep -c '^version ' "$T/ch")" = "$nch" ]
check "check-proof passes it" run 0 "$S" check-proof "$T/ch" --key $irene
keep
check "naming the stream and its versions" grep -qx "stream: channel $channel, versions 1 to $nch" "$T/out"
check "the first event, the channel's creation" grep -qx "version 1: offset 3, id 0x[0-9a-f]\{64\}, type channel_created" "$T/out"
check "the proofs" grep -qx "inclusion proofs: OK ($nch events, no version missing)" "$T/out"
check "and the verdict" grep -qx "check-proof: OK" "$T/out"
check "prove an objective" run 0 "$S" prove --data "$A" objective "$objective" --out "$T/ob"
check "check-proof passes it" run 0 "$S" check-proof "$T/ob" --key $irene
check "naming the objective" grep -qx "stream: objective $objective, versions 1 to [0-9]*" "$T/out"
check "an unknown channel" run 3 "$S" prove --data "$A" channel "0x$(printf 'cd%.0s' {1..32})"
check "has no event" grep -qx "statelog: NotFound: the channel 0x$(printf 'cd%.0s' {1..32}) has no event in the latest kept checkpoint, of 76 events" "$T/err"
check "a malformed channel id" run 2 "$S" prove --data "$A" channel 0x12
# The objective that defunds the channel ends the log (offset 75), after all of the channel's own
# events: its last entry appended to the channel's bundle.
defund=$("$S" export --data "$A" --from 75 --to 76 | sed 's/.*"objective_id":"\([^"]*\)".*/\1/')
check "prove the defunding objective" run 0 "$S" prove --data "$A" objective "$defund" --out "$T/other"
python3 - "$T" <<'PYEOF'
import sys
t = sys.argv[1]
def entries(path):
    lines = open(path).read().split('\n')
    blank = lines.index('')
    head, body, rest = lines[:3], lines[3:blank], lines[blank:]
    out = []
    for line in body:
        if line.startswith('version '):
            out.append([line])
        else:
            out[-1].append(line)
    return head, out, rest
def write(name, head, es, rest, events=None):
    if events is not None:
        head = head[:2] + ['events %d' % events]
    open(t + '/' + name, 'w').write('\n'.join(head + [l for e in es for l in e] + rest))
head, es, rest = entries(t + '/ch')
n = len(es)
write('ch-gap', head, es[:2] + es[3:], rest)
write('ch-short', head, es[:-1], rest)
swapped = list(es)
swapped[1], swapped[2] = swapped[2], swapped[1]
write('ch-swapped', head, swapped, rest)
renum = [list(e) for e in es[:2] + es[3:]]
for i, e in enumerate(renum):
    e[0] = 'version %d index %s' % (i + 1, e[0].split(' index ')[1])
write('ch-renumbered', head, renum, rest, events=n - 1)
_, oes, _ = entries(t + '/other')
last = list(oes[-1])
last[0] = 'version %d index %s' % (n + 1, last[0].split(' index ')[1])
write('ch-foreign', head, es + [last], rest, events=n + 1)
PYEOF
bundle="statelog: Corruption: check-proof"
check "a bundle with a version missing fails" run 4 "$S" check-proof "$T/ch-gap" --key $irene
check "naming the gap" grep -qx "$bundle $T/ch-gap FAILED: bundle of channel $channel: version 3 is missing: entry 3 is version 4 after version 2" "$T/err"
check "a bundle without its last version fails" run 4 "$S" check-proof "$T/ch-short" --key $irene
check "naming it" grep -qx "$bundle $T/ch-short FAILED: bundle of channel $channel: $((nch - 1)) events of the $nch it names: version $nch is missing" "$T/err"
check "reordered versions fail" run 4 "$S" check-proof "$T/ch-swapped" --key $irene
check "naming the first out of place" grep -qx "$bundle $T/ch-swapped FAILED: bundle of channel $channel: version 2 is missing: entry 2 is version 3 after version 1" "$T/err"
# The versions are the prover's numbering, not part of the tree: an event dropped and the rest
# renumbered is not caught by the bundle alone (docs/tlog-format.md, "What a bundle proves"):
# this pins that limit, so that a change that authenticates versions changes this test.
check "an event dropped and the rest renumbered still checks" run 0 "$S" check-proof "$T/ch-renumbered" --key $irene
check "naming one version fewer" grep -qx "stream: channel $channel, versions 1 to $((nch - 1))" "$T/out"
check "another channel's event fails" run 4 "$S" check-proof "$T/ch-foreign" --key $irene
check "as not of the stream" grep -qx "$bundle $T/ch-foreign FAILED: version $((nch + 1)) (offset 75): the event is not of the channel $channel" "$T/err"
check "a bundle by another key fails" run 4 "$S" check-proof "$T/ch" --key $alice
check "naming the key" grep -q "^$bundle $T/ch FAILED: the checkpoint is not signed by --key $alice: " "$T/err"

# ---- Consistency proofs between kept checkpoints.
check "the log grows" run 0 "$S" demo --data "$A"
check "a newer checkpoint" run 0 "$S" checkpoint --data "$A" --key-file "$T/irene.key"
keep
cp "$T/out" "$T/cp2"
size2=$(sed -n 2p "$T/cp2")
check "of the longer log" [ "$size2" -gt 76 ]
check "prove consistency from the first" run 0 "$S" prove --data "$A" consistency "$T/cp1" --out "$T/c12"
check "a proof from size 76" [ "$(sed -n 1p "$T/c12")" = "old 76" ]
check "check-proof passes it" run 0 "$S" check-proof "$T/c12" --key $irene --older "$T/cp1"
check "naming both sizes" grep -qx "newer checkpoint: $origin, $size2 events, signed by $origin+.*" "$T/out"
check "and the verdict" grep -qx "check-proof: OK" "$T/out"
check "a consistency proof needs --older" run 2 "$S" check-proof "$T/c12" --key $irene
check "and says so" grep -qx "statelog: InvalidArgument: $T/c12 is a consistency proof: give --older FILE, the older checkpoint it starts from" "$T/err"
check "an inclusion proof takes no --older" run 2 "$S" check-proof "$T/p5" --key $irene --older "$T/cp1"
check "the older checkpoint by another key fails" run 4 "$S" check-proof "$T/c12" --key $alice --older "$T/cp1"
check "naming the older checkpoint" grep -q "^statelog: Corruption: check-proof $T/c12 FAILED: the older checkpoint $T/cp1 is not signed by --key $alice: " "$T/err"
check "an inclusion proof against the newer checkpoint" run 0 "$S" prove --data "$A" event 100 --out "$T/p100"
check "checks" run 0 "$S" check-proof "$T/p100" --key $irene
check "at offset 100" grep -q "^event: offset 100, " "$T/out"

# Another history of the same node: the copy made at 76 events grows its own way (the demo's
# timestamps are the clock's), so at the same size it has another tree.
check "a fork of the log" run 0 "$S" demo --data "$T/fork"
check "signs its own checkpoint" run 0 "$S" checkpoint --data "$T/fork" --key-file "$T/irene.key"
keep
cp "$T/out" "$T/cp-fork"
check "at the same size" [ "$(sed -n 2p "$T/cp-fork")" = "$size2" ]
check "with another root" [ "$(sed -n 3p "$T/cp-fork")" != "$(sed -n 3p "$T/cp2")" ]
# The fork shares the first 76 events: it extends cp1, honestly.
check "the fork extends the first checkpoint" run 0 "$S" prove --data "$T/fork" consistency "$T/cp1" --out "$T/c1f"
check "which checks" run 0 "$S" check-proof "$T/c1f" --key $irene --older "$T/cp1"
# But the log cannot prove consistency with the fork's checkpoint, nor the fork with the log's.
check "no proof from the fork's checkpoint" run 3 "$S" prove --data "$A" consistency "$T/cp-fork"
check "naming both roots" grep -qx "statelog: FailedPrecondition: no consistency proof from $T/cp-fork: the older checkpoint of size $size2 has root $(sed -n 3p "$T/cp-fork"); the log's tree at that size has root $(sed -n 3p "$T/cp2"): it is not a checkpoint of this history" "$T/err"
# Any holder of both checkpoints catches the fork: two trees of one size, different roots.
{ printf 'old %s\n\n' "$size2"; cat "$T/cp-fork"; } >"$T/c-fork"
check "two checkpoints of one size are checked" run 4 "$S" check-proof "$T/c-fork" --key $irene --older "$T/cp2"
check "and caught" grep -qx "statelog: Corruption: check-proof $T/c-fork FAILED: two trees of $size2 leaves with different roots $(sed -n 3p "$T/cp2") and $(sed -n 3p "$T/cp-fork")" "$T/err"
# A log started over: the same node's new demo log, 76 events of another history.
check "a log started over" run 0 "$S" demo --data "$T/over"
check "signs a checkpoint of its own" run 0 "$S" checkpoint --data "$T/over" --key-file "$T/irene.key"
keep
cp "$T/out" "$T/cp-over"
check "of 76 events" [ "$(sed -n 2p "$T/cp-over")" = "76" ]
check "the log cannot prove it extends it" run 3 "$S" prove --data "$A" consistency "$T/cp-over"
check "not of this history" grep -q "^statelog: FailedPrecondition: no consistency proof from $T/cp-over: the older checkpoint of size 76 has root .*: it is not a checkpoint of this history$" "$T/err"
check "the log's honest proof fails against it" run 4 "$S" check-proof "$T/c12" --key $irene --older "$T/cp-over"
check "at the old root" grep -qx "statelog: Corruption: check-proof $T/c12 FAILED: the consistency proof from size 76 to size $size2 leads to old root [A-Za-z0-9+/=]\{44\}, not $(sed -n 3p "$T/cp-over")" "$T/err"

# No key ever reached an output.
check "the key is never printed" bash -c "! grep -qi -e '${irene_key#0x}' -e '${alice_key#0x}' '$all'"
finish
