# Shared by scripts/demo and scripts/test: installs missing Debian packages and builds.
# Sourced, not run.

STATELOG_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
STATELOG_BUILD=${STATELOG_BUILD:-$STATELOG_ROOT/build}
STATELOG_JOBS=${STATELOG_JOBS:-$(nproc)}

# Packages needed to build, test and run statelog (Debian 12).
STATELOG_PACKAGES=(
  cmake ninja-build g++ pkg-config
  libgtest-dev libgmock-dev libbenchmark-dev
  libsecp256k1-dev libcrypto++-dev libsimdjson-dev nlohmann-json3-dev libcli11-dev
  librocksdb-dev libsqlite3-dev libpq-dev postgresql python3
  patroni etcd-server python3-etcd # the PostgreSQL failover test
  golang-go                         # the go-nitro JSON test runs Go's encoder
  golang-github-tidwall-buntdb-dev  # and the buntdb reader's test the real buntdb
  golang-golang-x-mod-dev golang-github-btcsuite-btcd-btcec-dev golang-golang-x-crypto-dev
                                    # the Merkle tree's and checkpoints' tests against Go's sumdb
  libcpp-httplib-dev                # statelog serve's HTTP server
  chromium                          # the web explorer's tests run it headless
)
# Extra packages for .ci/run: the sanitizer, fuzzing and coverage runs, and the Go package's tests
# (scripts/consumers).
STATELOG_CI_PACKAGES=(clang-14 libclang-rt-14-dev gcovr golang-go)
# Commands .ci/run needs, as COMMAND=PACKAGE: the package is installed only when the command is
# missing (a Node.js from elsewhere may bring its own npm, which conflicts with Debian's). npm
# installs Zig 0.11.0 for the Zig package's tests (scripts/consumers).
STATELOG_CI_COMMANDS=(npm=npm)

log() { printf '\033[1m==> [%s +%ss] %s\033[0m\n' "$(date -u +%T)" "$SECONDS" "$*" >&2; }

# install_packages PKG...: installs the ones that are missing, with apt-get (root or sudo).
install_packages() {
  local missing=()
  for p in "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  log "installing ${missing[*]}"
  local sudo=""
  [ "$(id -u)" -ne 0 ] && sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
}

# install_commands COMMAND=PACKAGE...: installs the PACKAGEs whose COMMAND is missing.
install_commands() {
  local missing=()
  for pair in "$@"; do
    command -v "${pair%%=*}" >/dev/null || missing+=("${pair#*=}")
  done
  [ ${#missing[@]} -eq 0 ] || install_packages "${missing[@]}"
}

# build DIR [cmake args...]: configures (Release by default) and builds everything in DIR.
# STATELOG_BUILD_TARGET (optional) builds only that target, e.g. statelog_concurrency_tests.
build() {
  local dir=$1
  shift
  log "building in $dir${STATELOG_BUILD_TARGET:+ (target $STATELOG_BUILD_TARGET)}"
  cmake -S "$STATELOG_ROOT" -B "$dir" -G Ninja -DCMAKE_BUILD_TYPE=Release "$@" >/dev/null
  cmake --build "$dir" -j "$STATELOG_JOBS" ${STATELOG_BUILD_TARGET:+--target "$STATELOG_BUILD_TARGET"}
}
