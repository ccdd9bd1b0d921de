"""PyTorch twin of bench/NGGen.PeerBench's solver groups (float64, CPU):

  gncg  one Hessian-free Gauss-Newton outer iteration on a tanh MLP (GaussNewtonStepGroup.cs)
  engd  one energy natural gradient iteration on the 2D Poisson PINN (PoissonEngdGroup.cs)

Reads the inputs NGGen wrote under DIR/<group>/, runs the same step the way a PyTorch user would write it,
refuses to time it unless it reproduces NGGen's result, then prints one JSON line per case (timing.emit).

usage: torch_solvers.py --group gncg|engd --data DIR [--quick] [--min-seconds S]
"""
import argparse
import json
import math
import os
import sys
import time

import numpy as np
import torch
import torch.autograd.forward_ad as fwad

import timing


def load(directory, name):
    path = os.path.join(directory, name)
    if not os.path.exists(path):
        raise SystemExit(f"{path} is missing: run NGGen.PeerBench for this group with the same --data first.")
    return torch.from_numpy(np.load(path)).to(torch.float64)


def case_directories(data, group):
    root = os.path.join(data, group)
    if not os.path.isdir(root):
        raise SystemExit(f"{root} does not exist: run NGGen.PeerBench --group {group} --data {data} first.")
    cases = sorted(d for d in os.listdir(root) if os.path.isdir(os.path.join(root, d)))
    if not cases:
        raise SystemExit(f"{root} holds no cases.")
    return [(c, os.path.join(root, c)) for c in cases]


def time_variant(primary, call):
    """The primary (faster) variant is timed by the shared rule; the others once, for the record on stderr."""
    if primary:
        return timing.median_seconds(call)
    start = time.perf_counter()
    call()
    return time.perf_counter() - start, 1


# ---------------------------------------------------------------------------------------------- gncg

def mlp_views(theta, layout):
    """The layers' weights as views into the flat θ, laid out like NGGen's (row-major, offsets from layout.json)."""
    return {e["name"]: theta[e["offset"]:e["offset"] + math.prod(e["shape"])].view(*e["shape"]) for e in layout}


def mlp(theta, layout, x):
    """x: (batch, width) -> f(x): (batch, width); W3 tanh(W2 tanh(W1 x + b1) + b2) + b3 per sample."""
    p = mlp_views(theta, layout)
    h = torch.tanh(torch.addmm(p["b1"], x, p["W1"].t()))
    h = torch.tanh(torch.addmm(p["b2"], h, p["W2"].t()))
    return torch.addmm(p["b3"], h, p["W3"].t())


def gncg_step(theta0, layout, x, y, weight, damping, cg_iterations, product_kind):
    """One GN-CG iteration from θ0: returns (gradient, step, new θ, cost, trial cost, ρ, accepted)."""
    theta = theta0.detach().requires_grad_(True)
    out = mlp(theta, layout, x)
    residual = out.detach() - y
    cost = 0.5 * weight * float(torch.dot(residual.reshape(-1), residual.reshape(-1)))
    gradient, = torch.autograd.grad(out, theta, weight * residual, retain_graph=True)

    if product_kind == "double_backward":
        # Jv by the double-backward trick: d/du ⟨Jᵀu, v⟩ = Jv, through a graph of Jᵀu built once.
        dummy = torch.zeros_like(out, requires_grad=True)
        vjp_of_dummy, = torch.autograd.grad(out, theta, dummy, create_graph=True)

        def jvp(v):
            return torch.autograd.grad(vjp_of_dummy, dummy, v, retain_graph=True)[0]
    else:
        # Jv by forward-mode AD: one dual forward per product (the reverse graph is reused for Jᵀ).
        def jvp(v):
            with fwad.dual_level():
                return fwad.unpack_dual(mlp(fwad.make_dual(theta.detach(), v), layout, x)).tangent

    def ggn(v):
        """G v = w Jᵀ(J v) (the squared loss' curvature is the weight)."""
        return torch.autograd.grad(out, theta, weight * jvp(v), retain_graph=True)[0]

    # CG on (G + λI)δ = −g from δ = 0, exactly cg_iterations iterations (as NGGen with CgEpsilon = 0).
    step = torch.zeros_like(gradient)
    r = gradient.clone()
    d = -r
    rr = torch.dot(r, r)
    for _ in range(cg_iterations):
        ad = ggn(d).add_(d, alpha=damping)
        curvature = torch.dot(d, ad)
        if not curvature > 0:
            break
        alpha = rr / curvature
        step.add_(alpha * d)
        r.add_(alpha * ad)
        rr_next = torch.dot(r, r)
        d = (rr_next / rr) * d - r
        rr = rr_next

    predicted = float(torch.dot(gradient, step) + 0.5 * torch.dot(step, ggn(step)))
    trial = theta0 + step
    with torch.no_grad():
        trial_residual = mlp(trial, layout, x) - y
        trial_cost = 0.5 * weight * float(torch.dot(trial_residual.reshape(-1), trial_residual.reshape(-1)))
    ratio = (trial_cost - cost) / predicted if predicted < 0 and math.isfinite(trial_cost) else -math.inf
    accepted = math.isfinite(trial_cost) and trial_cost < cost
    return gradient, step, trial if accepted else theta0, cost, trial_cost, ratio, accepted


