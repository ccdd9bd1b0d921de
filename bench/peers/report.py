#!/usr/bin/python3
"""Prints bench/run-peers.sh's table: per case, the median over rounds of each implementation's median time, and
the ratio NGGen / peer (below 1: NGGen is faster). The MLP table also gives the speed-up from each side's fastest
round, which a contended round cannot lower. --json PATH writes the same rows for scripts.

    /usr/bin/python3 bench/peers/report.py out/peers/raw [--json PATH]
"""
import argparse
import glob
import json
import os
import re
import statistics
import sys

# Fields that identify or time a record; everything else is carried through as a per-implementation extra.
BASE_FIELDS = {"group", "case", "impl", "seconds", "reps", "op", "width", "batch", "flops"}


def load(raw_directory):
    records = []
    for path in sorted(glob.glob(os.path.join(raw_directory, "round*_*.jsonl"))):
        round_number = int(re.match(r"round(\d+)_", os.path.basename(path)).group(1))
        with open(path) as lines:
            for number, line in enumerate(lines, 1):
                line = line.strip()
                if not line:
                    continue
                try:
                    record = json.loads(line)
                except json.JSONDecodeError as error:
                    raise SystemExit(f"{path}:{number}: not a JSON line ({error})")
                record["round"] = round_number
                records.append(record)
    if not records:
        raise SystemExit(f"{raw_directory}: no round*_*.jsonl files; run bench/run-peers.sh first.")
    return records


def summarize(records):
    """One row per (group, case): NGGen's and the peer's median seconds over rounds, their extras, the ratio."""
    cases = {}
    for r in records:
        key = (r["group"], r["case"])
        row = cases.setdefault(key, {"group": r["group"], "case": r["case"], "times": {}, "extras": {}})
        for field in ("op", "width", "batch", "flops"):
            if field in r:
                row[field] = r[field]
        row["times"].setdefault(r["impl"], []).append(r["seconds"])
        extras = row["extras"].setdefault(r["impl"], {})
        for field, value in r.items():
            if field not in BASE_FIELDS and field != "round":
                extras.setdefault(field, []).append(value)
    rows = []
    for row in cases.values():
        # Numbers (a rate, a fraction of the peak, digits, allocations) are medians over the rounds like the times;
        # anything else is the same every round and the last one is kept.
        for extras in row["extras"].values():
            for field, values in extras.items():
                numeric = all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in values)
                extras[field] = statistics.median(values) if numeric else values[-1]
        samples = row.pop("times")
        times = {impl: statistics.median(values) for impl, values in samples.items()}
        # Slowest round over fastest, per implementation: a contended round shows here even where the median hides it.
        row["spread"] = {impl: max(values) / min(values) for impl, values in samples.items() if min(values) > 0}
        row["rounds"] = max(len(v) for v in samples.values())
        row["nggen_seconds"] = times.get("nggen")
        peers = [impl for impl in times if impl != "nggen"]
        row["peer"] = peers[0] if peers else None
        row["peer_seconds"] = times[peers[0]] if peers else None
        row["ratio"] = (row["nggen_seconds"] / row["peer_seconds"]
                        if row["nggen_seconds"] and row["peer_seconds"] else None)
        # The same ratio from each implementation's fastest round. Contention on a shared machine only ever slows a
        # round, so the fastest rounds are the least disturbed ones; the median stays the table's measure.
        fastest = {impl: min(values) for impl, values in samples.items()}
        row["best_ratio"] = (fastest["nggen"] / fastest[row["peer"]]
                             if row["peer"] and fastest.get("nggen") and fastest.get(row["peer"]) else None)
        rows.append(row)
    return rows


def fmt_time(seconds):
    if seconds is None:
        return "-"
    if seconds >= 1:
        return f"{seconds:.3f} s"
    if seconds >= 1e-3:
        return f"{seconds * 1e3:.3f} ms"
    return f"{seconds * 1e6:.1f} µs"


def fmt(value, digits=3):
    if value is None:
        return "-"
    if isinstance(value, float):
        return f"{value:.{digits}g}"
    return str(value)


def table(headers, rows):
    widths = [max(len(h), *(len(r[i]) for r in rows)) if rows else len(h) for i, h in enumerate(headers)]
    lines = ["| " + " | ".join(h.ljust(w) for h, w in zip(headers, widths)) + " |",
             "|" + "|".join("-" * (w + 2) for w in widths) + "|"]
    lines += ["| " + " | ".join(c.rjust(w) for c, w in zip(r, widths)) + " |" for r in rows]
    return "\n".join(lines)


