#!/usr/bin/env python3
"""Damage every kind of file of a RocksDB store at many offsets, in the spirit of LevelDB's
corruption_test (docs/adr/0019-damage-is-refused.md).

    corruption_test.py STATELOG [--offsets N] [--seed S]

A store of 711 signed events (a generated history whose memtables flush to table files, then a
demo run with snapshots every 20 events, left in its write-ahead logs) is copied once per case,
and one file of the copy is damaged: a table file (the largest and the newest), each write-ahead
log, the bytes of a snapshot record in a log, the MANIFEST, the OPTIONS file, CURRENT and ACKED;
each at N offsets spread over the file (and the seeded ones), four ways: one bit flipped, 512
bytes zeroed, the file cut short there, the 4 KiB block there written twice. Then
`statelog verify` opens the copy read-only and re-checks it, and for the logs, ACKED and the
manifest a writable open (`statelog snapshot`) runs on a second copy. Each case must end in:
  - a clear refusal: exit 1 (the open) or 4 (the verification), with an error that names a file
    of the store or an offset; or
  - an open with every acknowledged event: verify passes and the export holds exactly the
    events of the undamaged store;
never in a crash (a signal, an abort, an internal error) or a silent loss (verify passes on a log
that differs from the undamaged one). Prints the counts; exits 1 on any crash or silent loss.
A control classifies the store as it was before its last 64 events against the full log, and
must find a silent loss: the check can fail.
"""
import argparse
import glob
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile

TIMEOUT = 300  # seconds per command: a hang is a failure, not a wait


def run(args, **kw):
    try:
        p = subprocess.run(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                           errors="replace", timeout=TIMEOUT, **kw)
    except subprocess.TimeoutExpired:
        return None
    return p


def must(args):
    p = run(args)
    if p is None or p.returncode != 0:
        sys.exit("FAIL: %s: %s" % (" ".join(args), p.stderr if p else "timed out"))
    return p.stdout


def build_store(statelog, base):
    must([statelog, "generate", "--channels", "20", "--payments", "10", "--seed", "7",
          "--data", base, "--disk-reserve", "1MiB", "--snapshot-interval", "100",
          "--batch", "20"])
    before = base + ".before-demo"
    shutil.copytree(base, before)
    must([statelog, "demo", "--data", base, "--snapshot-interval", "20"])
    return before


def damage(path, how, offset):
    with open(path, "rb") as f:
        data = bytearray(f.read())
    offset = min(offset, max(0, len(data) - 1))
    if how == "flip":
        if data:
            data[offset] ^= 1 << (offset % 8)
    elif how == "zero":
        end = min(len(data), offset + 512)
        data[offset:end] = bytes(end - offset)
    elif how == "cut":
        del data[offset:]
    elif how == "duplicate":
        start = offset - offset % 4096
        block = data[start:start + 4096]
        data[start + len(block):start + len(block)] = block
    with open(path, "wb") as f:
        f.write(bytes(data))


def targets(store):
    """(kind, file name, [special offsets]) for every kind of file of the store."""
    names = sorted(os.listdir(store))
    ssts = sorted((n for n in names if n.endswith(".sst")),
                  key=lambda n: os.path.getsize(os.path.join(store, n)))
    logs = [n for n in names if n.endswith(".log") and os.path.getsize(os.path.join(store, n))]
    out = []
    for n in sorted({ssts[-1], max(ssts)}):
        out.append(("table", n, []))
    for n in logs:
        out.append(("log", n, []))
        data = open(os.path.join(store, n), "rb").read()
        # A snapshot record in a write batch: Put (1), key length 9, 's' + BE64(covers).
        snaps = [m.start() + 3 + 9 for m in re.finditer(rb"\x01\x09s\x00\x00\x00\x00\x00\x00", data)]
        if snaps:
            out.append(("snapshot", n, [s + d for s in snaps[:3] for d in (4, 40, 200)]))
    out.append(("manifest", max(n for n in names if n.startswith("MANIFEST-")), []))
    out.append(("options", max(n for n in names if n.startswith("OPTIONS-")), []))
    out.append(("current", "CURRENT", []))
    out.append(("acked", "ACKED", []))
    return out


def clear(error, store):
    """A clear refusal names a file of the store, or an offset of the log."""
    return store in error or re.search(r"offset \d+", error) is not None


class Outcome:
    REFUSED_OPEN, REFUSED_VERIFY, OPEN_COMPLETE, CRASH, SILENT_LOSS, UNCLEAR = (
        "refused at open", "refused by verify", "open with every event", "crash",
        "silent loss", "unclear refusal")


