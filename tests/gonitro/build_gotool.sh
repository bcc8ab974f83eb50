#!/usr/bin/env sh
# Builds a Go program of tests/gonitro (default gotool: go-nitro's types, Go's encoding/json and
# the real buntdb; buntdbwriter: buntdb alone) with Debian's Go in GOPATH mode against
# /usr/share/gocode: no module downloads.
#   build_gotool.sh OUTPUT_BINARY WORK_DIR [PROGRAM_DIR]
# Exit 77 (skipped) when golang-go or golang-github-tidwall-buntdb-dev is not installed.
set -eu
out=$1
work=$2
program=${3:-gotool}
here=$(cd "$(dirname "$0")" && pwd)
gopath=/usr/share/gocode
if ! command -v go >/dev/null || [ ! -d "$gopath/src/github.com/tidwall/buntdb" ]; then
  echo "SKIP: needs golang-go and golang-github-tidwall-buntdb-dev"
  exit 77
fi
cd "$here/$program"
GO111MODULE=off GOPATH="$gopath" GOCACHE="$work/gocache" go build -o "$out" .