def peak_section(rows):
    peak = [r for r in rows if r["group"] == "peak"]
    if not peak:
        return None, ""
    out = []
    fma = {}
    for r in peak:
        e = r["extras"].get("nggen", {})
        if "gflops" in e and r["case"].startswith("fma"):
            fma[r["case"]] = e["gflops"]
    for r in peak:
        e = r["extras"].get("nggen", {})
        value = (f"{e['gflops']:.1f} GFLOP/s" if "gflops" in e else f"{e['gb_per_s']:.1f} GB/s")
        fraction = f"{100 * e['fraction_of_peak']:.0f}%" if "fraction_of_peak" in e else ""
        out.append([r["case"], value, fraction, fmt_time(r["nggen_seconds"])])
    float_peak = max((v for k, v in fma.items() if k.startswith("fma_float")), default=None)
    text = "## Machine limits (NGGen.PeerBench --group peak)\n\n" + table(["case", "rate", "of FMA peak", "time"], out)
    return float_peak, text


def shards_of(row):
    shards = row["extras"].get("nggen", {}).get("shards")
    return "-" if shards is None else str(int(shards))


def mlp_section(rows, float_peak):
    mlp = [r for r in rows if r["group"] == "mlp"]
    if not mlp:
        return ""
    by_size = {}
    for r in mlp:
        by_size.setdefault((r["width"], r["batch"]), {})[r["op"]] = r
    out, overhead = [], []
    for (width, batch), ops in sorted(by_size.items()):
        for op in ("forward", "jvp", "jvp_linearized", "vjp", "grad", "grad_one_batch", "ggn", "ggn_fused"):
            r = ops.get(op)
            if r is None:
                continue
            gflops = r["flops"] / r["nggen_seconds"] / 1e9 if r.get("flops") and r["nggen_seconds"] else None
            speedup = 1 / r["ratio"] if r["ratio"] else None
            best_speedup = 1 / r["best_ratio"] if r.get("best_ratio") else None
            out.append([str(width), str(batch), op, fmt_time(r["nggen_seconds"]), fmt_time(r["peer_seconds"]),
                        fmt(r["ratio"]), f"{speedup:.1f}×" if speedup else "-",
                        "yes" if r["ratio"] is not None and r["ratio"] <= 0.1 else ("-" if r["ratio"] is None else "NO"),
                        f"{best_speedup:.1f}×" if best_speedup else "-",
                        f"{gflops:.1f}" if gflops else "-",
                        f"{100 * gflops / float_peak:.0f}%" if gflops and float_peak else "-",
                        fmt(r["extras"].get("torch", {}).get("max_rel_diff"), 2),
                        shards_of(r)])

        def t(op):
            return ops[op]["nggen_seconds"] if op in ops else None

        def ratio(a, b, target):
            if t(a) is None or t(b) is None:
                return "-"
            value = t(a) / t(b)
            return f"{value:.2f}" + ("" if value <= target else " (over)")
        overhead.append([str(width), str(batch), ratio("jvp", "forward", 2), ratio("jvp_linearized", "forward", 2),
                         ratio("vjp", "forward", 3),
                         ratio("ggn_fused", "grad", 1.5), ratio("ggn", "grad", 99)])
    def spread_text(r):
        return ", ".join(f"{impl} {value:.2f}×" for impl, value in sorted(r["spread"].items()) if value > NOISY_SPREAD)
    noisy = [r for r in sorted(mlp, key=lambda r: (r["width"], r["batch"], r["op"]))
             if any(value > NOISY_SPREAD for value in r["spread"].values())]
    noisy_targets = [f"w{r['width']} b{r['batch']} {r['op']} ({spread_text(r)})" for r in noisy if r["op"] in TARGET_OPS]
    noisy_text = (f"\n\nRounds that disagree (slowest round's median over the fastest's above {NOISY_SPREAD:.1f}×, so a "
                  f"median may be a contended round's): {len(noisy)} of {len(mlp)} rows"
                  + (f"; among the gradient and GGN rows: {'; '.join(noisy_targets)}" if noisy_targets else "") + ".")
    text = ("## MLP derivatives, float32 (NGGen.PeerBench --group mlp; bench/peers/torch_mlp.py)\n\n"
            + table(["width", "batch", "op", "NGGen", "PyTorch", "NGGen/PyTorch", "speed-up", "≥10×",
                     "speed-up, fastest rounds", "NGGen GFLOP/s", "of FMA peak", "max rel diff", "shards"], out)
            + "\n\n" + target_summary(mlp)
            + noisy_text
            + "\n\n### AD overhead (NGGen alone; targets JVP ≤ 2× forward, VJP ≤ 3× forward, fused GGN ≤ 1.5× gradient)\n\n"
            + table(["width", "batch", "JVP/forward", "linearized JVP/forward", "VJP/forward", "fused GGN/grad", "GGN from scratch/grad"], overhead))
    return text