def classify(statelog, store, reference, wrote_snapshot=False):
    """The outcome of opening and verifying `store` against the `reference` export."""
    p = run([statelog, "verify", "--data", store])
    if p is None:
        return Outcome.CRASH, "verify hung"
    if p.returncode < 0 or p.returncode not in (0, 1, 4) or "internal error" in p.stderr:
        return Outcome.CRASH, "verify exited %d: %s" % (p.returncode, p.stderr.strip()[-300:])
    if p.returncode in (1, 4):
        if clear(p.stderr, store):
            return (Outcome.REFUSED_OPEN if p.returncode == 1 else Outcome.REFUSED_VERIFY,
                    p.stderr.strip())
        return Outcome.UNCLEAR, p.stderr.strip()
    e = run([statelog, "export", "--data", store])
    if e is None or e.returncode != 0:
        return Outcome.CRASH if e is None or e.returncode < 0 else Outcome.UNCLEAR, \
            "verify passed, export failed: %s" % (e.stderr if e else "hung")
    got = e.stdout.splitlines()
    want = reference.splitlines()
    if wrote_snapshot:  # `statelog snapshot` appended one event
        got = got[:-1] if len(got) == len(want) + 1 else got
    if got == want:
        return Outcome.OPEN_COMPLETE, ""
    return Outcome.SILENT_LOSS, "verify passed on %d events; %d were acknowledged" % (
        len(got), len(want))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("statelog")
    ap.add_argument("--offsets", type=int, default=8)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--verbose", action="store_true", help="print every case's outcome")
    a = ap.parse_args()
    rng = random.Random(a.seed)
    tmp = tempfile.mkdtemp(prefix="statelog-corruption-")
    try:
        base = os.path.join(tmp, "base")
        before = build_store(a.statelog, base)
        reference = must([a.statelog, "export", "--data", base])
        # Control: a store that lost its last events is a silent loss to the classifier.
        control, why = classify(a.statelog, before, reference)
        if control != Outcome.SILENT_LOSS:
            sys.exit("FAIL: control: a store without its last events was classified %r" % control)
        print("control: a store without its last 64 events is a silent loss (%s)" % why)

        counts, by_kind, failures = {}, {}, []
        case = 0
        for kind, name, special in targets(base):
            size = os.path.getsize(os.path.join(base, name))
            offsets = sorted({size * i // a.offsets for i in range(a.offsets)} |
                             {rng.randrange(max(1, size))} | set(special))
            for how in ("flip", "zero", "cut", "duplicate"):
                for offset in offsets:
                    opens = [False, True] if kind in ("log", "snapshot", "acked", "manifest") \
                        else [False]
                    for writable in opens:
                        case += 1
                        store = os.path.join(tmp, "case%d" % case)
                        shutil.copytree(base, store)
                        damage(os.path.join(store, name), how, offset)
                        if writable:
                            w = run([a.statelog, "snapshot", "--data", store])
                            if w is None or w.returncode < 0 or "internal error" in w.stderr:
                                outcome, why = Outcome.CRASH, "snapshot: %s" % (
                                    w.stderr[-300:] if w else "hung")
                            elif w.returncode != 0:
                                outcome, why = (Outcome.REFUSED_OPEN, w.stderr.strip()) \
                                    if clear(w.stderr, store) else (Outcome.UNCLEAR,
                                                                    w.stderr.strip())
                            else:
                                outcome, why = classify(a.statelog, store, reference, True)
                        else:
                            outcome, why = classify(a.statelog, store, reference)
                        counts[outcome] = counts.get(outcome, 0) + 1
                        k = by_kind.setdefault(kind, {})
                        k[outcome] = k.get(outcome, 0) + 1
                        if a.verbose:
                            print("%s %s %s at %d (%s): %s: %s" % (
                                kind, name, how, offset, "writable" if writable else "read-only",
                                outcome, why[:200]))
                        if outcome in (Outcome.CRASH, Outcome.SILENT_LOSS, Outcome.UNCLEAR):
                            failures.append("%s %s %s at %d (%s open): %s: %s" % (
                                kind, name, how, offset, "writable" if writable else "read-only",
                                outcome, why))
                        shutil.rmtree(store, ignore_errors=True)
        for kind, k in by_kind.items():
            print("%-9s %s" % (kind, ", ".join("%s %d" % (o, n) for o, n in sorted(k.items()))))
        refused = counts.get(Outcome.REFUSED_OPEN, 0) + counts.get(Outcome.REFUSED_VERIFY, 0)
        print("%d cases: %d refusals (%d at open, %d by verify), %d opens with every event, "
              "%d crashes, %d silent losses, %d unclear refusals"
              % (case, refused, counts.get(Outcome.REFUSED_OPEN, 0),
                 counts.get(Outcome.REFUSED_VERIFY, 0), counts.get(Outcome.OPEN_COMPLETE, 0),
                 counts.get(Outcome.CRASH, 0), counts.get(Outcome.SILENT_LOSS, 0),
                 counts.get(Outcome.UNCLEAR, 0)))
        for f in failures:
            print("FAIL: " + f, file=sys.stderr)
        sys.exit(1 if failures else 0)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
