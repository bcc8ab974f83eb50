#!/usr/bin/env bash
# Vets and tests the Go package against an installed statelog found through pkg-config (the
# caller sets PKG_CONFIG_PATH, and LD_LIBRARY_PATH for a prefix outside the loader's path), in
# GOPATH mode: no module, no download, no network. The repository is linked into a temporary
# GOPATH as import path "statelog".
# Usage: bindings/go/test.sh WORK_DIR
set -euo pipefail
work=${1:?usage: bindings/go/test.sh WORK_DIR}
root=$(cd "$(dirname "$0")/../.." && pwd)
mkdir -p "$work/gopath/src"
ln -sfn "$root" "$work/gopath/src/statelog"
export GOPATH=$work/gopath GOCACHE=$work/gocache GO111MODULE=off GOFLAGS= GOPROXY=off
export CGO_ENABLED=1
cd "$work/gopath/src/statelog/bindings/go/statelog"
go version
go vet .
go test -race -count=1 -v .