def run_gncg(data):
    for name, directory in case_directories(data, "gncg"):
        with open(os.path.join(directory, "config.json")) as f:
            config = json.load(f)
        with open(os.path.join(directory, "layout.json")) as f:
            layout = json.load(f)
        theta0 = load(directory, "theta.npy")
        # NGGen stores samples feature-major (width × batch); PyTorch's layers want batch × width.
        x = load(directory, "x.npy").t().contiguous()
        y = load(directory, "y.npy").t().contiguous()
        scalars = load(directory, "out_scalars.npy")
        args = (theta0, layout, x, y, config["weight"], config["damping"], config["cg_iterations"])

        best = None
        # Both ways of getting J·v are checked; the double-backward trick (faster here: forward-mode reruns the forward
        # for every product) is the one timed.
        for kind in ("double_backward", "forward_ad"):
            gradient, step, new_theta, cost, trial_cost, ratio, accepted = gncg_step(*args, kind)
            what = f"gncg {name} ({kind})"
            # Float64 throughout: the gradient and costs differ only by summation order (~1e-15 relative); ten CG
            # iterations amplify that by at most the conditioning of the Krylov basis (seen: ~1e-12), so 1e-9
            # relative on the step separates rounding from any difference in the computation (a different λ,
            # CG count or start changes the step at the 1e-2 level).
            agreement = {
                "gradient": timing.require_agreement(f"{what} gradient", gradient, load(directory, "out_gradient.npy"), 1e-11),
                "step": timing.require_agreement(f"{what} step", step, load(directory, "out_step.npy"), 1e-9),
                "theta": timing.require_agreement(f"{what} new θ", new_theta, load(directory, "out_theta.npy"), 1e-9),
                "cost": timing.require_agreement(f"{what} cost", [cost, trial_cost], scalars[:2], 1e-11),
            }
            if accepted != bool(scalars[3]):
                raise SystemExit(f"{what}: accepted = {accepted}, NGGen's {bool(scalars[3])}.")
            seconds, reps = time_variant(best is None, lambda: gncg_step(*args, kind))
            print(f"  torch  gncg  {name:<24} {kind}: {seconds * 1e3:.4f} ms ({reps} reps); agreement {agreement}", file=sys.stderr)
            if best is None:
                best = (seconds, reps, kind, agreement)
        seconds, reps, kind, agreement = best
        timing.emit("gncg", f"w{config['width']}/b{config['batch']}", "torch", seconds, reps,
                    width=config["width"], batch=config["batch"], parameters=int(theta0.numel()),
                    cg_iterations=config["cg_iterations"], damping=config["damping"], cost=cost, trial_cost=trial_cost,
                    accepted=accepted, variant=kind, threads=torch.get_num_threads(),
                    max_relative_difference=max(agreement.values()))


# ---------------------------------------------------------------------------------------------- engd

MAX_CUTOFF = 1e-2   # as EnergyNaturalGradientStepper: beyond this the step is essentially a gradient step