def target_summary(mlp):
    """One line per target op: in how many cells NGGen is ≥ 10× faster, by the medians and by the fastest rounds."""
    lines = []
    for op in TARGET_OPS:
        cells = [r for r in mlp if r["op"] == op and r["ratio"] is not None]
        if not cells:
            continue
        by_median = sum(r["ratio"] <= 0.1 for r in cells)
        by_fastest = sum(r.get("best_ratio") is not None and r["best_ratio"] <= 0.1 for r in cells)
        missed = ", ".join(f"w{r['width']} b{r['batch']} {1 / r['ratio']:.2f}×"
                           for r in sorted(cells, key=lambda r: (r["width"], r["batch"])) if r["ratio"] > 0.1)
        lines.append(f"{op} ≥ 10× PyTorch: {by_median} of {len(cells)} cells by the medians"
                     + (f" (missed: {missed})" if missed else "")
                     + f", {by_fastest} of {len(cells)} by each side's fastest round.")
    return "\n".join(lines)


# Spread between rounds (slowest over fastest median) above which a cell is listed as noisy.
NOISY_SPREAD = 1.2
# The MLP rows the ≥ 10× target is about.
TARGET_OPS = ("grad", "ggn")

# Extra columns per group: (implementation, field, header). Other fields stay in the JSON output only.
COLUMNS = {
    "gncg": [("nggen", "bytes_per_call", "NGGen bytes/step"), ("torch", "max_rel_diff", "max rel diff")],
    "engd": [("nggen", "bytes_per_call", "NGGen bytes/step"), ("torch", "max_rel_diff", "max rel diff")],
    "fits": [("nggen", "digits", "NGGen digits"), ("ceres", "digits", "Ceres digits"),
             ("nggen", "iterations", "NGGen its"), ("ceres", "iterations", "Ceres its"),
             ("ceres", "both_fail", "both fail"), ("ceres", "max_relative_difference_to_nggen", "max rel diff")],
}


def generic_section(rows, group, title):
    selected = [r for r in rows if r["group"] == group]
    if not selected:
        return ""
    columns = COLUMNS.get(group, [])
    headers = ["case", "NGGen", peer_name(selected), "NGGen/peer"] + [header for _, _, header in columns]
    out = []
    for r in selected:
        out.append([r["case"], fmt_time(r["nggen_seconds"]), fmt_time(r["peer_seconds"]), fmt(r["ratio"])]
                   + [fmt(r["extras"].get(impl, {}).get(field)) for impl, field, _ in columns])
    return f"## {title}\n\n" + table(headers, out)


def peer_name(rows):
    peers = {r["peer"] for r in rows if r["peer"]}
    return "/".join(sorted(peers)) or "peer"


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("raw", help="directory of round*_*.jsonl files")
    parser.add_argument("--json", help="also write the rows as JSON here")
    args = parser.parse_args()
    rows = summarize(load(args.raw))
    rounds = max(r["rounds"] for r in rows)
    float_peak, peak_text = peak_section(rows)
    sections = [f"# NGGen against its peers (median of {rounds} round(s); ratio = NGGen time / peer time)", peak_text,
                mlp_section(rows, float_peak),
                generic_section(rows, "gncg", "One GN-CG step (float64)"),
                generic_section(rows, "engd", "One energy-natural-gradient step, 2D Poisson (float64)"),
                generic_section(rows, "fits", "Levenberg-Marquardt curve fits against Ceres (float64)")]
    print("\n\n".join(s for s in sections if s))
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"rounds": rounds, "fma_float_peak_gflops": float_peak, "rows": rows}, f, indent=1)
        print(f"\nWrote {args.json}", file=sys.stderr)


if __name__ == "__main__":
    main()
