#!/usr/bin/env bash
# Rule sets and node identity from the command line: a store written before rule sets (the
# fixture tests/fixtures/statelog1, made by statelog 0.2's `statelog demo`) opens, verifies under
# rule set statelog-1 and says so; it cannot be opened as a node's log; a new store made with
# --node records the node, checks go-nitro's rules and refuses to become another node's log.
# Usage: cli_rule_sets_test.sh PATH/TO/statelog
set -u
source "$(dirname "$0")/cli_lib.sh"
fixtures="$(cd "$(dirname "$0")/../fixtures/statelog1" && pwd)"
irene=0x111a00868581f73ab42feef67d235ca09ca1e8db
alice=0xaaa6628ec44a8a742987ef3a114ddfe2d4f7adce

tar xzf "$fixtures/rocksdb-store.tar.gz" -C "$T"
L=$T/rocks
# The store is RocksDB format 2: a read-only open asks for the upgrade, which the first open for
# writing makes. Re-importing its own history is such an open, and appends nothing (every event is
# a retry).
check "a read-only open of the old format" run 1 "$S" verify --data "$L"
check "asks for the upgrade" grep -q "format version 2 must be upgraded, which a read-only open cannot do: open the store for writing once" "$T/err"
check "its own history re-imports" run 0 "$S" import --data "$L" "$fixtures/rocksdb-export.jsonl"
check "as a retry" grep -q "imported 0 events (58 already present)" "$T/out"
check "a statelog-1 store verifies" run 0 "$S" verify --data "$L"
check "all 58 events and both snapshots" grep -q "58 events, 22 signatures, 2 snapshots checked" "$T/out"
check "under rule set statelog-1" grep -q "^rules: statelog-1 (no node: a log written before rule sets)$" "$T/out"
check "verify --json names the rule set" run 0 "$S" verify --json --data "$L"
check "and no node" grep -q '"rules":"statelog-1","node":null' "$T/out"
check "stats says so" run 0 "$S" stats --data "$L"
check "stats names the rule set" grep -q "rules:       statelog-1 (no node" "$T/out"
check "the same history as when it was written" run 0 "$S" export --data "$L"
check "event for event" cmp "$T/out" "$fixtures/rocksdb-export.jsonl"
before=$("$S" export --data "$L" | md5sum)
check "it is no node's log" run 1 "$S" import --node "$irene" --data "$L" "$fixtures/rocksdb-export.jsonl"
check "and says why" grep -q "the log was written under rule set statelog-1 and records no node, so it cannot be opened as the log of node $irene" "$T/err"
check "the demo refuses it too" run 1 "$S" demo --data "$L"
check "and says to start over" grep -q "this store is not Irene's log (start over with --fresh)" "$T/err"
check "nothing changed" [ "$before" = "$("$S" export --data "$L" | md5sum)" ]

# A node's new log.
N=$T/node
check "demo makes Irene's log" run 0 "$S" demo --data "$N"
check "which verifies under rule set 2" run 0 "$S" verify --data "$N"
check "naming Irene's node" grep -q "^rules: nitro-2, node $irene$" "$T/out"
check "its first event is log_created" bash -c "'$S' export --to 1 --data '$N' | grep -q '\"type\":\"log_created\",\"ts\":[0-9]*,\"node\":\"$irene\",\"rules\":2}'"
check "another node's import is refused" run 1 "$S" import --node "$alice" --data "$N" "$fixtures/rocksdb-export.jsonl"
check "naming both nodes" grep -q "the log belongs to node $irene, not to $alice" "$T/err"
check "a bad --node is a usage error" run 2 "$S" import --node 0x12 --data "$T/bad" "$fixtures/rocksdb-export.jsonl"
check "naming the flag and what is wrong" grep -q "^--node: hex must have 40 digits, has 2$" "$T/err"
check "and creates no store" [ ! -e "$T/bad" ]
check "the zero address is no node" run 2 "$S" import --node "0x$(printf '0%.0s' {1..40})" --data "$T/bad" "$fixtures/rocksdb-export.jsonl"
# The statelog-1 history breaks go-nitro's rules (vouchers on a ledger channel): a node's new log
# refuses it, all or nothing, naming the line.
check "a statelog-1 history into a node's new log" run 3 "$S" import --node "$irene" --data "$T/new" "$fixtures/rocksdb-export.jsonl"
check "is refused by go-nitro's rules" grep -q "nothing imported: " "$T/err"
check "the new log holds only its log_created" [ "$("$S" export --data "$T/new" | grep -c .)" -eq 1 ]
# A node's exported log imports as that node's log, with or without --node naming it.
"$S" export --data "$N" >"$T/irene.jsonl"
check "Irene's export into a new store with --node" run 0 "$S" import --node "$irene" --data "$T/i2" "$T/irene.jsonl"
check "is Irene's log, event for event" bash -c "'$S' export --data '$T/i2' | cmp - '$T/irene.jsonl'"
check "and with another --node is a usage error" run 2 "$S" import --node "$alice" --data "$T/i3" "$T/irene.jsonl"
check "naming both nodes" grep -q "^statelog: InvalidArgument: --node: .*irene.jsonl is the log of node $irene, not of $alice$" "$T/err"
check "creating nothing" [ ! -e "$T/i3" ]
finish
