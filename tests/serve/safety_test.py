"""`statelog serve` is safe to leave running: it listens on localhost unless told otherwise,
never writes, serves files only from its embedded table (no path traversal), bounds request
bodies, headers, rates, open streams and silent connections, and stays up and answering after
garbage: random bytes, huge headers, unknown methods and half-sent (slowloris) requests.
"""
import json
import random
import socket
import subprocess

from serve_lib import DEADLINE, Server, check, demo_store, main, run, wait_for


def raw(server, data, read=True):
    """Sends `data` on a fresh connection; returns all the server answered until it closed the
    connection (b"" if it answered nothing). Requests that keep the connection open end at the
    server's read timeout."""
    s = socket.create_connection(("127.0.0.1", server.port), timeout=DEADLINE)
    try:
        s.sendall(data)
        if not read:
            return b""
        out = b""
        while True:
            try:
                chunk = s.recv(65536)
            except ConnectionResetError:
                break
            if not chunk:
                break
            out += chunk
        return out
    finally:
        s.close()


def status_of(response):
    line = response.split(b"\r\n", 1)[0]
    parts = line.split(b" ")
    return int(parts[1]) if len(parts) > 1 and parts[1].isdigit() else None


def still_up(server, what):
    check(server.alive(), "the server died after %s" % what)
    code, _, body = server.get("/health/live")
    check(code == 200 and json.loads(body) == {"status": "live"},
          "the server does not answer after %s" % what)