class Poisson:
    """−Δu = 2π² sin πx sin πy on the unit square, u = 0 on the boundary; u = W2 tanh(W1 x + b1) + b2.
    Residuals are weighted like NGGen's blocks: r = (√w_Ω (−Δu − f) at interior points, √w_∂Ω u at boundary points)."""

    def __init__(self, layout, interior, boundary, interior_weight, boundary_weight):
        self.layout = layout
        self.interior = interior
        self.boundary = boundary
        self.source = 2 * math.pi ** 2 * torch.sin(math.pi * interior[:, 0]) * torch.sin(math.pi * interior[:, 1])
        self.root_interior = math.sqrt(interior_weight)
        self.root_boundary = math.sqrt(boundary_weight)

    def u(self, theta, x):
        p = mlp_views(theta, self.layout)
        return torch.addmm(p["b2"], torch.tanh(torch.addmm(p["b1"], x, p["W1"].t())), p["W2"].t()).squeeze(1)

    def laplacian(self, theta, x):
        """Δu at each row of x by autograd; create_graph keeps it differentiable in θ (for the Jacobian)."""
        x = x.detach().requires_grad_(True)
        grad_u, = torch.autograd.grad(self.u(theta, x).sum(), x, create_graph=True)
        return sum(torch.autograd.grad(grad_u[:, i].sum(), x, create_graph=True)[0][:, i] for i in range(x.shape[1]))

    def residuals(self, theta):
        interior = self.root_interior * (-self.laplacian(theta, self.interior) - self.source)
        boundary = self.root_boundary * self.u(theta, self.boundary)
        return torch.cat([interior, boundary])

    def loss(self, theta):
        """½‖r‖² at θ (the line search's trial points: no graph in θ is kept)."""
        r = self.residuals(theta.detach()).detach()
        return 0.5 * float(torch.dot(r, r))


def engd_step(problem, theta0, cutoff, exponents, jacobian_strategy):
    """One ENGD iteration: returns (gradient, direction, new θ, loss, new loss, η, final cutoff)."""
    residual = problem.residuals(theta0).detach()
    loss = 0.5 * float(torch.dot(residual, residual))
    jacobian = torch.autograd.functional.jacobian(problem.residuals, theta0, vectorize=True, strategy=jacobian_strategy).detach()
    gramian = jacobian.t() @ jacobian
    gradient = jacobian.t() @ residual
    values, vectors = torch.linalg.eigh(gramian)
    engd_step.last_eigen = (gramian, vectors, values)   # for the agreement check, not the step
    coefficients = vectors.t() @ gradient
    best_loss, best_eta, best_theta = math.inf, 0.0, theta0
    while True:
        # G⁺∇L dropping eigenvalues below cutoff × the largest |λ|, as SymmetricEigen.SolvePseudoInverse.
        keep = values.abs() > cutoff * values.abs().max()
        direction = vectors @ torch.where(keep, coefficients / values, torch.zeros_like(values))
        eta = 1.0
        for _ in range(exponents + 1):
            trial = theta0 - eta * direction
            trial_loss = problem.loss(trial)
            if trial_loss < best_loss:
                best_loss, best_eta, best_theta = trial_loss, eta, trial
            eta *= 0.5
        if best_loss < loss or cutoff >= MAX_CUTOFF:
            break
        cutoff *= 100
    accepted = best_loss < loss
    return gradient, direction, best_theta if accepted else theta0, loss, best_loss if accepted else loss, best_eta, cutoff


