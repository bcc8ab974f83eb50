"""A standard tlog-tiles client against `statelog serve`: Go's golang.org/x/mod/sumdb/tlog
(Debian's golang-golang-x-mod-dev, GOPATH mode as in tests/tlog/go_interop_test.sh) reads the
served checkpoint and hash tiles of a generated log of a few thousand events, checks every tile
against the checkpoint's root (TileHashReader), computes the tree hash, inclusion and consistency
proofs itself and checks them, and finds the server's proofs of the same events equal to its own
(tilescheck/main.go). Exits 77 (skipped) without Go or that package.
"""
import os
import shutil
import sys

from serve_lib import Server, check, main, run

IRENE_KEY = "0xfebb3b74b0b52d0976f6571d555f4ac8b91c308dfa25c7b58d1e6a7c3f50c781"
GOPATH = "/usr/share/gocode"


def test(statelog, tmp):
    data = os.path.join(tmp, "data")
    store = ["--data", data]
    run([statelog, "generate", "--channels", "60", "--relaxed"] + store)
    events = os.path.join(tmp, "events.jsonl")
    with open(events, "w") as f:
        f.write(run([statelog, "export"] + store))
    key_file = os.path.join(tmp, "irene.key")
    with open(key_file, "w") as f:
        f.write(IRENE_KEY + "\n")
    os.chmod(key_file, 0o600)
    run([statelog, "checkpoint", "--key-file", key_file] + store)
    here = os.path.dirname(os.path.abspath(__file__))
    binary = os.path.join(tmp, "tilescheck")
    env = dict(os.environ, GO111MODULE="off", GOPATH=GOPATH, GOCACHE=os.path.join(tmp, "gocache"))
    run(["go", "build", "-o", binary, "."], cwd=os.path.join(here, "tilescheck"), env=env)
    # Go's reader fetches a tile again for every proof: no rate limit.
    server = Server(statelog, store, ["--rate", "0"])
    try:
        out = run([binary, server.url, events])
        check(out.startswith("OK: "), "tilescheck: %r" % out)
        print(out, end="")
    finally:
        server.stop()


if __name__ == "__main__":
    if shutil.which("go") is None or not os.path.isdir(
            os.path.join(GOPATH, "src/golang.org/x/mod/sumdb/tlog")):
        print("SKIP: needs golang-go and golang-golang-x-mod-dev")
        sys.exit(77)
    main(test)
