#!/usr/bin/env bash
# A full disk is an error, not a crash: `statelog demo` runs repeatedly into a real 4 MiB tmpfs
# until the disk reserve is reached. Checks: a clear NoSpace error and exit 1 (never SIGABRT,
# 134); verify, stats, export, show and log still work, also with the disk full to the last
# byte; after space is freed (a filler file deleted, the tmpfs remounted bigger) appends resume
# and nothing acknowledged was lost. Needs root (mount); exits 77 (skipped) where it cannot mount.
# Usage: cli_full_disk_test.sh PATH/TO/statelog
set -u
source "$(dirname "$0")/cli_lib.sh"
M=$T/mnt
mkdir "$M"
if ! mount -t tmpfs -o size=4m tmpfs "$M" 2>"$T/mount.err"; then
  echo "SKIPPED: cannot mount a tmpfs ($(cat "$T/mount.err")); run as root to test a full disk"
  exit 77
fi
trap 'umount -l "$M"; rm -rf "$T"' EXIT
D=$M/data
R=(--disk-reserve 1MiB)

# Other files take half of the disk (fewer runs fill the rest). Then fill: each run appends 56
# events; stop at the first failure.
dd if=/dev/zero of="$M/other" bs=1M count=2 >/dev/null 2>&1
runs=0
rc=0
while [ $runs -lt 500 ]; do
  "$S" demo --data "$D" "${R[@]}" >"$T/out" 2>"$T/err"
  rc=$?
  [ $rc -ne 0 ] && break
  runs=$((runs + 1))
done
check "the disk filled after some runs (runs: $runs)" [ $runs -gt 2 ] && [ $runs -lt 500 ]
check "a full disk is exit 1, not an abort (rc $rc)" [ $rc -eq 1 ]
check "with a NoSpace error naming the reserve" grep -q "NoSpace: .*bytes free on the file system of $D, the store keeps 1048576 free (RocksDbOptions::disk_reserve_bytes) plus room to compact its [0-9]* bytes of tables" "$T/err"
check "and no assertion" bash -c "! grep -qi 'assert' '$T/err'"
run 0 "$S" export --data "$D"
cp "$T/out" "$T/acked.jsonl"
acked=$(grep -c . "$T/acked.jsonl")
check "every completed run's events are there ($acked)" [ "$acked" -ge $((runs * 56)) ]

read_only_commands_work() {  # $1: a label for the messages
  check "verify on a $1 disk" run 0 "$S" verify --data "$D"
  check "verify says OK" grep -q "verify: OK" "$T/out"
  check "stats on a $1 disk" run 0 "$S" stats --json --data "$D"
  check "export on a $1 disk" run 0 "$S" export --data "$D"
  check "export unchanged" cmp -s "$T/out" "$T/acked.jsonl"
  check "log on a $1 disk" run 0 "$S" log --limit 3 --data "$D"
  local cid
  cid=$(grep -m1 '"type":"channel_created"' "$T/acked.jsonl" | sed 's/.*"channel_id":"\(0x[0-9a-f]*\)".*/\1/')
  check "show on a $1 disk" run 0 "$S" show channel "$cid" --data "$D"
}
read_only_commands_work "nearly full"

# Full to the last byte.
dd if=/dev/zero of="$M/filler" bs=64k >/dev/null 2>&1
dd if=/dev/zero of="$M/filler" bs=1 oflag=append conv=notrunc >/dev/null 2>&1
check "the disk is full" [ "$(df --output=avail -B1 "$M" | tail -n 1 | tr -d ' ')" -eq 0 ]
read_only_commands_work "full"
check "demo on a full disk fails cleanly" run 1 "$S" demo --data "$D" "${R[@]}"
check "with NoSpace" grep -q "NoSpace: cannot open $D: opening for writing: 0 bytes free" "$T/err"
check "import on a full disk fails cleanly" run 1 "$S" import "$T/acked.jsonl" --data "$D" "${R[@]}"
check "snapshot on a full disk fails cleanly" run 1 "$S" snapshot --data "$D" "${R[@]}"

# Space freed: appends resume, nothing acknowledged lost.
rm "$M/filler" "$M/other"
mount -o remount,size=8m "$M"
check "demo resumes once space is freed" run 0 "$S" demo --data "$D" "${R[@]}"
check "and verifies" grep -q "re-checked: OK" "$T/out"
run 0 "$S" export --data "$D"
check "the acknowledged events are a prefix of the log" cmp -s <(head -n "$acked" "$T/out") "$T/acked.jsonl"
check "and the new run follows them" [ "$(grep -c . "$T/out")" -ge $((acked + 56)) ]
# Info logs stay bounded however often the store is opened.
for _ in 1 2 3 4 5 6 7 8; do "$S" stats --data "$D" >/dev/null 2>&1; "$S" snapshot --data "$D" "${R[@]}" >/dev/null 2>&1; done
check "at most 4 old info logs" [ "$(find "$D" -name 'LOG.old.*' | wc -l)" -le 4 ]

finish
