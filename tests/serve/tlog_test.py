"""The transparency-log routes of `statelog serve` on a generated store of 325 events (Irene's,
the hub's log): GET /checkpoint byte for byte as `statelog checkpoint` printed it, hash tiles
(tlog-tiles, /tile/<L>/<N>[.p/<W>]) against RFC 9162 hashes computed here from the events as
`statelog export` prints them, the .tlog-proof of an event by id checked offline by
`statelog check-proof`, and the exact error answers (no checkpoint yet, a tile beyond the tree, a
malformed tile path or event id, an event newer than the checkpoint).
"""
import base64
import hashlib
import json
import os

from serve_lib import Server, check, main, run

IRENE = "0x111a00868581f73ab42feef67d235ca09ca1e8db"
IRENE_KEY = "0xfebb3b74b0b52d0976f6571d555f4ac8b91c308dfa25c7b58d1e6a7c3f50c781"
NO_CHECKPOINT = ("the store keeps no checkpoint yet: run `statelog checkpoint --key-file FILE` "
                 "first")


def leaf_hash(leaf):
    return hashlib.sha256(b"\x00" + leaf).digest()


def node_hash(left, right):
    return hashlib.sha256(b"\x01" + left + right).digest()


def mth(hashes):
    """RFC 9162 2.1.1 over leaf hashes."""
    if len(hashes) == 1:
        return hashes[0]
    k = 1
    while k * 2 < len(hashes):
        k *= 2
    return node_hash(mth(hashes[:k]), mth(hashes[k:]))


