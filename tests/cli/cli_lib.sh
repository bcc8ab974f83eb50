# Shared by the tests of the statelog command; sourced with the statelog binary as $1.
# Sets S (the binary) and T (a temporary directory, removed at exit) and defines check, run and
# finish.
S=$1
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
fails=0
pass=0
check() {  # check NAME CONDITION...
  local name=$1
  shift
  if "$@"; then pass=$((pass + 1)); else echo "FAIL: $name" >&2; fails=$((fails + 1)); fi
}
run() {  # run EXPECTED_RC CMD...: runs, stores stdout/stderr in $T/out $T/err, checks rc
  local want=$1
  shift
  "$@" >"$T/out" 2>"$T/err"
  local rc=$?
  [ "$rc" -eq "$want" ] || { echo "  rc $rc, wanted $want: $*" >&2; sed 's/^/    /' "$T/err" >&2; return 1; }
}
finish() {  # prints the counts; fails when a check failed
  echo "$pass passed, $fails failed"
  [ "$fails" -eq 0 ]
}