def test(statelog, tmp):
    store = demo_store(statelog, tmp)
    length = json.loads(run([statelog, "stats", "--json"] + store))["length"]

    # Localhost unless told otherwise; --listen errors name the problem.
    help_text = run([statelog, "serve", "--help"])
    check("127.0.0.1:7447" in help_text, "the default listen address is 127.0.0.1:7447")
    for bad, message in (("1.2.3.4:99999", "--listen: not a port from 0 to 65535: '99999'"),
                         ("::1", "--listen: write an IPv6 address as [ADDRESS]:PORT"),
                         ("host:", "--listen: no port after ':'")):
        p = subprocess.run([statelog, "serve", "--listen", bad] + store, stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, text=True)
        check(p.returncode == 2 and p.stderr == "statelog: InvalidArgument: %s\n" % message,
              "--listen %s: exit %d, %r" % (bad, p.returncode, p.stderr))

    # Bad option values are usage errors (exit 2): no server starts.
    for option, value in (("--threads", "1"), ("--threads", "abc"), ("--max-streams", "-1"),
                          ("--max-streams", "16"), ("--rate", "-1"), ("--burst", "0"),
                          ("--read-timeout", "0"), ("--max-lag", "-1"), ("--max-lag", "1e3"),
                          ("--verify-interval", "0"), ("--listen", "")):
        p = subprocess.run([statelog, "serve", "--listen", "127.0.0.1:0", option, value] + store,
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                           timeout=DEADLINE)
        check(p.returncode == 2 and p.stderr and "internal error" not in p.stderr,
              "%s %r: exit %d, %r" % (option, value, p.returncode, p.stderr))

    server = Server(statelog, store, ["--threads", "4", "--max-streams", "1",
                                      "--read-timeout", "1", "--rate", "0"])
    try:
        index = server.get("/")[2]
        check(b"statelog explorer" in index, "the page")
        # Files come from the embedded table only: no traversal, no file system.
        for path in (b"/../../../../etc/passwd", b"/%2e%2e/%2e%2e/etc/passwd",
                     b"/app.js/../../../etc/passwd", b"//etc/passwd", b"/web/app.js",
                     b"/..%2f..%2f..%2fetc%2fpasswd", b"/index.html%00.js", b"/.%2e/CMakeLists.txt",
                     b"/src/serve/server.cc"):
            r = raw(server, b"GET " + path + b" HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
            check(status_of(r) in (400, 404), "GET %r: %r" % (path, r[:100]))
            check(b"root:" not in r and b"cmake_minimum_required" not in r and b"#include" not in r,
                  "GET %r served a file" % path)
        check(server.get("/index.html")[2] == index, "/index.html is /")
        # A loopback server answers only localhost names (no DNS rebinding).
        for host in (b"evil.example", b"evil.example:%d" % server.port, b"127.0.0.1.evil.example"):
            r = raw(server, b"GET /api/v1/head HTTP/1.1\r\nHost: " + host +
                    b"\r\nConnection: close\r\n\r\n")
            check(status_of(r) == 403 and r.endswith(
                b'{"error":{"code":"forbidden_host","message":"host \'' + host +
                b'\' is not this server\'s: a server listening on a loopback address answers '
                b'only localhost names"}}'), "Host: %r: %r" % (host, r[:300]))
        for host in (b"localhost", b"localhost:%d" % server.port, b"127.0.0.1", b"[::1]:80"):
            r = raw(server, b"GET /api/v1/head HTTP/1.1\r\nHost: " + host +
                    b"\r\nConnection: close\r\n\r\n")
            check(status_of(r) == 200, "Host: %r: %r" % (host, r[:100]))
        code, headers, body = server.get("/app.js")
        check(code == 200 and headers["content-type"].startswith("text/javascript"), "app.js")
        check("default-src 'self'" in server.get("/")[1]["content-security-policy"], "CSP")
        code, headers, body = server.request("HEAD", "/api/v1/head")
        check(code == 200 and body == b"", "HEAD")

        # Bodies: nothing to upload, so a large one is refused before it is read.
        r = raw(server, b"GET /api/v1/head HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 100000\r\n"
                b"Connection: close\r\n\r\n" + b"x" * 100000)
        # (A GET's body is never read: the connection closes after the answer.)
        check(status_of(r) in (200, 413), "a 100 kB body: %r" % r[:100])
        r = raw(server, b"PUT /api/v1/head HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 100000\r\n"
                b"Connection: close\r\n\r\n" + b"x" * 100000)
        check(status_of(r) in (405, 413), "PUT with a 100 kB body: %r" % r[:100])
        r = raw(server, b"POST /api/v1/head HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 5\r\n"
                b"Connection: close\r\n\r\nhello")
        check(status_of(r) == 405, "POST: %r" % r[:100])
        # Huge headers and URIs.
        r = raw(server, b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Big: " + b"a" * 100000 + b"\r\n\r\n")
        check(status_of(r) in (None, 400, 431), "a 100 kB header: %r" % r[:100])
        r = raw(server, b"GET /" + b"a" * 20000 + b" HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
        check(status_of(r) in (None, 400, 414), "a 20 kB URI: %r" % r[:100])
        still_up(server, "huge headers")
        # Unknown methods, broken request lines, random bytes (seeded: the same every run).
        for junk in (b"BREW /pot HTTP/1.1\r\n\r\n", b"GET\r\n\r\n", b"\r\n\r\n",
                     b"GET / HTTP/9.9\r\n\r\n", b"GET /%zz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n",
                     b"GET / HTTP/1.1\r\nContent-Length: -1\r\n\r\n",
                     b"GET / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nzzzz\r\n"):
            r = raw(server, junk)
            check(status_of(r) in (None, 200, 400, 404, 405, 413), "%r: %r" % (junk, r[:100]))
        rng = random.Random(15)
        for _ in range(50):
            raw(server, bytes(rng.getrandbits(8) for _ in range(rng.randint(1, 4096))), read=False)
        still_up(server, "random bytes")

        # Slowloris: half-sent requests hold no worker for longer than the read timeout. More of
        # them than there are workers, then a normal request is still answered.
        slow = []
        for _ in range(8):
            s = socket.create_connection(("127.0.0.1", server.port), timeout=DEADLINE)
            s.sendall(b"GET /api/v1/head HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ")
            slow.append(s)
        for s in slow:
            answer = b""
            while True:
                chunk = s.recv(65536)
                if not chunk:
                    break
                answer += chunk
            check(status_of(answer) in (None, 400, 408),
                  "the server ends a silent half-sent request: %r" % answer[:100])
            s.close()
        still_up(server, "half-sent requests")

        # Event streams: from an offset, with ids; bounded in number; bad ids refused.
        s = socket.create_connection(("127.0.0.1", server.port), timeout=DEADLINE)
        s.sendall(b"GET /api/v1/events/stream?from=0 HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
        got = b""
        while got.count(b"event: append") < 3:
            chunk = s.recv(65536)
            check(chunk, "the stream closed early: %r" % got)
            got += chunk
        check(b"content-type: text/event-stream" in got.lower(), "stream content type")
        check(b"id: 0\nevent: append\ndata: {\"offset\":0," in got, "the first event: %r" % got)
        code, _, body = server.get("/api/v1/events/stream")
        check(code == 503 and json.loads(body)["error"]["code"] == "too_many_streams",
              "a second stream beyond --max-streams 1: %d %r" % (code, body))
        s.close()
        wait_for("the stream to be closed",
                 lambda: b"\nstatelog_http_stream_clients 0\n" in server.get("/metrics")[2])
        code, _, body = server.request("GET", "/api/v1/events/stream",
                                       headers={"Last-Event-ID": "x"})
        check(code == 400 and json.loads(body)["error"] == {
            "code": "bad_parameter", "message": "header 'Last-Event-ID': not an offset: 'x'",
            "parameter": "Last-Event-ID"}, "Last-Event-ID: %r" % body)
        # The last offset there can be: no event follows it (not a wrap to offset 0).
        code, _, body = server.request("GET", "/api/v1/events/stream",
                                       headers={"Last-Event-ID": "18446744073709551615"})
        check(code == 400 and json.loads(body)["error"] == {
            "code": "bad_parameter",
            "message": "header 'Last-Event-ID': no event follows offset 2^64-1",
            "parameter": "Last-Event-ID"}, "Last-Event-ID 2^64-1: %r" % body)
        code, _, body = server.get("/api/v1/events/stream?from=%d" % (length + 1))
        check(code == 400 and json.loads(body)["error"]["parameter"] == "from", "from past end")
        still_up(server, "streams")
        check(server.json("/api/v1/head")["length"] == length, "the log grew")
    finally:
        check(server.stop() == 0, "serve exit code")

    # The rate limit: a burst of 5, then one request per 1000 s: the 6th and later are refused.
    server = Server(statelog, store, ["--rate", "0.001", "--burst", "5"])
    try:
        codes = [server.get("/api/v1/head")[0] for _ in range(30)]
        check(codes == [200] * 5 + [429] * 25, "rate limit: %s" % codes)
        code, headers, body = server.get("/api/v1/head")
        check(code == 429 and json.loads(body) == {"error": {
            "code": "too_many_requests",
            "message": "too many requests from this address: retry later"}}, "429 body")
        check(headers.get("retry-after") == "1", "Retry-After")
    finally:
        server.stop()
    check(json.loads(run([statelog, "stats", "--json"] + store))["length"] == length,
          "the store changed")


if __name__ == "__main__":
    main(test)
