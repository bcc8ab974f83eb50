"""The web explorer in real headless Chromium, against `statelog serve` on a demo store: it lists
the store's channels, moving the time slider changes the balances shown, and the chain head and
verification appear. With --live CONNINFO (a PostgreSQL log), an append by another process shows
up on the open page without a reload. With --screenshots DIR, saves the page as PNG files.

Usage: browser_test.py STATELOG [--live CONNINFO] [--screenshots DIR]
(docs/images/ holds the screenshots it saves.)
"""
import json
import os
import subprocess
import sys
import uuid

from cdp import Browser
from serve_lib import Failure, Server, check, demo_store, main, run


def channel_ids(statelog, store_args):
    out = run([statelog, "log", "--type", "channel_created", "--json"] + store_args)
    return [json.loads(line)["event"]["channel_id"] for line in out.splitlines()]


def balances(b):
    return b.eval("[...document.querySelectorAll('#balances tbody tr')]"
                  ".map(r => r.cells[0].textContent + '=' + r.cells[1].textContent).join(';')")


def set_slider(b, offset):
    b.eval("(() => { const s = document.getElementById('at'); s.value = '%d';"
           " s.dispatchEvent(new Event('input')); })()" % offset)
    b.wait("the page to show offset %d" % offset,
           "document.getElementById('balances').dataset.at === '%d'" % offset)


def test_page(statelog, tmp, store_args, shots):
    ids = channel_ids(statelog, store_args)
    check(len(ids) >= 2, "the demo store should hold at least 2 channels, not %d" % len(ids))
    server = Server(statelog, store_args)
    b = Browser()
    try:
        b.navigate(server.url + "/")
        b.wait("the channel list", "document.body.dataset.ready === 'true'")
        shown = b.eval("[...document.querySelectorAll('#channels tbody tr')]"
                       ".map(r => r.dataset.channel)")
        check(sorted(shown) == sorted(ids), "channels shown %s, the store has %s" % (shown, ids))
        # The head and the verification result.
        length = server.json("/api/v1/head")["length"]
        b.wait("the head", "document.getElementById('head-length').textContent === '%d'" % length)
        b.wait("the verification badge",
               "document.getElementById('verify').classList.contains('ok')")
        # The first channel is selected: its timeline and the slider at the head.
        b.wait("the timeline", "document.querySelectorAll('#timeline li').length > 0")
        check(b.eval("document.getElementById('channel-id').textContent") == shown[0],
              "the first channel of the list is selected")
        head = server.json("/api/v1/channels/" + shown[0])
        channel = head["channel"]
        n = b.eval("document.querySelectorAll('#timeline li').length")
        check(n == channel["event_count"],
              "timeline shows %d events, the channel has %d" % (n, channel["event_count"]))
        check(b.eval("document.querySelectorAll('#chart path.series').length") >= 2,
              "the chart draws a balance line per destination")
        # The slider: at the channel's creation there is no outcome; at the head there is.
        set_slider(b, channel["first_offset"])
        early = balances(b)
        set_slider(b, length - 1)
        late = balances(b)
        check(early != late, "moving the slider changed nothing: %r" % late)
        want = ";".join("=" + x["amount"] for x in head["balances"])
        check(";".join("=" + x.split("=")[1] for x in late.split(";")) == want,
              "balances at the head %r, the API says %r" % (late, want))
        # A middle offset matches the API as of that offset.
        mid = (channel["first_offset"] + channel["last_offset"]) // 2
        set_slider(b, mid)
        at_mid = server.json("/api/v1/channels/%s?at=%d" % (shown[0], mid))
        api = at_mid["channel"]
        b.wait("balances as of %d" % mid,
               "document.querySelectorAll('#balances tbody tr').length === %d"
               % len(at_mid["balances"]))
        future = b.eval("document.querySelectorAll('#timeline li.future').length")
        check(future == channel["event_count"] - api["event_count"],
              "%d events greyed out as after offset %d, wanted %d"
              % (future, mid, channel["event_count"] - api["event_count"]))
        if shots:
            set_slider(b, length - 1)
            b.screenshot(os.path.join(shots, "explorer.png"))
            set_slider(b, mid)
            b.screenshot(os.path.join(shots, "explorer-time-travel.png"))
        check(not b.console_errors(), "script errors: %s" % b.console_errors())
    finally:
        b.close()
        server.stop()


def test_live(statelog, tmp, conninfo, shots):
    # A database of its own on the test server: nothing else appends to it.
    db = "statelog_serve_%s" % uuid.uuid4().hex[:12]
    run(["psql", conninfo, "-q", "-c", "CREATE DATABASE " + db])
    store = conninfo.replace("dbname=statelog", "dbname=" + db)
    check(store != conninfo, "the connection string must name dbname=statelog")
    try:
        store_args = ["--store", store]
        run([statelog, "demo"] + store_args)
        server = Server(statelog, store_args)
        b = Browser()
        try:
            b.navigate(server.url + "/")
            b.wait("the page", "document.body.dataset.ready === 'true'")
            b.wait("the live stream", "document.getElementById('live').classList.contains('on')")
            before = b.eval("document.querySelectorAll('#channels tbody tr').length")
            length = server.json("/api/v1/head")["length"]
            b.eval("window.__marker = 'same page'")
            # Another process appends: a second demo run (new channels and events).
            run([statelog, "demo"] + store_args)
            after_len = server.json("/api/v1/head")["length"]
            check(after_len > length, "the second demo appended nothing")
            b.wait("the new events in the list",
                   "document.querySelectorAll('#recent li').length === %d" % (after_len - length))
            b.wait("the new channels",
                   "document.querySelectorAll('#channels tbody tr').length > %d" % before)
            b.wait("the new head",
                   "document.getElementById('head-length').textContent === '%d'" % after_len)
            b.wait("the slider to follow the head",
                   "document.getElementById('at-max').textContent === '%d'" % (after_len - 1))
            check(b.eval("window.__marker") == "same page", "the page was reloaded")
            first = b.eval("document.querySelector('#recent li:last-child').dataset.offset")
            check(first == str(length), "the first new event shown is #%s, wanted #%d"
                  % (first, length))
            if shots:
                b.screenshot(os.path.join(shots, "explorer-live.png"))
            # The metrics count the other process's appends, and their delivery delays.
            metrics = server.get("/metrics")[2].decode()
            appended = sum(float(line.rsplit(" ", 1)[1]) for line in metrics.splitlines()
                           if line.startswith("statelog_appends_total{"))
            check(appended == after_len - length, "statelog_appends_total: %s" % appended)
            check("\nstatelog_append_delivery_seconds_count %d\n" % (after_len - length)
                  in metrics, "statelog_append_delivery_seconds_count")
        finally:
            b.close()
            server.stop()
    finally:
        subprocess.run(["psql", conninfo, "-q", "-c", "DROP DATABASE IF EXISTS " + db],
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def test(statelog, tmp):
    args = sys.argv[2:]
    shots = args[args.index("--screenshots") + 1] if "--screenshots" in args else None
    if "--live" in args:
        return test_live(statelog, tmp, args[args.index("--live") + 1], shots)
    test_page(statelog, tmp, demo_store(statelog, tmp), shots)


if __name__ == "__main__":
    main(test)
