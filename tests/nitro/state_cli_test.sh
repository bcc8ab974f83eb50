#!/bin/sh
# End-to-end test of `statelog state id|hash|sign|recover` (usage: state_cli_test.sh STATELOG).
# Checks exit codes, that stdout is exactly one line of 0x-hex of the right length, and that
# errors go to stderr naming the problem.
set -u
BIN="$1"
TMP="${TMPDIR:-/tmp}/statelog_state_cli.$$"
mkdir -p "$TMP"
trap 'rm -rf "$TMP"' EXIT
FAILED=0

fail() { echo "FAIL: $*" >&2; FAILED=1; }

STATE='{"Participants":["0xAAA6628Ec44A8a742987EF3A114dDFE2D4F7aDCE","0xBBB676f9cFF8D242e9eaC39D063848807d3D1D94"],"ChannelNonce":37140676580,"AppDefinition":"0x5e29e5ab8ef33f050c7cc10b5a0456d975c5f88d","ChallengeDuration":60,"AppData":"","Outcome":[{"Asset":"0x0000000000000000000000000000000000000000","AssetMetadata":{"AssetType":0,"Metadata":""},"Allocations":[{"Destination":"0x000000000000000000000000aaa6628ec44a8a742987ef3a114ddfe2d4f7adce","Amount":1606938044258990275541962092341162602522202993782792835301376,"AllocationType":0,"Metadata":null}]}],"TurnNum":5,"IsFinal":false}'
ALICE_KEY=0x2d999770f7b5d49b694080f987b82bbc9fc9ac2b4dcc10b0f8aba7d700f69c6d
ALICE=0xaaa6628ec44a8a742987ef3a114ddfe2d4f7adce

# run NAME WANT_RC HEXLEN INPUT ARGS...: runs the binary, checks rc and (when rc 0) the output.
run() {
  name=$1 want_rc=$2 hexlen=$3 input=$4
  shift 4
  printf '%s' "$input" | "$BIN" state "$@" >"$TMP/out" 2>"$TMP/err"
  rc=$?
  [ "$rc" -eq "$want_rc" ] || fail "$name: exit code $rc, want $want_rc ($(cat "$TMP/err"))"
  if [ "$want_rc" -eq 0 ]; then
    lines=$(wc -l <"$TMP/out")
    [ "$lines" -eq 1 ] || fail "$name: $lines lines of output, want 1"
    grep -Eq "^0x[0-9a-f]{$hexlen}\$" "$TMP/out" || fail "$name: bad output '$(cat "$TMP/out")'"
    [ -s "$TMP/err" ] && fail "$name: unexpected stderr '$(cat "$TMP/err")'"
  else
    [ -s "$TMP/out" ] && fail "$name: unexpected stdout '$(cat "$TMP/out")'"
    [ -s "$TMP/err" ] || fail "$name: no error message on stderr"
  fi
}

run id 0 64 "$STATE" id
ID=$(cat "$TMP/out")
run hash 0 64 "$STATE" hash
HASH=$(cat "$TMP/out")
[ "$ID" != "$HASH" ] || fail "channel id equals state hash"
run sign 0 130 "$STATE" sign --key "$ALICE_KEY"
SIG=$(cat "$TMP/out")
case "$SIG" in *1b|*1c) ;; *) fail "sign: v is not 27/28 in $SIG" ;; esac
# go-nitro's test keys are written without 0x: the same key, the same signature.
run sign-bare-key 0 130 "$STATE" sign --key "${ALICE_KEY#0x}"
[ "$(cat "$TMP/out")" = "$SIG" ] || fail "sign-bare-key: $(cat "$TMP/out"), want $SIG"
run recover 0 40 "$STATE" recover --sig "$SIG"
[ "$(cat "$TMP/out")" = "$ALICE" ] || fail "recover: got $(cat "$TMP/out"), want $ALICE"

# A SignedState works the same, and recover uses its single signature without --sig.
SIGNED="{\"State\":$STATE,\"Sigs\":{\"0\":\"$SIG\"}}"
run signed-id 0 64 "$SIGNED" id
[ "$(cat "$TMP/out")" = "$ID" ] || fail "signed-id: differs from the bare state's id"
run signed-hash 0 64 "$SIGNED" hash
[ "$(cat "$TMP/out")" = "$HASH" ] || fail "signed-hash: differs from the bare state's hash"
run signed-recover 0 40 "$SIGNED" recover
[ "$(cat "$TMP/out")" = "$ALICE" ] || fail "signed-recover: got $(cat "$TMP/out")"

# Byte fields are base64 as go-nitro writes them: AppData 0xdeadbeef is "3q2+7w==", and it
# changes the hash; the hex form is not read as hex.
B64_STATE=$(printf '%s' "$STATE" | sed 's/"AppData":""/"AppData":"3q2+7w=="/')
run b64-hash 0 64 "$B64_STATE" hash
[ "$(cat "$TMP/out")" != "$HASH" ] || fail "b64-hash: AppData did not change the hash"
run hex-appdata 3 0 "$(printf '%s' "$STATE" | sed 's/"AppData":""/"AppData":"0xdeadbeef"/')" hash
grep -q 'State.AppData\|AppData: base64' "$TMP/err" || fail "hex-appdata: '$(cat "$TMP/err")'"

# Bad input: exit code 3, message on stderr naming the problem.
run bad-json 3 0 '{"Participants":' hash
run bad-amount 3 0 "$(printf '%s' "$STATE" | sed 's/"Amount":[0-9]*/"Amount":-1/')" hash
grep -q 'Outcome\[0\].Allocations\[0\].Amount' "$TMP/err" || fail "bad-amount: field not named"
run bad-key 3 0 "$STATE" sign --key 0x1234
grep -q -- '--key' "$TMP/err" || fail "bad-key: --key not named"
run zero-key 3 0 "$STATE" sign --key 0x0000000000000000000000000000000000000000000000000000000000000000
run bad-sig-hex 3 0 "$STATE" recover --sig 0xzz
run bad-sig-v 3 0 "$STATE" recover --sig "$(printf '%s' "$SIG" | sed 's/..$/05/')"
grep -q 'v must be 27 or 28' "$TMP/err" || fail "bad-sig-v: message '$(cat "$TMP/err")'"
run recover-no-sig 3 0 "$STATE" recover
# Usage errors (CLI11) exit 2.
run sign-no-key 2 0 "$STATE" sign

exit $FAILED
