#!/usr/bin/env python3
"""Combines Google Benchmark JSON files into report.md and report.json with ratios.

Each benchmark is compared with its baseline in the same run (same machine, same moment), as
listed in BASELINES: (benchmark name prefix, baseline name prefix, what the ratio means).
"""
import json
import os
import platform
import subprocess
import sys

# (figure, baseline, higher_is_better by items/s or lower time)
BASELINES = [
    ("BM_Encode", "BM_NlohmannDump", "encode vs nlohmann dump"),
    ("BM_Decode/verify_id:0", "BM_NlohmannParse", "decode (no id check) vs nlohmann parse"),
    ("BM_Decode/verify_id:1", "BM_NlohmannParse", "decode (id checked) vs nlohmann parse"),
    ("BM_Restore100K/snapshot:1", "BM_Restore100K/snapshot:0", "snapshot+tail vs full fold"),
    ("BM_ReconstructChannelInLargeLog/1000000", "BM_ReconstructChannelInLargeLog/1000",
     "one channel in 1M log vs in 1K log"),
    ("BM_VerifyInclusionFromEvent1M", "BM_RecoverSigner",
     "checking an event's inclusion proof at 1M vs one signer recovery"),
    ("BM_TreeAppend", "BM_ChainAppend", "the tree's hashing per append vs the chain's keccak256"),
    ("BM_VerifyDemoShaped/threads:0", "BM_RecoverSignerLimit/threads:0",
     "verify vs its signature recoveries alone on every core"),
    ("BM_CheckedImportDemoShaped/threads:0", "BM_RecoverSignerLimit/threads:0",
     "checked import vs its signature recoveries alone on every core"),
]


def machine():
    cpu = ""
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    return {"cpu": cpu, "cores": os.cpu_count(), "kernel": platform.release(),
            "date": subprocess.run(["date", "-u", "+%Y-%m-%dT%H:%M:%SZ"], capture_output=True,
                                   text=True).stdout.strip()}


def load(out_dir):
    rows = []
    for name in sorted(os.listdir(out_dir)):
        if not name.endswith("_bench.json"):
            continue
        with open(os.path.join(out_dir, name)) as f:
            data = json.load(f)
        for b in data.get("benchmarks", []):
            if b.get("run_type") == "aggregate" and b.get("aggregate_name") != "median":
                continue
            rows.append({"suite": name[:-5], "name": b["name"], "cpu_time": b.get("cpu_time"),
                         "real_time": b.get("real_time"), "time_unit": b.get("time_unit", "ns"),
                         "items_per_second": b.get("items_per_second"),
                         "counters": {k: v for k, v in b.items() if k not in (
                             "name", "run_name", "run_type", "repetitions", "repetition_index",
                             "threads", "iterations", "real_time", "cpu_time", "time_unit",
                             "family_index", "per_family_instance_index", "aggregate_name",
                             "aggregate_unit", "items_per_second", "bytes_per_second", "label")
                             and isinstance(v, (int, float))}})
    return rows


def find(rows, prefix):
    for r in rows:
        if r["name"].startswith(prefix):
            return r
    return None


def ratio(fig, base):
    if fig.get("items_per_second") and base.get("items_per_second"):
        return fig["items_per_second"] / base["items_per_second"], "x throughput"
    if fig.get("cpu_time") and base.get("cpu_time"):
        return base["cpu_time"] / fig["cpu_time"], "x faster (CPU time)"
    return None, ""


def main(out_dir):
    rows = load(out_dir)
    ratios = []
    for fig_name, base_name, meaning in BASELINES:
        fig, base = find(rows, fig_name), find(rows, base_name)
        if fig and base:
            value, unit = ratio(fig, base)
            if value is not None:
                ratios.append({"figure": fig["name"], "baseline": base["name"], "ratio": value,
                               "unit": unit, "meaning": meaning})
    # Ratios the suites compute themselves (e.g. the RocksDB and PostgreSQL peers).
    for r in rows:
        for k, v in r["counters"].items():
            if k.startswith("ratio") or k.startswith("x_"):
                ratios.append({"figure": r["name"], "baseline": k, "ratio": v, "unit": "",
                               "meaning": k})
    report = {"machine": machine(), "benchmarks": rows, "ratios": ratios}
    with open(os.path.join(out_dir, "report.json"), "w") as f:
        json.dump(report, f, indent=1)
    m = report["machine"]
    lines = ["# statelog benchmark report", "",
             f"Machine: {m['cpu']}, {m['cores']} cores, Linux {m['kernel']}, {m['date']}.",
             "Produced by `scripts/bench`. Times are per benchmark iteration; see each suite's "
             "docs in docs/benchmarks.md for what an iteration is.", "",
             "## Ratios to the baseline measured in the same run", "",
             "| figure | baseline | ratio | meaning |", "|---|---|---|---|"]
    for r in ratios:
        lines.append(f"| {r['figure']} | {r['baseline']} | {r['ratio']:.2f} {r['unit']} | "
                     f"{r['meaning']} |")
    lines += ["", "## Every figure", "",
              "| suite | benchmark | CPU time | wall time | items/s | counters |",
              "|---|---|---|---|---|---|"]
    for r in rows:
        ips = f"{r['items_per_second']:.4g}" if r.get("items_per_second") else ""
        counters = ", ".join(f"{k}={v:.4g}" for k, v in sorted(r["counters"].items()))
        lines.append(f"| {r['suite']} | {r['name']} | {r['cpu_time']:.4g} {r['time_unit']} | "
                     f"{r['real_time']:.4g} {r['time_unit']} | {ips} | {counters} |")
    scale = os.path.join(out_dir, "scale.md")
    if os.path.exists(scale):
        with open(scale) as f:
            lines += ["", "## Whole process at scale (scripts/bench-scale)", "", f.read().rstrip()]
    with open(os.path.join(out_dir, "report.md"), "w") as f:
        f.write("\n".join(lines) + "\n")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "bench-report")