def run_engd(data):
    for name, directory in case_directories(data, "engd"):
        with open(os.path.join(directory, "config.json")) as f:
            config = json.load(f)
        with open(os.path.join(directory, "layout.json")) as f:
            layout = json.load(f)
        theta0 = load(directory, "theta.npy")
        # NGGen stores points feature-major (2 × n); rows are points here.
        problem = Poisson(layout, load(directory, "interior.npy").t().contiguous(), load(directory, "boundary.npy").t().contiguous(),
                          config["interior_weight"], config["boundary_weight"])
        scalars = load(directory, "out_scalars.npy")
        args = (problem, theta0, config["cutoff"], config["line_search_exponents"])

        best = None
        # Both Jacobian strategies are checked; forward mode (129 tangents instead of 900 cotangents through the
        # double-backward graph, 3-4x faster here) is the one timed.
        for strategy in ("forward-mode", "reverse-mode"):
            try:
                gradient, direction, new_theta, loss, new_loss, eta, cutoff = engd_step(*args, strategy)
            except RuntimeError as error:   # forward-mode through double backward is not supported by every op
                print(f"  torch  engd  {name}: jacobian strategy {strategy} failed ({str(error).splitlines()[0]})", file=sys.stderr)
                continue
            what = f"engd {name} ({strategy} Jacobian)"
            reference = load(directory, "out_direction.npy")
            # The direction d = G⁺∇L is fixed by float64 data only where G's eigenvalues are large: G carries rounding
            # of order ε‖G‖ in every entry (whoever computes it), so the component along an eigenvalue λ moves by
            # ~ε·λ_max/λ. Along λ ≥ 1e-8·λ_max that is ≤ 2e-8, and the two must agree to 1e-6 there. The default cutoff
            # keeps eigenvalues down to 1e-14·λ_max, whose components are fixed only to ε/1e-14 ≈ 2%: PyTorch against
            # itself with JᵀJ merely summed in another order moves d by 0.6-1.2% on these cases. The full direction is
            # therefore held to 0.1, the new θ (η·d off by the same relative amount) to 1e-2 and the loss decrease,
            # which the long, poorly determined components dominate early on, to 0.1; η and the final cutoff must match.
            _, vectors, values = engd_step.last_eigen
            determined = vectors[:, values.abs() >= 1e-8 * values.abs().max()]
            agreement = {
                "gradient": timing.require_agreement(f"{what} gradient", gradient, load(directory, "out_gradient.npy"), 1e-10),
                "direction_determined": timing.require_agreement(f"{what} direction (λ ≥ 1e-8 λmax)", determined.t() @ direction,
                                                                 determined.t() @ reference, 1e-6),
                "direction": timing.require_agreement(f"{what} direction", direction, reference, 0.1),
                "theta": timing.require_agreement(f"{what} new θ", new_theta, load(directory, "out_theta.npy"), 1e-2),
                "loss": timing.require_agreement(f"{what} loss", [loss], scalars[:1], 1e-12),
                "decrease": timing.require_agreement(f"{what} loss decrease", [loss - new_loss], scalars[:1] - scalars[1:2], 0.1),
            }
            if eta != float(scalars[2]) or cutoff != float(scalars[3]):
                raise SystemExit(f"{what}: η = {eta}, cutoff {cutoff}; NGGen's η = {float(scalars[2])}, cutoff {float(scalars[3])}.")
            seconds, reps = time_variant(best is None, lambda: engd_step(*args, strategy))
            print(f"  torch  engd  {name:<24} {strategy}: {seconds * 1e3:.4f} ms ({reps} reps); agreement {agreement}", file=sys.stderr)
            if best is None:
                best = (seconds, reps, strategy, agreement)
        if best is None:
            raise SystemExit(f"engd {name}: no Jacobian strategy worked.")
        seconds, reps, strategy, agreement = best
        timing.emit("engd", f"poisson2d/iter{config['iteration']}", "torch", seconds, reps,
                    iteration=config["iteration"], parameters=int(theta0.numel()), interior=problem.interior.shape[0],
                    boundary=problem.boundary.shape[0], loss=loss, new_loss=new_loss, eta=eta, cutoff=cutoff,
                    variant=strategy, threads=torch.get_num_threads(), max_relative_difference=max(agreement.values()))


# ---------------------------------------------------------------------------------------------- main

def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--group", required=True, choices=["gncg", "engd"])
    parser.add_argument("--data", default=os.path.join("out", "peers"))
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--min-seconds", type=float)
    args = parser.parse_args()
    timing.configure(args.quick, args.min_seconds)
    torch.set_num_threads(timing.thread_count())
    torch.set_default_dtype(torch.float64)
    {"gncg": run_gncg, "engd": run_engd}[args.group](args.data)


if __name__ == "__main__":
    main()
