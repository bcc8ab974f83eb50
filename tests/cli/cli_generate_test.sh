#!/usr/bin/env bash
# `statelog generate`: the same seed gives the same bytes, another seed another history; the
# history verifies, imports into a fresh store and verifies there; appending it to a store
# directly gives the same log as importing its JSON lines; bad parameters are refused naming the
# parameter.
# Usage: cli_generate_test.sh PATH/TO/statelog
set -u
source "$(dirname "$0")/cli_lib.sh"
G=(generate --channels 40 --payments 6 --challenges 30 --open 25 --concurrency 5)

check "generate to stdout" run 0 "$S" "${G[@]}" --seed 7
cp "$T/out" "$T/a.jsonl"
check "generate to --out" run 0 "$S" "${G[@]}" --seed 7 --out "$T/b.jsonl"
check "--out is silent on stdout" [ ! -s "$T/out" ]
check "the same seed gives the same bytes" cmp -s "$T/a.jsonl" "$T/b.jsonl"
check "the summary counts the events" grep -q "generated $(grep -c . "$T/a.jsonl") events" "$T/err"
check "another seed" run 0 "$S" "${G[@]}" --seed 8 --out "$T/c.jsonl"
differs() { ! cmp -s "$1" "$2"; }
check "gives another history" differs "$T/a.jsonl" "$T/c.jsonl"
n=$(grep -c . "$T/a.jsonl")
check "40 channels of events" [ "$n" -gt 600 ]
# The hub's log: ledger channels, virtual channels through it (proposals), challenges, defunding.
check "the hub's log begins with its identity" bash -c "head -n 1 '$T/a.jsonl' | grep -q '\"type\":\"log_created\",\"ts\":[0-9]*,\"node\":\"0x111a00868581f73ab42feef67d235ca09ca1e8db\",\"rules\":2}'"
for t in objective_created objective_approved channel_created state_signed state_received \
  proposal_signed proposal_received deposit_detected challenge_raised challenge_cleared \
  channel_concluded allocation_updated objective_completed objective_progressed; do
  check "the history has $t events" grep -q "\"type\":\"$t\"" "$T/a.jsonl"
done
check "the hub, an intermediary, sees no voucher" [ "$(grep -c '"type":"voucher_' "$T/a.jsonl")" -eq 0 ]
# A client's log: the payer of its pair sends vouchers, the payee receives them.
check "client 0's log" run 0 "$S" "${G[@]}" --seed 7 --client 0 --out "$T/payer.jsonl"
check "client 0 pays" grep -q '"type":"voucher_sent"' "$T/payer.jsonl"
check "client 1's log" run 0 "$S" "${G[@]}" --seed 7 --client 1 --out "$T/c1.jsonl"
payee=$(head -n 1 "$T/c1.jsonl" | sed 's/.*"node":"\(0x[0-9a-f]*\)".*/\1/')
check "client 1's log, by its address" run 0 "$S" "${G[@]}" --seed 7 --node "$payee" \
  --out "$T/payee.jsonl"
check "is the same log" cmp -s "$T/c1.jsonl" "$T/payee.jsonl"
check "client 1 is paid" grep -q '"type":"voucher_received"' "$T/payee.jsonl"
check "the payee's log imports into a fresh store" run 0 "$S" import --data "$T/payee" "$T/payee.jsonl"
check "and verifies as its node's" run 0 "$S" verify --data "$T/payee"
check "under rule set 2" grep -q "^rules: nitro-2, node 0x" "$T/out"
check "a node that is neither the hub nor a client" run 2 "$S" "${G[@]}" --seed 7 --node "0x$(printf '1%.0s' {1..40})"
check "is named" grep -q "is neither the hub (0x111a00868581f73ab42feef67d235ca09ca1e8db) nor one of the 40 clients of seed 7" "$T/err"
check "--client past the clients" run 2 "$S" "${G[@]}" --seed 7 --client 40

check "the JSON lines import into a fresh store" run 0 "$S" import --data "$T/imported" \
  --snapshot-interval 0 "$T/a.jsonl"
check "all of them" grep -q "imported $n events (0 already present)" "$T/out"
check "and verify" run 0 "$S" verify --data "$T/imported"
check "generate into a store" run 0 "$S" "${G[@]}" --seed 7 --data "$T/direct" \
  --snapshot-interval 0 --batch 97
check "appends every event" grep -q "$n appended, 0 already present" "$T/out"
check "which verify" run 0 "$S" verify --data "$T/direct"
"$S" export --data "$T/imported" >"$T/imported.jsonl"
"$S" export --data "$T/direct" >"$T/direct.jsonl"
check "the same log as the import" cmp -s "$T/imported.jsonl" "$T/direct.jsonl"
check "which is the generated history" cmp -s "$T/a.jsonl" "$T/direct.jsonl"
check "generating it again appends nothing" run 0 "$S" "${G[@]}" --seed 7 --data "$T/direct" \
  --snapshot-interval 0
check "every event is already present" grep -q "0 appended, $n already present" "$T/out"

# With snapshots (the default interval) into a store, and from a larger history.
check "a larger history with snapshots" run 0 "$S" generate --channels 150 --payments 10 \
  --seed 3 --data "$T/snap" --snapshot-interval 500
check "verifies with its snapshots" run 0 "$S" verify --data "$T/snap"
check "snapshots were checked" grep -Eq "[1-9][0-9]* snapshots checked" "$T/out"

# Bad parameters: usage errors naming the parameter.
named() {  # named PARAM ARGS...: exit 2 and PARAM in the message
  local p=$1
  shift
  run 2 "$S" generate "$@" && grep -q -- "$p" "$T/err"
}
check "--channels 0" named --channels --channels 0
check "--challenges 101" named --challenges --challenges 101
check "--open 200" named --open --open 200
check "--concurrency 0" named --concurrency --concurrency 0
check "--payments abc" named --payments --payments abc
check "--seed -1" named --seed --seed -1
check "--batch 0" named --batch --batch 0
check "--out and --data" named --out --out "$T/x.jsonl" --data "$T/y"
absent() { [ ! -e "$1" ] && [ ! -e "$2" ]; }
check "nothing was written" absent "$T/x.jsonl" "$T/y"
check "--out into a missing directory fails" run 1 "$S" generate --channels 1 \
  --out "$T/missing/x.jsonl"
check "naming --out" grep -q -- "--out" "$T/err"
finish
