using System.Diagnostics;
using System.Numerics.Tensors;

namespace NGGen.Solvers;

/// <summary>Options for <see cref="GaussNewtonCg"/>; CG stopping and damping follow Martens (2010).</summary>
public sealed record GaussNewtonCgOptions
{
    /// <summary>Maximum outer iterations. Default 100.</summary>
    public int MaxIterations { get; init; } = 100;

    /// <summary>Maximum CG iterations per outer iteration. Default 250.</summary>
    public int MaxCgIterations { get; init; } = 250;

    /// <summary>Initial Tikhonov damping λ in (G + λI)δ = −g. Default 1.</summary>
    public double InitialDamping { get; init; } = 1.0;

    /// <summary>Martens' relative-progress CG stop: (qᵢ − q_{i−k}) / qᵢ &lt; k·ε with k = max(10, 0.1 i). Default 5e-4.</summary>
    public double CgEpsilon { get; init; } = 5e-4;

    /// <summary>CG starts from this × the previous step (warm start). Default 0.95.</summary>
    public double WarmStartDecay { get; init; } = 0.95;

    /// <summary>Stop when ‖∇L‖∞ = ‖Jᵀg‖∞ falls below this. Default 1e-10.</summary>
    public double GradientTolerance { get; init; } = 1e-10;

    /// <summary>Stop when the accepted step ‖δ‖ ≤ this × (‖θ‖ + this). Default 1e-12.</summary>
    public double ParameterTolerance { get; init; } = 1e-12;

    /// <summary>Called after every iteration; return false to stop.</summary>
    public Func<IterationSummary, bool>? Callback { get; init; }
}

