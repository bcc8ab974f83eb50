#!/usr/bin/env bash
# `statelog backup`, `restore` and `backup-check` (docs/adr/0021-online-backups.md): a backup
# verifies, is the store's history after the store grew, restores into a new directory that
# verifies with the same head; the exact error texts for an existing DEST, a missing parent, a
# PostgreSQL store, an existing restore target and a damaged backup; controls that fail.
# Usage: cli_backup_test.sh PATH/TO/statelog
set -u
source "$(dirname "$0")/cli_lib.sh"
G=(generate --payments 4 --challenges 20 --open 20 --concurrency 4)

check "a store to back up" run 0 "$S" "${G[@]}" --channels 30 --seed 5 --data "$T/live"
check "backup" run 0 "$S" backup "$T/b1" --data "$T/live"
head_line=$(grep '^backup ' "$T/out")
length=$(echo "$head_line" | sed 's/.*: \([0-9]*\) events, head chain \(0x[0-9a-f]*\)$/\1/')
chain=$(echo "$head_line" | sed 's/.*: \([0-9]*\) events, head chain \(0x[0-9a-f]*\)$/\2/')
check "backup prints its head" [ "$head_line" = "backup $T/b1: $length events, head chain $chain" ]
check "and what it verified" grep -q "^verified: $length events, [0-9]* signatures, [0-9]* snapshots (" "$T/out"
check "no partial directory is left" [ ! -e "$T/b1.partial" ]
check "the store's head is the backup's" run 0 "$S" verify --data "$T/live" --head "$length:$chain"
check "the backup is a store that verifies" run 0 "$S" verify --data "$T/b1"
check "with the same head" grep -q "^head: $length events, chain $chain$" "$T/out"

# The store grows: the backup is still its history up to its length.
check "the store grows" run 0 "$S" snapshot --data "$T/live"
check "backup-check" run 0 "$S" backup-check "$T/b1" --data "$T/live"
check "says so" grep -q "^same history as RocksDB store $T/live up to $length events (the store has $((length + 1)))$" "$T/out"
check "another, shorter history" run 0 "$S" "${G[@]}" --channels 10 --seed 6 --data "$T/more"

# Control: the backup of another history is not this store's.
check "a backup of another store" run 0 "$S" backup "$T/other" --data "$T/more"
check "backup-check refuses it" run 4 "$S" backup-check "$T/other" --data "$T/live"
check "naming both" grep -q "^statelog: FailedPrecondition: backup-check: $T/other is not the history of RocksDB store $T/live: at length " "$T/err"

# Restore.
check "restore" run 0 "$S" restore "$T/b1" --data "$T/restored"
check "restore prints the head" grep -q "^restored into $T/restored: $length events, head chain $chain$" "$T/out"
check "the restored store verifies with the head" run 0 "$S" verify --data "$T/restored" --head "$length:$chain"
check "and takes appends" run 0 "$S" snapshot --data "$T/restored"

# The errors, word for word.
check "DEST exists" run 1 "$S" backup "$T/b1" --data "$T/live"
check "DEST exists: text" [ "$(cat "$T/err")" = "statelog: AlreadyExists: backup: $T/b1 exists (a backup is written only into a new directory)" ]
check "DEST's parent missing" run 1 "$S" backup "$T/no/b" --data "$T/live"
check "DEST's parent missing: text" [ "$(cat "$T/err")" = "statelog: NotFound: backup: the parent directory of $T/no/b does not exist ($T/no)" ]
check "a PostgreSQL store" run 1 "$S" backup "$T/pg" --store "postgresql://nobody@127.0.0.1:1/none"
check "a PostgreSQL store: text" [ "$(cat "$T/err")" = "statelog: NotSupported: backup: a PostgreSQL store is backed up with PostgreSQL's own tools (pg_dump --schema statelog, or pg_basebackup), or as its events up to one log position with 'statelog export --to N' (docs/operations/backup-restore.md)" ]
check "restore into an existing directory" run 1 "$S" restore "$T/b1" --data "$T/live"
check "restore into an existing directory: text" [ "$(cat "$T/err")" = "statelog: AlreadyExists: restore: $T/live exists (a backup is restored only into a new directory; move it away first)" ]
check "a missing store" run 1 "$S" backup "$T/b2" --data "$T/none"
check "a missing store is named" grep -q "^statelog: NotFound: backup: cannot open $T/none" "$T/err"
check "a missing backup" run 1 "$S" restore "$T/none" --data "$T/r2"
check "a missing backup: text" [ "$(cat "$T/err")" = "statelog: NotFound: restore: backup $T/none does not exist (or is not a directory)" ]

# A damaged backup: restore refuses it, writing nothing.
cp -r "$T/b1" "$T/damaged"
for f in "$T"/damaged/*.sst; do
  size=$(stat -c %s "$f")
  printf 'ZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZ' |
    dd of="$f" bs=1 seek=$((size / 3)) conv=notrunc status=none
done
check "restore refuses a damaged backup" run 4 "$S" restore "$T/damaged" --data "$T/r3"
check "a damaged backup: text" grep -q "^statelog: Corruption: restore: $T/damaged is not a complete backup: " "$T/err"
check "nothing is restored" [ ! -e "$T/r3" ] && [ ! -e "$T/r3.partial" ]
check "backup-check refuses it too" run 4 "$S" backup-check "$T/damaged" --data "$T/live"

# A partial directory left by an interrupted backup is not a backup, and the next one removes it.
mkdir -p "$T/b4.partial/store"
check "a leftover partial directory" run 4 "$S" backup-check "$T/b4.partial/store" --data "$T/live"
check "a leftover partial directory: text" [ "$(cat "$T/err")" = "statelog: Corruption: backup-check: $T/b4.partial/store is not a complete backup: it is in the temporary directory of an interrupted backup (*.partial), which is never a backup" ]
cp -r "$T/b1" "$T/b4.partial/store/"
check "even when its store is complete" run 4 "$S" restore "$T/b4.partial/store" --data "$T/r4"
check "the next backup removes it" run 0 "$S" backup "$T/b4" --data "$T/live"
check "gone" [ ! -e "$T/b4.partial" ]
finish
