#!/usr/bin/env sh
# Writes buntdb files with the real buntdb (buntdbwriter/main.go: Debian's Go and
# golang-github-tidwall-buntdb-dev, GOPATH mode, no modules) and checks that statelog's reader
# finds in them what buntdb itself reads back: once with every command kept, once shrunk as
# go-nitro's configuration does.
#   buntdb_test.sh GONITRO_TEST_BINARY
# Exit 77 (skipped) when Go or the buntdb sources are not installed.
set -eu
test_binary=$1
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
sh "$here/build_gotool.sh" "$work/buntdbwriter" "$work" buntdbwriter || exit $?
# 300 keys set, half of them overwritten, a third deleted, one 100 KB value.
python3 - >"$work/commands" <<'PY'
for i in range(300):
    print(f"set\tkey-{i:04d}\tvalue {i} " + "x" * (i % 17))
for i in range(0, 300, 2):
    print(f"set\tkey-{i:04d}\tsecond value {i}")
for i in range(0, 300, 3):
    print(f"del\tkey-{i:04d}")
print("set\tlarge\t" + "L" * 100000)
PY
for mode in keep shrink; do
  "$work/buntdbwriter" "$work/$mode.db" "$mode" <"$work/commands" >"$work/$mode.json"
  BUNTDB_FIXTURE="$work/$mode.db" BUNTDB_EXPECTED="$work/$mode.json" \
    "$test_binary" --gtest_filter='BuntdbRealFileTest.*'
done
# The shrunk file holds one command per live key; the other one every command.
[ "$(wc -c <"$work/shrink.db")" -lt "$(wc -c <"$work/keep.db")" ]
