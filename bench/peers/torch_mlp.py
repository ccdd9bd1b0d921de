#!/usr/bin/python3
"""PyTorch side of the MLP group of bench/run-peers.sh (NGGen side: bench/NGGen.PeerBench/MlpGroup.cs).

Reads the parameters, inputs, targets, tangent and cotangent NGGen wrote under DATA/mlp/w<W>_b<B>/, computes
the same six quantities the way a PyTorch 1.13 user would (autograd for reverse mode, torch.autograd.forward_ad
for forward mode; no torch.func in 1.13), checks each against NGGen's output, and only then times it.

    /usr/bin/python3 bench/peers/torch_mlp.py --data out/peers [--quick] [--min-seconds S]
"""
import argparse
import json
import os
import sys

import numpy as np
import torch
import torch.autograd.forward_ad as fwAD

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import timing  # noqa: E402

WIDTHS = [16, 64, 256, 1024]
BATCHES = [32, 256, 2048]
# float32 results of sums over up to 2048 samples and 1024 features, accumulated in different orders.
TOLERANCE = 1e-3


def load_case(directory):
    def npy(name):
        path = os.path.join(directory, name)
        if not os.path.exists(path):
            raise SystemExit(f"{path}: missing; run NGGen.PeerBench --group mlp --data DIR first.")
        return np.load(path)

    layout = json.load(open(os.path.join(directory, "layout.json")))
    theta = npy("theta.npy")
    params = [torch.from_numpy(theta[e["offset"]:e["offset"] + int(np.prod(e["shape"]))].reshape(e["shape"]).copy())
              for e in layout]
    v = npy("v.npy")
    tangents = [torch.from_numpy(v[e["offset"]:e["offset"] + int(np.prod(e["shape"]))].reshape(e["shape"]).copy())
                for e in layout]
    # NGGen stores features × batch; PyTorch wants batch × features.
    x, y, u = (torch.from_numpy(npy(n).T.copy()) for n in ("x.npy", "y.npy", "u.npy"))
    reference = {op: npy(f"out_{op}.npy") for op in ("forward", "jvp", "vjp", "grad", "ggn")}
    return params, tangents, x, y, u, reference


def mlp(params, x):
    w1, b1, w2, b2, w3, b3 = params
    h1 = torch.tanh(torch.addmm(b1, x, w1.t()))
    h2 = torch.tanh(torch.addmm(b2, h1, w2.t()))
    return torch.addmm(b3, h2, w3.t())


def flat(tensors):
    return torch.cat([t.reshape(-1) for t in tensors])


def run_case(width, batch, directory):
    params, tangents, x, y, u, reference = load_case(directory)
    leaves = [p.clone().requires_grad_(True) for p in params]

    def forward():
        with torch.no_grad():
            return mlp(params, x)

    def jvp():
        with torch.no_grad(), fwAD.dual_level():
            out = mlp([fwAD.make_dual(p, t) for p, t in zip(params, tangents)], x)
            return fwAD.unpack_dual(out).tangent

    def vjp():
        return flat(torch.autograd.grad(mlp(leaves, x), leaves, u))

    def grad():
        r = mlp(leaves, x) - y
        loss = 0.5 * (r * r).sum()
        return flat(torch.autograd.grad(loss, leaves))

    def ggn():
        # One forward carrying both the tangent (forward mode) and the graph (reverse mode): G·v = Jᵀ(J v).
        with fwAD.dual_level():
            out = mlp([fwAD.make_dual(p, t) for p, t in zip(leaves, tangents)], x)
            primal, tangent = fwAD.unpack_dual(out)
            return flat(torch.autograd.grad(primal, leaves, tangent.detach()))

    cases = [("forward", forward, lambda r: r.t()), ("jvp", jvp, lambda r: r.t()),
             ("vjp", vjp, None), ("grad", grad, None), ("ggn", ggn, None)]
    for op, call, to_nggen_layout in cases:
        result = call().detach()
        if to_nggen_layout is not None:
            result = to_nggen_layout(result)
        difference = timing.require_agreement(f"mlp {op} w{width} b{batch}", result.numpy(), reference[op], TOLERANCE)
        seconds, reps = timing.median_seconds(call)
        timing.emit("mlp", f"{op}/w{width}/b{batch}", "torch", seconds, reps,
                    op=op, width=width, batch=batch, max_rel_diff=difference)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", default=os.path.join("out", "peers"))
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--min-seconds", type=float)
    args = parser.parse_args()
    timing.configure(args.quick, args.min_seconds)
    torch.set_num_threads(timing.thread_count())
    widths, batches = ([16, 64], [32, 256]) if args.quick else (WIDTHS, BATCHES)
    for width in widths:
        for batch in batches:
            run_case(width, batch, os.path.join(args.data, "mlp", f"w{width}_b{batch}"))


if __name__ == "__main__":
    main()
