"""Shared by the tests of `statelog serve`: a demo store, a running server, HTTP requests.

Every wait is bounded by a deadline that only turns a hang into a failure; no assertion depends on
how long something took.
"""
import http.client
import json
import os
import re
import select
import shutil
import subprocess
import sys
import tempfile
import time

DEADLINE = 60  # seconds: the most any wait may take before the test fails


class Failure(Exception):
    pass


def check(cond, what):
    if not cond:
        raise Failure(what)


def run(args, **kw):
    p = subprocess.run(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, **kw)
    if p.returncode != 0:
        raise Failure("%s exited %d: %s" % (" ".join(args), p.returncode, p.stderr))
    return p.stdout


def wait_for(what, fn, deadline=DEADLINE):
    """Calls fn until it returns a true value; fails after `deadline` seconds."""
    end = time.monotonic() + deadline
    while True:
        v = fn()
        if v:
            return v
        if time.monotonic() > end:
            raise Failure("gave up waiting for " + what)
        time.sleep(0.1)


def log_tail(path, lines=20):
    """The last lines of the log at `path`, to end a failure message."""
    try:
        with open(path, errors="replace") as f:
            tail = f.read().splitlines()[-lines:]
    except OSError as e:
        return "\n(no log: %s)" % e
    return "\n--- the last lines of %s:\n%s" % (path, "\n".join(tail))


def _die_with_parent():
    """In a child: SIGTERM when the test process dies (no server outlives a killed test)."""
    import ctypes
    import signal
    ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG


class Server:
    """`statelog serve` on a free port of 127.0.0.1."""

    def __init__(self, statelog, store_args, extra=()):
        # Standard error goes to a file: nothing must fill a pipe no one reads.
        self.log = tempfile.NamedTemporaryFile(prefix="statelog-serve-", suffix=".log")
        self.proc = subprocess.Popen(
            [statelog, "serve", "--listen", "127.0.0.1:0"] + list(store_args) + list(extra),
            stdout=subprocess.PIPE, stderr=self.log, text=True,
            preexec_fn=_die_with_parent)
        line = ""
        if select.select([self.proc.stdout], [], [], DEADLINE)[0]:
            line = self.proc.stdout.readline()
        m = re.search(r"on http://127\.0\.0\.1:(\d+)/", line)
        if not m:
            self.proc.kill()
            self.proc.wait()
            raise Failure("serve did not print its address within %d s (it printed %r)%s"
                          % (DEADLINE, line, log_tail(self.log.name)))
        self.port = int(m.group(1))
        self.url = "http://127.0.0.1:%d" % self.port

    def request(self, method, path, headers=None, body=None):
        c = http.client.HTTPConnection("127.0.0.1", self.port, timeout=DEADLINE)
        c.request(method, path, body=body, headers=headers or {})
        r = c.getresponse()
        data = r.read()
        c.close()
        return r.status, dict((k.lower(), v) for k, v in r.getheaders()), data

    def get(self, path):
        return self.request("GET", path)

    def json(self, path, status=200):
        code, headers, body = self.get(path)
        check(code == status, "GET %s: status %d, wanted %d: %s" % (path, code, status, body[:300]))
        check(headers.get("content-type", "").startswith("application/json"),
              "GET %s: content type %r" % (path, headers.get("content-type")))
        return json.loads(body)

    def alive(self):
        return self.proc.poll() is None

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(DEADLINE)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        return self.proc.returncode


def demo_store(statelog, tmp):
    """Runs `statelog demo` into TMP/data and returns ["--data", dir]."""
    data = os.path.join(tmp, "data")
    run([statelog, "demo", "--data", data])
    return ["--data", data]


def main(test):
    """Runs test(statelog, tmpdir) and exits 0, or 1 with the failure."""
    statelog = sys.argv[1]
    tmp = tempfile.mkdtemp(prefix="statelog-serve-")
    try:
        test(statelog, tmp)
    except Failure as e:
        print("FAIL: %s" % e, file=sys.stderr)
        sys.exit(1)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    print("OK")
