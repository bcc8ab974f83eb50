#!/usr/bin/env python3
"""Subscriptions whose PostgreSQL server goes away (docs/cli.md, `log --follow`; docs/http-api.md,
/health/ready and /metrics; statelog/c.h, statelog_subscribe_with_state).

    outage_test.py STATELOG C_FOLLOW PG_SERVER_SH

On a server of its own (pg-server.sh, in a new directory), with `statelog log --follow`, the C
API (c_follow) and `statelog serve` following one log:
  1. the server is killed (pg_ctl -m immediate) and started again within the reconnect timeout:
     each follower reports the outage and since when, then its end, and after more appends has
     delivered every offset exactly once, in order; serve's /health/ready answers 503 naming the
     outage and /metrics shows it while it lasts, 200 and the counters after;
  2. the server is killed for longer than the followers' reconnect timeout: they exit 1 with the
     error, which says since when; serve, which never gives up, reports the outage until the
     server is back and is ready again after.
Every wait is bounded (DEADLINE) and a failure ends with the tail of the server's log.
"""
import json
import os
import re
import select
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request

DEADLINE = 60  # seconds: the most any wait may take before the test fails


class Failure(Exception):
    pass


def wait_for(what, fn, deadline=DEADLINE):
    end = time.monotonic() + deadline
    while True:
        v = fn()
        if v:
            return v
        if time.monotonic() > end:
            raise Failure("gave up waiting for " + what)
        time.sleep(0.1)


def read(path):
    with open(path, errors="replace") as f:
        return f.read()


class Follower:
    """A process whose standard output and error go to files."""

    def __init__(self, name, args, tmp):
        self.name = name
        self.out = os.path.join(tmp, name + ".out")
        self.err = os.path.join(tmp, name + ".err")
        with open(self.out, "w") as out, open(self.err, "w") as err:
            self.proc = subprocess.Popen(args, stdout=out, stderr=err)

    def stdout(self):
        return read(self.out)

    def stderr(self):
        return read(self.err)

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(DEADLINE)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


def cli_offsets(text):
    return [json.loads(line)["offset"] for line in text.splitlines() if line.startswith("{")]


def c_offsets(text):
    return [int(line.split()[1]) for line in text.splitlines() if line.startswith("event ")]


def check_complete(name, offsets, length):
    if offsets != list(range(length)):
        missing = sorted(set(range(length)) - set(offsets))
        twice = sorted({o for o in offsets if offsets.count(o) > 1})
        raise Failure("%s delivered %d events for a log of %d: missing %s, twice %s"
                      % (name, len(offsets), length, missing[:10], twice[:10]))


class Serve:
    def __init__(self, statelog, conninfo, tmp):
        self.log = os.path.join(tmp, "serve.err")
        with open(self.log, "w") as err:
            self.proc = subprocess.Popen(
                [statelog, "serve", "--listen", "127.0.0.1:0", "--store", conninfo],
                stdout=subprocess.PIPE, stderr=err, text=True)
        line = ""
        if select.select([self.proc.stdout], [], [], DEADLINE)[0]:
            line = self.proc.stdout.readline()
        m = re.search(r"on http://127\.0\.0\.1:(\d+)/", line)
        if not m:
            self.proc.kill()
            self.proc.wait()
            raise Failure("serve did not print its address within %d s: %r %s"
                          % (DEADLINE, line, read(self.log)[-2000:]))
        self.url = "http://127.0.0.1:%s" % m.group(1)

    def get(self, path):
        try:
            with urllib.request.urlopen(self.url + path, timeout=DEADLINE) as r:
                return r.status, r.read().decode()
        except urllib.error.HTTPError as e:
            return e.code, e.read().decode()

    def metric(self, name):
        _, text = self.get("/metrics")
        m = re.search(r"^%s (\S+)$" % re.escape(name), text, re.MULTILINE)
        return float(m.group(1)) if m else None

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(DEADLINE)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


