"""/metrics of `statelog serve`, parsed as the Prometheus text exposition format (a strict parser
written here): well-formed lines, a TYPE per family, Prometheus naming (statelog_ prefix, counters
end in _total, base units), cumulative histogram buckets, label values from small fixed sets; and
the values: events by type as in `statelog stats`, the verification result, request counters.
"""
import json
import re
import shutil
import subprocess

from serve_lib import Server, check, demo_store, main, run, wait_for

NAME = r"[a-zA-Z_:][a-zA-Z0-9_:]*"
SAMPLE = re.compile(r"^(%s)(?:\{(.*)\})? (\S+)$" % NAME)
LABEL = re.compile(r'([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\\n]|\\[\\"n])*)"(,|$)')


def parse(text):
    """Returns {family: {"type":, "help":, "samples": [(name, labels, value)]}}."""
    check(text.endswith("\n"), "the exposition ends with a newline")
    families, current = {}, None
    for n, line in enumerate(text.split("\n")[:-1], 1):
        if line.startswith("# HELP ") or line.startswith("# TYPE "):
            parts = line.split(" ", 3)
            check(len(parts) == 4 and re.fullmatch(NAME, parts[2]), "line %d: %r" % (n, line))
            fam = families.setdefault(parts[2], {"samples": []})
            key = "help" if parts[1] == "HELP" else "type"
            check(key not in fam, "line %d: a second %s for %s" % (n, parts[1], parts[2]))
            if key == "type":
                check(parts[3] in ("counter", "gauge", "histogram", "summary", "untyped"),
                      "line %d: type %r" % (n, parts[3]))
                check(not fam["samples"], "line %d: TYPE after samples" % n)
            fam[key] = parts[3]
            current = parts[2]
            continue
        check(not line.startswith("#") and line, "line %d: %r" % (n, line))
        m = SAMPLE.match(line)
        check(m, "line %d is not a sample: %r" % (n, line))
        name, labels_text, value = m.groups()
        labels = {}
        if labels_text:
            pos = 0
            while pos < len(labels_text):
                lm = LABEL.match(labels_text, pos)
                check(lm, "line %d: labels %r" % (n, labels_text))
                check(lm.group(1) not in labels, "line %d: repeated label" % n)
                labels[lm.group(1)] = lm.group(2)
                pos = lm.end()
        v = float(value)  # raises on garbage: the test fails
        family = current
        check(family is not None and (name == family or (
            families[family].get("type") == "histogram" and
            name in (family + "_bucket", family + "_sum", family + "_count"))),
              "line %d: sample %s outside its family (%s)" % (n, name, family))
        families[family]["samples"].append((name, labels, v))
    for name, fam in families.items():
        check("type" in fam and "help" in fam, "%s: HELP and TYPE" % name)
    return families


def check_conventions(families):
    for name, fam in families.items():
        check(name.startswith("statelog_"), "%s: statelog_ prefix" % name)
        if fam["type"] == "counter":
            check(name.endswith("_total"), "counter %s must end in _total" % name)
        else:
            check(not name.endswith("_total"), "%s ends in _total but is a %s" % (name, fam["type"]))
        if fam["type"] == "histogram":
            check(name.endswith("_seconds"), "histogram %s in seconds" % name)
            series = {}
            for s, labels, v in fam["samples"]:
                key = tuple(sorted((k, x) for k, x in labels.items() if k != "le"))
                series.setdefault(key, {"buckets": []})
                if s.endswith("_bucket"):
                    series[key]["buckets"].append((labels["le"], v))
                else:
                    series[key][s[len(name) + 1:]] = v
            for key, h in series.items():
                les = [float(le) for le, _ in h["buckets"]]
                counts = [c for _, c in h["buckets"]]
                check(les == sorted(les) and les[-1] == float("inf"), "%s %s: le order" % (name, key))
                check(counts == sorted(counts), "%s %s: buckets are cumulative" % (name, key))
                check(counts[-1] == h["count"], "%s %s: +Inf bucket equals _count" % (name, key))
        for _, labels, _ in fam["samples"]:
            for k, v in labels.items():
                check(not re.search(r"0x[0-9a-f]{8}", v), "%s: label %s=%r is an id" % (name, k, v))


