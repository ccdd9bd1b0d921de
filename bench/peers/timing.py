"""Shared by the Python peers: the timing rule of bench/NGGen.PeerBench/Measure.cs, the JSON-line output
format report.py reads, and the agreement check that must pass before anything is timed."""
import json
import os
import sys
import time

WARMUP_SECONDS = 0.3
MIN_SECONDS = 1.0
MIN_REPETITIONS = 5
MAX_REPETITIONS = 2000


def configure(quick=False, min_seconds=None):
    """Mirror PeerOptions: --quick shortens warm-up and timing; --min-seconds overrides the timed span."""
    global WARMUP_SECONDS, MIN_SECONDS, MIN_REPETITIONS
    if quick:
        WARMUP_SECONDS, MIN_SECONDS, MIN_REPETITIONS = 0.05, 0.1, 3
    if min_seconds is not None:
        MIN_SECONDS = min_seconds


def median_seconds(call):
    """Warm up for WARMUP_SECONDS (at least two calls), then time calls one by one until MIN_REPETITIONS calls
    and MIN_SECONDS have passed; return (median seconds per call, repetitions)."""
    start = time.perf_counter()
    i = 0
    while i < 2 or time.perf_counter() - start < WARMUP_SECONDS:
        call()
        i += 1
    samples = []
    total = time.perf_counter()
    while len(samples) < MAX_REPETITIONS and (len(samples) < MIN_REPETITIONS or time.perf_counter() - total < MIN_SECONDS):
        t0 = time.perf_counter()
        call()
        samples.append(time.perf_counter() - t0)
    samples.sort()
    n = len(samples)
    median = samples[n // 2] if n % 2 == 1 else 0.5 * (samples[n // 2 - 1] + samples[n // 2])
    return median, n


def emit(group, case, impl, seconds, reps, **extra):
    """One JSON line on stdout (report.py's input), a readable line on stderr."""
    record = {"group": group, "case": case, "impl": impl, "seconds": seconds, "reps": reps}
    record.update(extra)
    print(json.dumps(record), flush=True)
    print(f"  {impl:<6} {group:<5} {case:<24} {seconds * 1e3:10.4f} ms  ({reps} reps)", file=sys.stderr, flush=True)


def max_relative_difference(ours, reference):
    """max |ours - reference| / max |reference| over all entries (both array-likes of equal shape)."""
    import numpy as np
    ours = np.asarray(ours, dtype=np.float64).reshape(-1)
    reference = np.asarray(reference, dtype=np.float64).reshape(-1)
    if ours.shape != reference.shape:
        raise SystemExit(f"shape mismatch: {ours.shape} against NGGen's {reference.shape}")
    scale = max(float(np.max(np.abs(reference))), 1e-300)
    return float(np.max(np.abs(ours - reference))) / scale


def require_agreement(what, ours, reference, tolerance):
    """Refuse to time a computation that does not match NGGen's: exit non-zero naming the case."""
    difference = max_relative_difference(ours, reference)
    if not difference <= tolerance:
        raise SystemExit(f"{what}: differs from NGGen's result by {difference:.3e} (relative; tolerance {tolerance:g}); "
                         "the two would time different computations.")
    return difference


def thread_count():
    """Every core of the machine, as NGGen uses."""
    return os.cpu_count() or 1