def stored_levels(leaf_hashes):
    """levels[l][n]: the hash of the complete subtree of 2^l leaves [n 2^l, (n+1) 2^l)."""
    levels = [list(leaf_hashes)]
    while len(levels[-1]) >= 2:
        below = levels[-1]
        levels.append([node_hash(below[2 * i], below[2 * i + 1])
                       for i in range(len(below) // 2)])
    return levels


def error_body(code, message, parameter=None):
    e = {"code": code, "message": message}
    if parameter is not None:
        e["parameter"] = parameter
    return json.dumps({"error": e}, separators=(",", ":")).encode()


def expect_error(server, path, status, code, message, parameter=None):
    got, headers, body = server.get(path)
    want = error_body(code, message, parameter)
    check(got == status and body == want,
          "GET %s: got %d %s, wanted %d %s" % (path, got, body, status, want))
    check(headers.get("content-type") == "application/json", "GET %s: content type" % path)
    check(headers.get("cache-control") == "no-store", "GET %s: cache-control" % path)


def expect_tile(server, path, want):
    got, headers, body = server.get(path)
    check(got == 200, "GET %s: status %d: %s" % (path, got, body[:200]))
    check(headers.get("content-type") == "application/octet-stream",
          "GET %s: content type %r" % (path, headers.get("content-type")))
    check(headers.get("cache-control") == "public, max-age=31536000, immutable",
          "GET %s: cache-control %r" % (path, headers.get("cache-control")))
    check(body == b"".join(want),
          "GET %s: %d bytes, not the %d hashes computed here" % (path, len(body), len(want)))


def test(statelog, tmp):
    data = os.path.join(tmp, "data")
    store = ["--data", data]
    run([statelog, "generate", "--channels", "8", "--relaxed"] + store)
    lines = run([statelog, "export"] + store).splitlines()
    check(len(lines) == 325, "the generated log has %d events, not 325" % len(lines))
    ids = [json.loads(l)["id"] for l in lines]
    levels = stored_levels([leaf_hash(l.encode()) for l in lines])
    key_file = os.path.join(tmp, "irene.key")
    with open(key_file, "w") as f:
        f.write(IRENE_KEY + "\n")
    os.chmod(key_file, 0o600)

    # No checkpoint yet: tiles are served, the checkpoint and proofs are not.
    server = Server(statelog, store)
    try:
        expect_error(server, "/checkpoint", 404, "not_found", NO_CHECKPOINT)
        expect_error(server, "/api/v1/events/%s/proof" % ids[3], 404, "not_found",
                     NO_CHECKPOINT)
        # Level 0: the leaf hashes, a full tile and a partial one (325 = 256 + 69).
        expect_tile(server, "/tile/0/000", levels[0][:256])
        expect_tile(server, "/tile/0/001.p/69", levels[0][256:325])
        # A narrower partial tile is a prefix; so is one of a full tile.
        expect_tile(server, "/tile/0/001.p/5", levels[0][256:261])
        expect_tile(server, "/tile/0/000.p/255", levels[0][:255])
        # Level 1: the roots of complete subtrees of 256 leaves (one so far).
        expect_tile(server, "/tile/1/000.p/1", levels[8][:1])
        # Beyond the tree.
        for path, tile, hashes, level in [
                ("/tile/0/001", "tile/0/001", 325, 0),
                ("/tile/0/001.p/70", "tile/0/001.p/70", 325, 0),
                ("/tile/0/002.p/1", "tile/0/002.p/1", 325, 0),
                ("/tile/0/x001/000", "tile/0/x001/000", 325, 0),
                ("/tile/1/000", "tile/1/000", 1, 1),
                ("/tile/1/000.p/2", "tile/1/000.p/2", 1, 1),
                ("/tile/2/000.p/1", "tile/2/000.p/1", 0, 2),
                ("/tile/63/000.p/1", "tile/63/000.p/1", 0, 63)]:
            expect_error(server, path, 404, "not_found",
                         "%s is beyond the tree of 325 leaves (%d hashes at level %d)"
                         % (tile, hashes, level))
        for path in ["/tile/entries/000", "/tile/entries"]:
            expect_error(server, path, 404, "not_found",
                         "data tiles (tile/entries/...) are not served: read the events from "
                         "/api/v1/log or prove one with /api/v1/events/{id}/proof")
        # Malformed paths.
        bad = "not a tile path (tile/<L>/<N>[.p/<W>]): "
        level = bad + "the level must be a decimal from 0 to 63 without leading zeros"
        digits = bad + "the index must be written in elements of 3 digits (x001/x234/067)"
        width = bad + "the width of a partial tile must be a decimal from 1 to 255"
        for path, message in [
                ("/tile/0", bad + "it needs a level and an index after tile/"),
                ("/tile/64/000", level),
                ("/tile/01/000", level),
                ("/tile/-1/000", level),
                ("/tile/0/1", digits),
                ("/tile/0/0001", digits),
                ("/tile/0/00a", digits),
                ("/tile/0/001/002", bad + "every index element but the last must be x and 3 "
                                          "digits"),
                ("/tile/0/x000/001", bad + "the index has a leading x000 element"),
                ("/tile/0/x999/x999/x999/x999/x999/x999/999",
                 bad + "the index is larger than 2^64 - 1"),
                ("/tile/0/x001/x002/x003/x004/x005/x006/x007/008",
                 bad + "the index has too many elements"),
                ("/tile/0/000.p/0", width),
                ("/tile/0/000.p/256", width),
                ("/tile/0/000.p/05", width),
                ("/tile/0/000.p/", width)]:
            expect_error(server, path, 400, "bad_path", message)
        expect_error(server, "/tile/0/000?w=1", 400, "bad_parameter",
                     "parameter 'w': unknown parameter (this route takes: none)", "w")
    finally:
        server.stop()

    # The node signs a checkpoint of the 325 events; the server serves it.
    checkpoint = run([statelog, "checkpoint", "--key-file", key_file] + store)
    server = Server(statelog, store)
    try:
        got, headers, body = server.get("/checkpoint")
        check(got == 200 and body == checkpoint.encode(),
              "GET /checkpoint: %d %r, not what statelog checkpoint printed: %r"
              % (got, body, checkpoint))
        check(headers.get("content-type") == "text/plain; charset=utf-8",
              "GET /checkpoint: content type %r" % headers.get("content-type"))
        check(headers.get("cache-control") == "no-store", "GET /checkpoint: cache-control")
        # Its root is the tree hash of the leaves computed here, and of the tiles.
        text = checkpoint.split("\n")
        check(text[0] == "statelog/" + IRENE and text[1] == "325", "checkpoint %r" % checkpoint)
        check(base64.b64decode(text[2]) == mth(levels[0]), "the checkpoint's root")
        _, _, full = server.get("/tile/0/000")
        _, _, part = server.get("/tile/0/001.p/69")
        tiles = full + part
        check(mth([tiles[32 * i:32 * i + 32] for i in range(325)]) == base64.b64decode(text[2]),
              "the tree hash of the tiles is not the checkpoint's root")

        # Proofs by event id, checked offline.
        proofs = {}
        for offset in (0, 1, 255, 256, 324):
            path = "/api/v1/events/%s/proof" % ids[offset]
            got, headers, body = server.get(path)
            check(got == 200, "GET %s: %d %s" % (path, got, body[:300]))
            check(headers.get("content-type") == "text/plain; charset=utf-8",
                  "GET %s: content type %r" % (path, headers.get("content-type")))
            proof = body.decode()
            check(proof.startswith("c2sp.org/tlog-proof@v1\nextra %s\nindex %d\n" % (
                base64.b64encode(lines[offset].encode()).decode(), offset)),
                "GET %s: %r" % (path, proof[:200]))
            check(proof.endswith("\n\n" + checkpoint), "GET %s: not against the checkpoint" % path)
            file = os.path.join(tmp, "event-%d.tlog-proof" % offset)
            with open(file, "w") as f:
                f.write(proof)
            out = run([statelog, "check-proof", file, "--key", IRENE])
            check("event: offset %d, id %s," % (offset, ids[offset]) in out
                  and out.endswith("check-proof: OK\n"), "check-proof %s: %s" % (file, out))
            proofs[offset] = proof
        zero = "0x" + "00" * 32
        expect_error(server, "/api/v1/events/%s/proof" % zero, 404, "not_found",
                     "no event with id %s in the log" % zero)
        expect_error(server, "/api/v1/events/0x12/proof", 400, "bad_parameter",
                     "parameter 'id': not an event id (0x and 64 hex digits): '0x12'", "id")
        expect_error(server, "/api/v1/events/%s/proof?at=1" % ids[0], 400, "bad_parameter",
                     "parameter 'at': unknown parameter (this route takes: none)", "at")
    finally:
        server.stop()

    # The same proofs as `statelog prove event --id` writes.
    for offset, proof in proofs.items():
        out = run([statelog, "prove"] + store + ["event", "--id", ids[offset]])
        check(out == proof, "statelog prove event --id %s: %r, served %r" % (ids[offset], out,
                                                                           proof))

    # Events appended after the checkpoint have no proof until a newer one is signed.
    run([statelog, "generate", "--channels", "1", "--seed", "5", "--relaxed"] + store)
    newer = json.loads(run([statelog, "export", "--from", "325"] + store).splitlines()[0])["id"]
    server = Server(statelog, store)
    try:
        expect_error(server, "/api/v1/events/%s/proof" % newer, 404, "not_found",
                     "event %s (offset 325) is not in the latest kept checkpoint, of 325 events: "
                     "run `statelog checkpoint` to sign a newer one" % newer)
        # The tiles follow the log: 339 events.
        expect_tile(server, "/tile/0/001.p/69", levels[0][256:325])
        got, _, body = server.get("/tile/0/001.p/83")
        check(got == 200 and len(body) == 83 * 32, "GET /tile/0/001.p/83: %d" % got)
    finally:
        server.stop()


if __name__ == "__main__":
    main(test)
