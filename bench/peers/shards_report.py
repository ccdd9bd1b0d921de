#!/usr/bin/env python3
"""Table of NGGen.PeerBench --group shards (JSON lines on stdin): the MLP gradient on one batch against one shard per
kernel thread, medians of alternated rounds, and the shard count ShardedBatch picks by default.

    dotnet bench/NGGen.PeerBench/bin/Release/net10.0/NGGen.PeerBench.dll --group shards | python3 bench/peers/shards_report.py
"""
import json
import sys

cells = {}
for line in sys.stdin:
    line = line.strip()
    if not line.startswith("{"):
        continue
    r = json.loads(line)
    if r.get("group") != "shards":
        continue
    cell = cells.setdefault((r["width"], r["batch"]), {})
    cell[r["variant"]] = r
print("| width | batch | one batch | sharded | shards | sharded / one batch | default shards | default is the faster |")
print("|---|---|---|---|---|---|---|---|")
for (width, batch), cell in sorted(cells.items()):
    one, sharded = cell["one_batch"], cell["sharded"]
    ratio = sharded["seconds"] / one["seconds"]
    chosen = int(sharded["default_shards"])
    faster = (chosen > 1) == (ratio < 1)
    def ms(s):
        return f"{s * 1e3:.3f} ms" if s >= 1e-3 else f"{s * 1e6:.1f} µs"
    print(f"| {width} | {batch} | {ms(one['seconds'])} | {ms(sharded['seconds'])} | {int(sharded['shards'])} | "
          f"{ratio:.2f} | {chosen} | {'yes' if faster else 'no'} |")
