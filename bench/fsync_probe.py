#!/usr/bin/env python3
"""Durable 1.2 KB writes, each followed by fdatasync: appending to a file that grows (what
RocksDB's write-ahead log does) against overwriting blocks a file already has (what SQLite's WAL
does once it is rewound). Three rounds, alternating; prints each rate and their ratio.

Usage: python3 bench/fsync_probe.py [DIR]   (DIR: a directory on the disk to measure; /tmp)
"""
import os
import sys
import time

N = 1500
RECORD = b"x" * 1200


def run(directory, mode):
    path = os.path.join(directory, f"fsync-probe-{os.getpid()}-{mode}")
    if mode == "overwrite":
        with open(path, "wb") as f:
            f.write(b"\0" * (N * len(RECORD) + 4096))
            f.flush()
            os.fsync(f.fileno())
        fd = os.open(path, os.O_WRONLY)
    else:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC)
    try:
        start = time.perf_counter()
        for i in range(N):
            os.pwrite(fd, RECORD, i * len(RECORD))
            os.fdatasync(fd)
        return N / (time.perf_counter() - start)
    finally:
        os.close(fd)
        os.unlink(path)


def main():
    directory = sys.argv[1] if len(sys.argv) > 1 else "/tmp"
    for r in range(3):
        a = run(directory, "append")
        o = run(directory, "overwrite")
        print(f"round {r}: append {a:.0f}/s, overwrite {o:.0f}/s, append/overwrite {a / o:.2f}")


if __name__ == "__main__":
    main()
