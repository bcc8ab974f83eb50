#!/usr/bin/env sh
# Runs Go's encoding/json (gojson/gen.go, Debian's golang-go, no modules) to write go-nitro
# SignedStates, then checks that statelog reads them and writes them back byte for byte.
#   go_json_test.sh NITRO_GO_JSON_TEST_BINARY
# Exit 77 (skipped) when Go is not installed.
set -eu
test_binary=$1
here=$(cd "$(dirname "$0")" && pwd)
if ! command -v go >/dev/null; then
  echo "SKIP: go is not installed (Debian package golang-go)"
  exit 77
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
GO111MODULE=off GOCACHE="$work/cache" GOPATH="$work/gopath" \
  go run "$here/gojson/gen.go" 300 7 >"$work/states.jsonl"
STATELOG_GO_NITRO_JSON="$work/states.jsonl" "$test_binary" --gtest_filter='GoNitroJsonTest.*'