def value(families, name, **labels):
    family = re.sub(r"_(bucket|sum|count)$", "", name) if name not in families else name
    for s, l, v in families[family]["samples"]:
        if s == name and l == labels:
            return v
    return None


def test(statelog, tmp):
    store = demo_store(statelog, tmp)
    stats = json.loads(run([statelog, "stats", "--json"] + store))
    server = Server(statelog, store)
    try:
        wait_for("the verification", lambda: server.json("/health/ready") and
                 server.json("/api/v1/head")["verify"]["status"] == "ok")
        for _ in range(3):
            server.json("/api/v1/objectives")
        server.json("/api/v1/log?limit=0", status=400)
        for _ in range(2):
            check(server.get("/app.js")[0] == 200, "app.js")
        code, headers, body = server.get("/metrics")
        check(code == 200, "status %d" % code)
        check(headers["content-type"] == "text/plain; version=0.0.4; charset=utf-8",
              "content type %r" % headers["content-type"])
        text = body.decode()
        f = parse(text)
        check_conventions(f)
        check(value(f, "statelog_log_events") == stats["length"], "statelog_log_events")
        for t, n in stats["types"].items():
            check(value(f, "statelog_events", type=t) == n, "statelog_events{type=%s}" % t)
        check(sum(v for _, _, v in f["statelog_events"]["samples"]) == stats["length"],
              "events by type add up to the length")
        check(all(v == 0 for _, _, v in f["statelog_appends_total"]["samples"]),
              "nothing was appended while serving")
        check(value(f, "statelog_subscriber_lag_events") == 0, "lag")
        check(value(f, "statelog_verify_ok") == 1, "statelog_verify_ok")
        check(value(f, "statelog_verify_verified_events") == stats["length"], "verified events")
        check(value(f, "statelog_verify_runs_total") >= 1, "verify runs")
        check(value(f, "statelog_ready") == 1, "ready")
        check(value(f, "statelog_store_size_bytes") > 0, "store size")
        parts = {l["part"]: v for _, l, v in f["statelog_store_part_bytes"]["samples"]}
        check(sorted(parts) == sorted(["events", "indexes", "tree", "snapshots", "checkpoints",
                                       "logs"]), "every part of the store: %s" % parts)
        check(parts["logs"] > 0 and sum(parts.values()) <= value(f, "statelog_store_size_bytes"),
              "the parts fit in the store's size: %s" % parts)
        check(value(f, "statelog_snapshots") == stats["snapshots"], "snapshots")
        check(value(f, "statelog_http_requests_total", route="/api/v1/objectives", code="200")
              == 3, "3 requests to /api/v1/objectives")
        check(value(f, "statelog_http_requests_total", route="/api/v1/log", code="400") == 1,
              "1 refused request to /api/v1/log")
        check(value(f, "statelog_http_requests_total", route="/", code="200") == 2,
              "2 requests for the page's files")
        check(all(l["code"].isdigit() and 100 <= int(l["code"]) <= 599
                  for _, l, _ in f["statelog_http_requests_total"]["samples"]), "status codes")
        check(value(f, "statelog_http_request_duration_seconds_count", route="/api/v1/objectives")
              == 3, "durations of /api/v1/objectives")
        promtool = shutil.which("promtool")
        if promtool:
            p = subprocess.run([promtool, "check", "metrics"], input=text, text=True,
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
            check(p.returncode == 0, "promtool check metrics: %s" % p.stdout)
        # The parser itself refuses what it should.
        for bad in ("statelog_x 1\n", "# TYPE statelog_x gauge\n# HELP statelog_x h\nstatelog_x one\n",
                    "# TYPE statelog_x counter\n# HELP statelog_x h\nstatelog_x{a=\"1\"} 1"):
            try:
                parse(bad)
            except Exception:
                continue
            check(False, "the parser accepted %r" % bad)
        code, _, _ = server.get("/metrics?x=1")
        check(code == 400, "/metrics takes no parameter")
    finally:
        server.stop()


if __name__ == "__main__":
    main(test)
