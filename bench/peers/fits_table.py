"""Markdown table for bench/RESULTS-fits.md from the JSON lines of the two sides of the "fits" group:
    python3 bench/peers/fits_table.py out/fits-nggen.jsonl out/fits-ceres.jsonl
Each file may hold several rounds (bench/run-peers.sh alternates the implementations); a case's time is the median
of its rounds' medians, and its digits, cost and iterations must be the same in every round (the solvers are
deterministic), else the script stops naming the case."""
import json
import statistics
import sys


def load(path):
    rounds = {}
    for number, line in enumerate(open(path), 1):
        line = line.strip()
        if not line.startswith("{"):
            continue
        record = json.loads(line)
        if record.get("group") == "fits":
            rounds.setdefault(record["case"], []).append(record)
    if not rounds:
        raise SystemExit(f"{path}: no fits lines")
    merged = {}
    for case, records in rounds.items():
        for key in ("digits", "cost", "iterations"):
            if len({r[key] for r in records}) != 1:
                raise SystemExit(f"{path}, {case}: '{key}' differs between rounds: {[r[key] for r in records]}")
        merged[case] = dict(records[0], seconds=statistics.median(r["seconds"] for r in records), rounds=len(records))
    return merged


nggen, ceres = load(sys.argv[1]), load(sys.argv[2])
print("| problem / start | m × p | NGGen digits | Ceres digits | NGGen time | Ceres time | NGGen / Ceres | iterations NGGen / Ceres | stopped by NGGen / Ceres |")
print("|---|---:|---:|---:|---:|---:|---:|---:|---|")
for case, n in nggen.items():
    c = ceres.get(case)
    if c is None:
        raise SystemExit(f"{case}: no Ceres line")
    note = " (both fail)" if c.get("both_fail") else ""
    print(f"| {case}{note} | {n['observations']} × {n['parameters']} | {n['digits']:.2f} | {c['digits']:.2f} | "
          f"{n['seconds'] * 1e6:.1f} µs | {c['seconds'] * 1e6:.1f} µs | {n['seconds'] / c['seconds']:.2f} | "
          f"{n['iterations']} / {c['iterations']} | {n['termination']} / {c['termination']} |")
