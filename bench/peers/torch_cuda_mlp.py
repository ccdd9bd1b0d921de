#!/usr/bin/env python3
"""PyTorch on the GPU: the width-w, 3-layer tanh MLP's gradient and GGN product at one batch size, float32.

The peer of samples/CudaCheck's MLP timing (issue 6). The model is NGGen's Mlp{w}: f = W3 tanh(W2 tanh(W1 x + b1) + b2)
+ b3 on feature-major inputs (w x batch), loss 1/2 ||f - y||^2. Timed (median of --repetitions after 3 warm-ups, each
call synchronised):
  torch_grad_ms       loss and autograd.grad over all parameters;
  torch_ggn_ms        G v = J^T (J v) from scratch: torch.func.jvp, then torch.func.vjp (each with its forward);
  torch_ggn_fused_ms  G v from a stored linearization: torch.func.linearize's J v and a reused vjp function, as
                      NGGen's LinearizedJvp + LinearizedVjp (what GN-CG runs per CG step).
Prints one JSON line. Exits 3 when CUDA is not available.
"""
import argparse
import json
import statistics
import sys
import time

import torch


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--width", type=int, default=1024)
    parser.add_argument("--batch", type=int, default=4096)
    parser.add_argument("--repetitions", type=int, default=10)
    args = parser.parse_args()
    if not torch.cuda.is_available():
        print("torch_cuda_mlp.py: CUDA is not available to PyTorch", file=sys.stderr)
        return 3

    device = torch.device("cuda")
    torch.backends.cuda.matmul.allow_tf32 = False  # float32 products, as NGGen's cuBLAS calls
    torch.manual_seed(0)
    w, batch = args.width, args.batch
    scale = 1.0 / w ** 0.5
    params = [
        torch.randn(w, w, device=device) * scale, torch.zeros(w, 1, device=device),
        torch.randn(w, w, device=device) * scale, torch.zeros(w, 1, device=device),
        torch.randn(w, w, device=device) * scale, torch.zeros(w, 1, device=device),
    ]
    x = torch.rand(w, batch, device=device) * 2 - 1
    y = torch.rand(w, batch, device=device) * 2 - 1
    v = tuple(torch.randn_like(p) for p in params)

    def model(*p):
        w1, b1, w2, b2, w3, b3 = p
        return w3 @ torch.tanh(w2 @ torch.tanh(w1 @ x + b1) + b2) + b3

    leaves = [p.clone().requires_grad_(True) for p in params]

    def gradient():
        f = model(*leaves)
        loss = 0.5 * ((f - y) ** 2).sum()
        return torch.autograd.grad(loss, leaves)

    def ggn_from_scratch():
        _, jv = torch.func.jvp(model, tuple(params), v)
        _, vjp_fn = torch.func.vjp(model, *params)
        return vjp_fn(jv)

    _, jvp_fn = torch.func.linearize(model, *params)
    _, stored_vjp = torch.func.vjp(model, *params)

    def ggn_fused():
        return stored_vjp(jvp_fn(*v))

    def median_ms(call):
        for _ in range(3):
            call()
        torch.cuda.synchronize()
        samples = []
        for _ in range(args.repetitions):
            start = time.perf_counter()
            call()
            torch.cuda.synchronize()
            samples.append(1e3 * (time.perf_counter() - start))
        return statistics.median(samples)

    print(json.dumps({
        "torch_grad_ms": median_ms(gradient),
        "torch_ggn_ms": median_ms(ggn_from_scratch),
        "torch_ggn_fused_ms": median_ms(ggn_fused),
        "torch_version": torch.__version__,
        "device": torch.cuda.get_device_name(0),
    }))
    return 0


if __name__ == "__main__":
    sys.exit(main())
