#!/usr/bin/env python3
"""Writes the snapshot fuzzer's seeds, encoded from docs/snapshot-format.md alone (not by
statelog's encoder): a first byte naming the format the fuzzer seals the rest as (1: a format 2
body, 2: a format 3 body), then the body. Usage: make_snapshot_seeds.py DIR"""
import os
import sys


def varint(v):
    out = bytearray()
    while v >= 0x80:
        out.append((v & 0x7F) | 0x80)
        v >>= 7
    out.append(v)
    return bytes(out)


def text(s):
    b = s.encode()
    return varint(len(b)) + b


def amount(v):
    b = v.to_bytes(32, "big").lstrip(b"\0")
    return bytes([len(b)]) + b


def seq(items):
    return varint(len(items)) + b"".join(items)


def objective(kind, channel, status, step):
    oid = text(kind) + channel
    waiting = b"\x01" + text(step) if step else b"\x00"
    body = oid + text(status) + waiting + seq([channel]) + text("") + varint(3) + varint(0) + varint(9)
    return oid + body


def channel(cid, alice, bob, format3=False):
    fixed = seq([alice, bob]) + varint(42) + bytes(20) + varint(3600)
    alloc = lambda who, n: bytes(12) + who + amount(n) + varint(0) + varint(0)
    exit_ = bytes(20) + (varint(0) + varint(0)) + seq([alloc(alice, 60), alloc(bob, 40)])
    variable = varint(0) + seq([exit_]) + varint(1) + b"\x00"
    known = variable + bytes([7]) * 32 + seq([alice + bytes([1]) * 65, bob + bytes([2]) * 65])
    states = seq([varint(1) + known])
    rest = (b"\x01" + varint(1) + seq([bytes(20) + amount(100)]) + text("None") + varint(0) +
            varint(0) + b"\x00" + varint(0) + amount(0) + amount(5))
    if format3:
        # prefund_outcome: present, the turn 0 outcome as first signed; last_block 12.
        rest += b"\x01" + seq([exit_]) + varint(12)
    rest += varint(6) + varint(1) + varint(8)
    return cid + (cid + fixed + states + rest)


def main():
    out = sys.argv[1]
    alice, bob = bytes([0xAA]) * 20, bytes([0xBB]) * 20
    cid = bytes([0x3C]) * 32
    chain = bytes([0x0A]) * 32
    seeds = {
        "empty": chain + varint(0) + seq([]) + seq([]),
        "one-channel": chain + varint(10) +
        seq([objective("DirectFunding", cid, "Approved", "MyTurnToFund")]) +
        seq([channel(cid, alice, bob)]),
    }
    irene = bytes([0x11]) * 20
    seeds3 = {
        "empty-format3": chain + varint(0) + text("statelog-1") + b"\x00" + seq([]) + seq([]),
        "one-channel-format3": chain + varint(10) + text("nitro-2") + b"\x01" + irene +
        seq([objective("DirectFunding", cid, "Approved", "MyTurnToFund")]) +
        seq([channel(cid, alice, bob, format3=True)]),
    }
    for role, group in ((b"\x01", seeds), (b"\x02", seeds3)):
        for name, body in group.items():
            with open(os.path.join(out, name), "wb") as f:
                f.write(role + body)


main()