/// <summary>
/// Hessian-free Gauss-Newton (Martens 2010) for any output loss: conjugate gradients on (G + λI)δ = −∇L
/// with the generalised Gauss-Newton matrix G = JᵀHJ (H the loss curvature; I for least squares). Each
/// product is one linearized JVP and one linearized VJP at the iterate's linearization, so the forward
/// pass runs once per outer iteration, not twice per CG step. CG is warm-started from the previous step
/// and stopped by Martens' relative-progress rule; λ ×3/2 when the reduction ratio ρ &lt; 1/4 and ×2/3
/// when ρ &gt; 3/4. All buffers are allocated before the first iteration: the iterations allocate nothing.
/// </summary>
public static class GaussNewtonCg
{
    /// <summary>Minimises the problem's cost from <paramref name="theta"/> (updated in place with the best parameters found).</summary>
    public static SolverSummary Solve<TModel>(TrainingProblem<TModel> problem, Span<double> theta, GaussNewtonCgOptions? options = null)
        where TModel : IModel<TModel>
    {
        options ??= new GaussNewtonCgOptions();
        int p = problem.ParameterCount, m = problem.ResidualCount;
        if (theta.Length != p)
            throw new ArgumentException($"θ has {theta.Length} entries; {TModel.Name} has {p} parameters.", nameof(theta));
        var clock = Stopwatch.StartNew();
        var residuals = new double[m];
        var trialResiduals = new double[m];
        var scratch = new double[m];
        var gradient = new double[p];
        var step = new double[p];
        var trial = new double[p];
        var residual = new double[p];
        var direction = new double[p];
        var product = new double[p];
        var gnProduct = new double[p];
        var objective = new double[options.MaxCgIterations + 1];
        var history = new List<IterationSummary>(options.MaxIterations);

        double cost = problem.Evaluate(theta, residuals);
        double initialCost = cost, damping = options.InitialDamping;
        int evaluations = 1, products = 0;
        if (!double.IsFinite(cost))
            return Finish(TerminationType.NonFiniteCost, $"the cost at the initial parameters is {cost}", 0);

        for (int iteration = 1; iteration <= options.MaxIterations; iteration++)
        {
            // The problem holds θ's linearization from the last Evaluate (initial or accepted step).
            Array.Clear(gradient);
            problem.LinearizedVjp(theta, residuals, gradient, scratch);
            // MaxMagnitude returns the signed entry of largest magnitude, hence the Abs.
            double gradientNorm = Math.Abs(TensorPrimitives.MaxMagnitude<double>(gradient));
            if (!double.IsFinite(gradientNorm))
                return Finish(TerminationType.NonFiniteCost, "the gradient contains NaN or Inf", iteration - 1);
            if (gradientNorm < options.GradientTolerance)
                return Finish(TerminationType.GradientTolerance, $"‖∇L‖∞ = {gradientNorm:E3} < {options.GradientTolerance:E1}", iteration - 1);

            // CG on A δ = −g, A = G + λI, from δ₀ = decay · previous δ.
            TensorPrimitives.Multiply<double>(step, options.WarmStartDecay, step);
            Apply(theta, step, damping, product);
            TensorPrimitives.Add<double>(product, gradient, residual);      // residual = Aδ + g
            TensorPrimitives.Negate<double>(residual, direction);
            double rr = TensorPrimitives.Dot<double>(residual, residual);
            objective[0] = Quadratic(step, product, gradient);
            int cgIterations = 0;
            for (int i = 1; i <= options.MaxCgIterations && rr > 0; i++)
            {
                Apply(theta, direction, damping, product);
                double curvature = TensorPrimitives.Dot<double>(direction, product);
                if (!(curvature > 0))
                    break;
                double alpha = rr / curvature;
                TensorPrimitives.MultiplyAdd<double>(direction, alpha, step, step);
                TensorPrimitives.MultiplyAdd<double>(product, alpha, residual, residual);
                double rrNext = TensorPrimitives.Dot<double>(residual, residual);
                TensorPrimitives.Multiply<double>(direction, rrNext / rr, direction);
                TensorPrimitives.Subtract<double>(direction, residual, direction);
                rr = rrNext;
                cgIterations = i;
                // q(δ) = ½δᵀAδ + gᵀδ = ½(residual + g)ᵀδ, since the CG residual is Aδ + g.
                objective[i] = 0.5 * (TensorPrimitives.Dot<double>(residual, step) + TensorPrimitives.Dot<double>(gradient, step));
                int k = Math.Max(10, i / 10);
                if (i > k && objective[i] < 0 && (objective[i] - objective[i - k]) / objective[i] < k * options.CgEpsilon)
                    break;
            }

            // Predicted reduction of the undamped model: gᵀδ + ½δᵀGδ.
            GaussNewtonProduct(theta, step, gnProduct);
            double predicted = TensorPrimitives.Dot<double>(gradient, step) + 0.5 * TensorPrimitives.Dot<double>(step, gnProduct);
            TensorPrimitives.Add<double>(theta, step, trial);
            double trialCost = problem.CostAt(trial, trialResiduals);
            evaluations++;
            double ratio = predicted < 0 && double.IsFinite(trialCost) ? (trialCost - cost) / predicted : double.NegativeInfinity;
            if (ratio < 0.25)
                damping *= 1.5;
            else if (ratio > 0.75)
                damping *= 2.0 / 3.0;
            bool accepted = double.IsFinite(trialCost) && trialCost < cost;
            double stepNorm = TensorPrimitives.Norm<double>(step);
            var record = new IterationSummary(iteration, accepted ? trialCost : cost, accepted ? cost - trialCost : 0, gradientNorm,
                stepNorm, damping, ratio, accepted, cgIterations, clock.Elapsed.TotalSeconds);
            history.Add(record);
            if (accepted)
            {
                trial.CopyTo(theta);
                cost = problem.Evaluate(theta, residuals);
                evaluations++;
                if (stepNorm <= options.ParameterTolerance * (TensorPrimitives.Norm<double>(theta) + options.ParameterTolerance))
                    return Finish(TerminationType.ParameterTolerance, $"‖δ‖ = {stepNorm:E3} is below the parameter tolerance", iteration);
            }
            else
            {
                Array.Clear(step);   // no warm start from a rejected step
            }
            if (options.Callback is { } callback && !callback(record))
                return Finish(TerminationType.UserStopped, "stopped by the callback", iteration);
        }
        return Finish(TerminationType.MaxIterations, $"reached {options.MaxIterations} iterations", options.MaxIterations);

        void GaussNewtonProduct(ReadOnlySpan<double> at, ReadOnlySpan<double> v, Span<double> result)
        {
            problem.GaussNewtonProduct(at, v, result, scratch);
            products++;
        }

        void Apply(ReadOnlySpan<double> at, ReadOnlySpan<double> v, double lambda, Span<double> result)
        {
            GaussNewtonProduct(at, v, result);
            TensorPrimitives.MultiplyAdd<double>(v, lambda, result, result);
        }

        SolverSummary Finish(TerminationType termination, string message, int iterations) =>
            new(termination, message + $"; {products} Gauss-Newton products", initialCost, cost, iterations, evaluations, 0, clock.Elapsed.TotalSeconds, history);
    }

    private static double Quadratic(ReadOnlySpan<double> x, ReadOnlySpan<double> ax, ReadOnlySpan<double> g) =>
        0.5 * TensorPrimitives.Dot(x, ax) + TensorPrimitives.Dot(g, x);
}
