#!/usr/bin/env python3
"""Checks a log after failovers (failover_test.sh).

    failover_check.py [--complete] FINAL_JSONL DELIVERED_JSONL ACKED...

FINAL_JSONL: `statelog export` of the final log (one event per line, offset = line number).
DELIVERED_JSONL: what a `statelog log --follow --json` subscriber printed.
ACKED: the writers' acknowledgements, "<offset> <appended> <id>" per line.
Exits non-zero, naming the first discrepancy, unless every acknowledged event is in the log
exactly once at its acknowledged offset, every event of the log was acknowledged, and every
delivered event is in the final log at the offset it was delivered at. With --complete, the
subscriber must also have delivered every event of the final log exactly once, in order.
"""
import json
import sys


def main(final_path, delivered_path, acked_paths, complete=False):
    ids = [json.loads(line)["id"] for line in open(final_path)]
    where = {}
    for off, event_id in enumerate(ids):
        if event_id in where:
            sys.exit(f"event {event_id} is in the log twice (offsets {where[event_id]} and {off})")
        where[event_id] = off
    acked = retries = 0
    for path in acked_paths:
        for line in open(path):
            off, appended, event_id = line.split()
            acked += 1
            retries += appended == "0"
            if where.get(event_id) != int(off):
                sys.exit(f"{path}: {event_id} acknowledged at offset {off}, "
                         f"in the log at {where.get(event_id)}")
    if acked != len(ids):
        sys.exit(f"{acked} events acknowledged, {len(ids)} in the log")
    delivered = 0
    for line in open(delivered_path):
        d = json.loads(line)
        off = d["offset"]
        if complete and off != delivered:
            sys.exit(f"the subscriber's event number {delivered} has offset {off}: "
                     + ("a duplicate" if off < delivered else "a gap"))
        if off >= len(ids) or ids[off] != d["event"]["id"]:
            sys.exit(f"the subscriber was given {d['event']['id']} at offset {off}, "
                     "which the final log does not hold there")
        delivered += 1
    if complete and delivered != len(ids):
        sys.exit(f"the subscriber delivered {delivered} of the {len(ids)} events")
    print(f"{acked} acknowledged events ({retries} by a retry that found the event committed), "
          f"all in the log once at their offsets; {len(ids)} events, dense; the subscriber "
          f"delivered {delivered}, all in the final log")


if __name__ == "__main__":
    args = sys.argv[1:]
    complete = bool(args) and args[0] == "--complete"
    if complete:
        args = args[1:]
    if len(args) < 3:
        sys.exit(__doc__)
    main(args[0], args[1], args[2:], complete)
