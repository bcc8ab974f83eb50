#!/usr/bin/env sh
# statelog's tree, proofs and checkpoints against Go's golang.org/x/mod/sumdb/tlog and sumdb/note
# (Debian's golang-golang-x-mod-dev; the eip191-secp256k1 type with golang-github-btcsuite-btcd-
# btcec-dev and golang-golang-x-crypto-dev), built in GOPATH mode: no module downloads.
#   go_interop_test.sh TLOG_INTEROP_FIXTURE
# 1. the fixture writes a tree of 1000 leaves, proofs, signed checkpoints and .tlog-proof files;
# 2. gocheck checks them with Go's code, then signs and proves with Go's code;
# 3. the fixture checks what Go wrote.
# Exit 77 (skipped) when Go or one of those packages is not installed.
set -eu
fixture=$1
here=$(cd "$(dirname "$0")" && pwd)
gopath=/usr/share/gocode
for p in golang.org/x/mod/sumdb/tlog github.com/btcsuite/btcd/btcec golang.org/x/crypto/sha3; do
  if ! command -v go >/dev/null || [ ! -d "$gopath/src/$p" ]; then
    echo "SKIP: needs golang-go, golang-golang-x-mod-dev, golang-github-btcsuite-btcd-btcec-dev and golang-golang-x-crypto-dev"
    exit 77
  fi
done
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
(cd "$here/gocheck" && GO111MODULE=off GOPATH="$gopath" GOCACHE="$work/gocache" go build -o "$work/gocheck" .)
mkdir "$work/out"
"$fixture" write "$work/out"
"$work/gocheck" "$work/out"
"$fixture" read "$work/out"
