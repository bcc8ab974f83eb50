#!/usr/bin/env sh
# Builds gotool (tests/gonitro/gotool: go-nitro's types, Go's encoding/json and the real buntdb)
# with Debian's Go in GOPATH mode against /usr/share/gocode: no module downloads.
#   build_gotool.sh OUTPUT_BINARY WORK_DIR
# Exit 77 (skipped) when golang-go or golang-github-tidwall-buntdb-dev is not installed.
set -eu
out=$1
work=$2
here=$(cd "$(dirname "$0")" && pwd)
gopath=/usr/share/gocode
if ! command -v go >/dev/null || [ ! -d "$gopath/src/github.com/tidwall/buntdb" ]; then
  echo "SKIP: needs golang-go and golang-github-tidwall-buntdb-dev"
  exit 77
fi
cd "$here/gotool"
GO111MODULE=off GOPATH="$gopath" GOCACHE="$work/gocache" go build -o "$out" .
