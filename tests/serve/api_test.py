"""The JSON API of `statelog serve` on a demo store: every route (go-nitro's queries: a ledger or
payment channel, all ledger channels, payment channels by ledger, an objective, payment history),
filters, pages, time travel (?at=) checked against `statelog show`, and the exact error answers.
"""
import json

from serve_lib import Failure, Server, check, demo_store, main, run, wait_for


def error_body(code, message, parameter=None):
    e = {"code": code, "message": message}
    if parameter is not None:
        e["parameter"] = parameter
    return json.dumps({"error": e}, separators=(",", ":")).encode()


def expect_error(server, path, status, code, message, parameter=None, method="GET"):
    got_status, headers, body = server.request(method, path)
    want = error_body(code, message, parameter)
    check(got_status == status and body == want,
          "%s %s: got %d %s, wanted %d %s" % (method, path, got_status, body, status, want))
    check(headers.get("content-type") == "application/json", "%s: content type" % path)
    return headers


def test(statelog, tmp):
    store = demo_store(statelog, tmp)
    # What the command line says about the store (before the server holds it).
    stats = json.loads(run([statelog, "stats", "--json"] + store))
    log = [json.loads(l) for l in run([statelog, "log", "--json"] + store).splitlines()]
    channels = [e["event"]["channel_id"] for e in log if e["event"]["type"] == "channel_created"]
    objectives = sorted(set(e["event"]["objective_id"] for e in log
                            if e["event"]["type"] == "objective_created"))
    c0 = channels[0]
    shows = {}
    for at in range(len(log)):  # every offset of the log
        try:
            shows[at] = json.loads(run([statelog, "show", "channel", c0, "--at", str(at),
                                        "--json"] + store))
        except Failure:
            shows[at] = None  # no event of the channel yet
    objective_shown = json.loads(run([statelog, "show", "objective", objectives[0], "--json"] +
                                     store))
    length = stats["length"]

    server = Server(statelog, store)
    try:
        # Head and verification.
        head = server.json("/api/v1/head")
        check(head["length"] == length and head["chain"] == stats["head"],
              "head %s, stats %s" % (head, stats))
        check(head["backend"].startswith("RocksDB store "), "backend %r" % head["backend"])
        v = wait_for("the verification",
                     lambda: (lambda h: h if h["verify"]["status"] != "pending" else None)(
                         server.json("/api/v1/head")))["verify"]
        check(v["status"] == "ok" and v["events"] == length and v["chain"] == stats["head"],
              "verify %s" % v)

        old = server.json("/api/v1/head?at=9")
        check(old["length"] == 10 and old["chain"] == log[9]["chain"], "head?at=9: %s" % old)

        # Channels: the list, filters, one channel (GetLedgerChannel / GetAllLedgerChannels).
        listed = server.json("/api/v1/channels")
        check(sorted(c["id"] for c in listed["channels"]) == sorted(channels),
              "channels %s" % listed)
        # The demo's virtual (payment) channel is the one its VirtualFund objective funds; the
        # others are ledgers.
        payment = sorted(e["event"]["objective_id"].split("-", 1)[1] for e in log
                         if e["event"]["type"] == "objective_created" and
                         e["event"]["objective_id"].startswith("VirtualFund-"))
        kinds = {c["id"]: c["kind"] for c in listed["channels"]}
        check(payment and all(kinds[c] == ("payment" if c in payment else "ledger")
                              for c in channels), "kinds %s, payment %s" % (kinds, payment))
        ledgers = server.json("/api/v1/channels?kind=ledger")["channels"]
        check(len(ledgers) == len(channels) - len(payment), "kind=ledger")
        check(sorted(c["id"] for c in server.json("/api/v1/channels?kind=payment")["channels"])
              == payment, "kind=payment")
        # GetPaymentChannelsByLedger: Alice's ledger (the first channel) funds the virtual one.
        check(sorted(c["id"] for c in server.json("/api/v1/channels?ledger=" + c0)["channels"])
              == payment, "ledger=")
        whole = server.json("/api/v1/channels/" + c0)
        one = whole["channel"]
        check(whole["kind"] == "ledger" and whole["balances"], "kind and balances beside it")
        p0 = one["fixed"]["participants"][0]
        with_p0 = server.json("/api/v1/channels?participant=" + p0)["channels"]
        check(with_p0 and all(p0 in c["participants"] for c in with_p0), "participant=")
        concluded = server.json("/api/v1/channels?concluded=true")["channels"]
        check(all(c["concluded"] for c in concluded), "concluded=true")
        check(len(concluded) + len(server.json("/api/v1/channels?concluded=false")["channels"])
              == len(channels), "concluded=true and false split the channels")
        check(one["states"] and all(s["signatures"] for _, s in one["states"]),
              "states with signatures")
        check(one["event_count"] == sum(1 for e in log if e["event"].get("channel_id") == c0),
              "event_count")
        # Time travel: as of an offset, the same as `statelog show --at`.
        for at, shown in shows.items():
            if shown is None:
                expect_error(server, "/api/v1/channels/%s?at=%d" % (c0, at), 404, "not_found",
                             "channel %s has no event in the first %d events of the log"
                             % (c0, at + 1))
                continue
            # One JSON shape of a channel: the API's is `statelog show --json`'s, member for member.
            got = server.json("/api/v1/channels/%s?at=%d" % (c0, at))["channel"]
            check(got == shown, "as of %d: %s vs show %s" % (at, got, shown))
        # Payment history: each voucher's amount and the increment it paid.
        pay = server.json("/api/v1/channels/%s/payments" % c0)
        vouchers = [e for e in log if e["event"].get("channel_id") == c0 and
                    e["event"]["type"] in ("voucher_sent", "voucher_received")]
        check(len(pay["payments"]) == len(vouchers), "payments %s" % pay)
        for direction in ("sent", "received"):
            total = 0
            for p in pay["payments"]:
                if p["direction"] != direction:
                    continue
                total += int(p["increment"])
                check(int(p["amount"]) == total, "increments add up to the amount: %s" % p)
            check(str(total) == pay["paid" if direction == "sent" else "received"], "totals")
        timeline = server.json("/api/v1/channels/%s/timeline" % c0)
        check([e["offset"] for e in timeline["events"]] ==
              [e["offset"] for e in log if e["event"].get("channel_id") == c0], "timeline")
        check(timeline["events"][-1]["after"]["balances"] == whole["balances"], "timeline end")

        # Objectives (GetObjective).
        objs = server.json("/api/v1/objectives")["objectives"]
        check(sorted(o["id"] for o in objs) == objectives, "objectives %s" % objs)
        done = server.json("/api/v1/objectives?status=Completed")["objectives"]
        check(done and all(o["status"] == "Completed" for o in done), "status=Completed")
        o = server.json("/api/v1/objectives/" + objectives[0])["objective"]
        check(o["id"] == objectives[0], "one objective")
        # One JSON shape of an objective: the API's is `statelog show --json`'s.
        check(o == objective_shown, "objective %s vs show %s" % (o, objective_shown))
        by_channel = server.json("/api/v1/objectives?channel=" + c0)["objectives"]
        check(by_channel and all(c0 in x["id"] or c0 in x["channels"] for x in by_channel),
              "objectives?channel=")

        # The log in pages: following "next" reads every event once, in order.
        seen, nxt = [], 0
        while nxt is not None:
            page = server.json("/api/v1/log?limit=7&from=%d" % nxt)
            check(len(page["events"]) <= 7, "page size")
            seen += page["events"]
            nxt = page["next"]
        check([(e["offset"], e["chain"]) for e in seen] ==
              [(e["offset"], e["chain"]) for e in log], "pages")
        check([e["event"] for e in seen] == [e["event"] for e in log], "events")
        vs = server.json("/api/v1/log?type=voucher_sent&limit=1000")["events"]
        check(len(vs) == stats["types"].get("voucher_sent", 0) and
              all(e["event"]["type"] == "voucher_sent" for e in vs), "type=")
        ch = server.json("/api/v1/log?channel=%s&limit=1000" % c0)["events"]
        check([e["offset"] for e in ch] == [e["offset"] for e in timeline["events"]], "channel=")
        ob = server.json("/api/v1/log?objective=%s&limit=1000" % objectives[0])["events"]
        check(ob and all(e["event"].get("objective_id") == objectives[0] for e in ob), "objective=")
        as_of = server.json("/api/v1/log?at=9&limit=1000")
        check(as_of["length"] == 10 and len(as_of["events"]) == 10, "log?at=9")

        # Health.
        check(server.json("/health/live") == {"status": "live"}, "live")
        ready = server.json("/health/ready")
        check(ready["status"] == "ready" and ready["length"] == length, "ready %s" % ready)

        # Errors: exact answers, each naming the parameter.
        expect_error(server, "/api/v1/channels?at=x", 400, "bad_parameter",
                     "parameter 'at': not an offset: 'x'", "at")
        expect_error(server, "/api/v1/channels?at=-1", 400, "bad_parameter",
                     "parameter 'at': not an offset: '-1'", "at")
        expect_error(server, "/api/v1/channels/%s?at=%d" % (c0, length), 400, "bad_parameter",
                     "parameter 'at': offset %d is past the end of the log (length %d)"
                     % (length, length), "at")
        expect_error(server, "/api/v1/channels?at=99999999999999999999", 400, "bad_parameter",
                     "parameter 'at': not an offset: '99999999999999999999'", "at")
        expect_error(server, "/api/v1/channels/0x12", 400, "bad_parameter",
                     "parameter 'id': not a channel id (0x and 64 hex digits): '0x12'", "id")
        expect_error(server, "/api/v1/channels/%s" % ("0x" + "ab" * 32), 404, "not_found",
                     "channel 0x%s has no event in the first %d events of the log"
                     % ("ab" * 32, length))
        expect_error(server, "/api/v1/channels/%s?at=0" % c0, 404, "not_found",
                     "channel %s has no event in the first 1 events of the log" % c0)
        expect_error(server, "/api/v1/objectives/VirtualFund-%s" % c0, 404, "not_found",
                     "objective VirtualFund-%s has no event in the first %d events of the log"
                     % (c0, length))
        expect_error(server, "/api/v1/channels/%s/payments" % ("0x" + "ab" * 32), 404,
                     "not_found", "channel 0x%s has no event in the first %d events of the log"
                     % ("ab" * 32, length))
        expect_error(server, "/api/v1/channels?kind=virtual", 400, "bad_parameter",
                     "parameter 'kind': not one of ledger, payment, unknown: 'virtual'", "kind")
        expect_error(server, "/api/v1/channels?participant=0xzz", 400, "bad_parameter",
                     "parameter 'participant': not an address (0x and 40 hex digits): '0xzz'",
                     "participant")
        expect_error(server, "/api/v1/channels?concluded=yes", 400, "bad_parameter",
                     "parameter 'concluded': not true or false: 'yes'", "concluded")
        expect_error(server, "/api/v1/channels?ledger=1", 400, "bad_parameter",
                     "parameter 'ledger': not a channel id (0x and 64 hex digits): '1'", "ledger")
        expect_error(server, "/api/v1/log?limit=0", 400, "bad_parameter",
                     "parameter 'limit': not a number from 1 to 1000: '0'", "limit")
        expect_error(server, "/api/v1/log?limit=1001", 400, "bad_parameter",
                     "parameter 'limit': not a number from 1 to 1000: '1001'", "limit")
        expect_error(server, "/api/v1/log?type=nope", 400, "bad_parameter",
                     "parameter 'type': unknown event type: 'nope'", "type")
        expect_error(server, "/api/v1/log?from=%d" % (length + 1), 400, "bad_parameter",
                     "parameter 'from': offset %d is past the end of the view (%d events)"
                     % (length + 1, length), "from")
        expect_error(server, "/api/v1/log?objective=Nope-0x00", 400, "bad_parameter",
                     "parameter 'objective': not an objective id (e.g. DirectFunding-0x...): "
                     "'Nope-0x00'", "objective")
        expect_error(server, "/api/v1/log?bogus=1", 400, "bad_parameter",
                     "parameter 'bogus': unknown parameter (this route takes: at, from, limit, "
                     "type, channel, objective)", "bogus")
        expect_error(server, "/api/v1/log?at=1&at=2", 400, "bad_parameter",
                     "parameter 'at': given more than once", "at")
        expect_error(server, "/api/v1/head?bogus=1", 400, "bad_parameter",
                     "parameter 'bogus': unknown parameter (this route takes: at)", "bogus")
        expect_error(server, "/health/live?x=1", 400, "bad_parameter",
                     "parameter 'x': unknown parameter (this route takes: none)", "x")
        expect_error(server, "/api/v1/objectives/DirectFunding-0x1", 400, "bad_parameter",
                     "parameter 'id': not an objective id (e.g. DirectFunding-0x...): "
                     "'DirectFunding-0x1'", "id")
        expect_error(server, "/api/v1/objectives?status=done", 400, "bad_parameter",
                     "parameter 'status': not one of Unapproved, Approved, Rejected, Completed: "
                     "'done'", "status")
        expect_error(server, "/api/v1/channels?at=%E2%9C%93", 400, "bad_parameter",
                     "parameter 'at': not an offset: '\\xe2\\x9c\\x93'", "at")
        expect_error(server, "/api/v1/nope", 404, "not_found", "no such route: '/api/v1/nope'")
        expect_error(server, "/nope", 404, "not_found", "no such route: '/nope'")
        expect_error(server, "/api/v1/channels/", 404, "not_found",
                     "no such route: '/api/v1/channels/'")
        for method in ("POST", "PUT", "DELETE", "PATCH"):
            h = expect_error(server, "/api/v1/head", 405, "method_not_allowed",
                             "method '%s' is not allowed: the API is read-only" % method,
                             method=method)
            check(h.get("allow") == "GET, HEAD", "Allow header for %s" % method)
        # Nothing was appended by any of it.
        check(server.json("/api/v1/head")["length"] == length, "the log grew")
    finally:
        check(server.stop() == 0, "serve exit code")
    check(json.loads(run([statelog, "stats", "--json"] + store))["length"] == length,
          "the store changed")


if __name__ == "__main__":
    main(test)