def run_test(statelog, c_follow, pg_server, tmp):
    server_dir = tempfile.mkdtemp(prefix="statelog-outage-", dir="/tmp")  # a short socket path
    os.chmod(server_dir, 0o755)  # the server user must reach its directory under it
    server = os.path.join(server_dir, "pg")
    procs = []

    def pg(command):
        p = subprocess.run([pg_server, command, server], stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, text=True, timeout=3 * DEADLINE)
        if p.returncode != 0:
            raise Failure("pg-server.sh %s: %s" % (command, p.stderr))
        return p.stdout.strip()

    def length(conninfo):
        p = subprocess.run([statelog, "stats", "--json", "--store", conninfo],
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                           timeout=DEADLINE)
        if p.returncode != 0:
            raise Failure("stats: " + p.stderr)
        return json.loads(p.stdout)["length"]

    def demo(conninfo):
        p = subprocess.run([statelog, "demo", "--store", conninfo], stdout=subprocess.PIPE,
                           stderr=subprocess.STDOUT, text=True, timeout=3 * DEADLINE)
        if p.returncode != 0:
            raise Failure("demo: " + p.stdout[-2000:])

    try:
        conninfo = pg("start")
        demo(conninfo)
        first = length(conninfo)

        # 1. An outage shorter than the reconnect timeout.
        cli = Follower("cli", [statelog, "log", "--follow", "--json", "--store", conninfo,
                               "--reconnect-timeout", "120"], tmp)
        c = Follower("c", [c_follow, conninfo, "statelog", "0", "120000"], tmp)
        procs += [cli, c]
        serve = Serve(statelog, conninfo, tmp)
        procs.append(serve)
        wait_for("the followers to deliver the log",
                 lambda: len(cli_offsets(cli.stdout())) >= first and
                 len(c_offsets(c.stdout())) >= first)
        wait_for("serve to be ready", lambda: serve.get("/health/ready")[0] == 200)

        pg("kill")
        wait_for("log --follow to report the outage",
                 lambda: "the store is unreachable since " in cli.stderr())
        wait_for("c_follow to report the outage", lambda: "\nunreachable " in "\n" + c.stdout())
        status, body = wait_for("/health/ready to report the outage",
                                lambda: (lambda r: r if r[0] == 503 and "unreachable since" in r[1]
                                         else None)(serve.get("/health/ready")))
        if serve.metric("statelog_store_reachable") != 0:
            raise Failure("metrics: statelog_store_reachable is not 0 during the outage")
        if not serve.metric("statelog_store_unreachable_since_timestamp_seconds"):
            raise Failure("metrics: no statelog_store_unreachable_since_timestamp_seconds")
        if cli.proc.poll() is not None or c.proc.poll() is not None:
            raise Failure("a follower exited during a short outage: %s %s"
                          % (cli.stderr(), c.stdout()[-500:]))
        print("outage reported: %s; /health/ready: %s" % (cli.stderr().strip().splitlines()[-1],
                                                          json.loads(body)["error"]["message"]))

        pg("resume")
        demo(conninfo)
        second = length(conninfo)
        wait_for("the followers to deliver the new events",
                 lambda: len(cli_offsets(cli.stdout())) >= second and
                 len(c_offsets(c.stdout())) >= second)
        wait_for("log --follow to report the end of the outage",
                 lambda: "log --follow: reconnected" in cli.stderr())
        if "\nreachable " not in "\n" + c.stdout():
            raise Failure("c_follow did not report the end of the outage: " + c.stdout()[-500:])
        check_complete("log --follow", cli_offsets(cli.stdout()), second)
        check_complete("c_follow", c_offsets(c.stdout()), second)
        wait_for("serve to be ready again", lambda: serve.get("/health/ready")[0] == 200)
        if serve.metric("statelog_store_reachable") != 1 or \
                serve.metric("statelog_store_outages_total") != 1:
            raise Failure("metrics after the outage: reachable %s, outages %s"
                          % (serve.metric("statelog_store_reachable"),
                             serve.metric("statelog_store_outages_total")))
        cli.stop()
        c.stop()
        print("short outage: %d events delivered by each follower, each offset once" % second)

        # 2. An outage longer than the reconnect timeout.
        cli = Follower("cli2", [statelog, "log", "--follow", "--json", "--store", conninfo,
                                "--reconnect-timeout", "2"], tmp)
        c = Follower("c2", [c_follow, conninfo, "statelog", "0", "2000"], tmp)
        procs += [cli, c]
        wait_for("the followers to deliver the log",
                 lambda: len(cli_offsets(cli.stdout())) >= second and
                 len(c_offsets(c.stdout())) >= second)
        pg("kill")
        wait_for("log --follow to exit", lambda: cli.proc.poll() is not None)
        wait_for("c_follow to exit", lambda: c.proc.poll() is not None)
        err = cli.stderr()
        if cli.proc.returncode != 1 or "log --follow stopped" not in err or \
                "unreachable since" not in err or "reconnect timeout 2.0 s" not in err:
            raise Failure("log --follow after a long outage: exit %d: %s"
                          % (cli.proc.returncode, err))
        if c.proc.returncode != 1 or not re.search(r"^stopped IOError: .*unreachable since",
                                                   c.stdout(), re.MULTILINE):
            raise Failure("c_follow after a long outage: exit %d: %s"
                          % (c.proc.returncode, c.stdout()[-500:]))
        print("long outage: " + err.strip().splitlines()[-1])
        if serve.proc.poll() is not None or serve.get("/health/ready")[0] != 503:
            raise Failure("serve gave up, or called itself ready, during the long outage")
        pg("resume")
        wait_for("serve to be ready after the long outage",
                 lambda: serve.get("/health/ready")[0] == 200)
        if serve.metric("statelog_store_outages_total") != 2:
            raise Failure("metrics: %s outages, wanted 2"
                          % serve.metric("statelog_store_outages_total"))
    except Failure:
        log = os.path.join(server, "server.log")
        if os.path.exists(log):
            print("--- the last lines of %s:\n%s" % (log, "\n".join(read(log).splitlines()[-20:])),
                  file=sys.stderr)
        for p in procs:
            if isinstance(p, Follower):
                print("--- %s: %s" % (p.name, p.stderr()[-1000:]), file=sys.stderr)
        raise
    finally:
        for p in procs:
            p.stop()
        subprocess.run([pg_server, "stop", server], stdout=subprocess.DEVNULL,
                       stderr=subprocess.DEVNULL, timeout=3 * DEADLINE)
        shutil.rmtree(server_dir, ignore_errors=True)


def main():
    if len(sys.argv) != 4:
        sys.exit(__doc__)
    tmp = tempfile.mkdtemp(prefix="statelog-outage-test-")
    try:
        run_test(sys.argv[1], sys.argv[2], sys.argv[3], tmp)
    except Failure as e:
        print("FAIL: %s" % e, file=sys.stderr)
        sys.exit(1)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    print("OK")


if __name__ == "__main__":
    main()
