#!/usr/bin/env sh
# Runs Go's encoding/json (tests/gonitro/gotool, Debian's golang-go, no modules) to write go-nitro
# SignedStates, then checks that statelog reads them and writes them back byte for byte.
#   go_json_test.sh NITRO_GO_JSON_TEST_BINARY
# Exit 77 (skipped) when Go or buntdb's sources are not installed.
set -eu
test_binary=$1
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
sh "$here/../gonitro/build_gotool.sh" "$work/gotool" "$work" || exit $?
"$work/gotool" gen 300 7 >"$work/states.jsonl"
STATELOG_GO_NITRO_JSON="$work/states.jsonl" "$test_binary" --gtest_filter='GoNitroJsonTest.*'
