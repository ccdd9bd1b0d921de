using System.Diagnostics;
using System.Numerics.Tensors;

namespace NGGen.Solvers;

/// <summary>Options for <see cref="DirectionMethods.Momentum"/> (heavy ball on an oracle's direction).</summary>
public sealed record MomentumOptions
{
    /// <summary>Step size η. Default 0.1: with the default momentum η/(1 − μ) = 1, a full oracle step once the
    /// velocity has built up, which suits Gauss-Newton directions whose scale is set by γ. Use ~1e-2 for −∇L.</summary>
    public double LearningRate { get; init; } = 0.1;

    /// <summary>Momentum μ in b ← μb + d, θ ← θ + ηb. Default 0.9.</summary>
    public double Momentum { get; init; } = 0.9;

    /// <summary>Maximum iterations. Default 1000.</summary>
    public int MaxIterations { get; init; } = 1000;

    /// <summary>Stop after this much wall time (seconds); infinite by default.</summary>
    public double TimeBudgetSeconds { get; init; } = double.PositiveInfinity;

    /// <summary>Record every n-th iteration in the history (all are computed). Default 10.</summary>
    public int RecordEvery { get; init; } = 10;

    /// <summary>Called for every recorded iteration; return false to stop.</summary>
    public Func<IterationSummary, bool>? Callback { get; init; }
}

/// <summary>
/// First-order update rules driven by an <see cref="IDirectionOracle{TModel}"/> instead of the gradient
/// (Roulet and Blondel 2023 use dual Gauss-Newton directions this way): where the textbook method reads the
/// gradient it reads −d. With <see cref="GradientOracle{TModel}"/> they are plain momentum SGD and Adam.
/// Buffers are allocated before the first iteration; the iterations allocate nothing beyond what the oracle
/// and the callback do. On a non-finite cost the last parameters with a finite cost are kept. The history's
/// <see cref="IterationSummary.GradientMaxNorm"/> holds ‖d‖∞ of the direction used and StepNorm ‖Δθ‖₂.
/// </summary>
public static class DirectionMethods
{
    /// <summary>Heavy-ball momentum: b ← μb + d, θ ← θ + ηb, from <paramref name="theta"/> (updated in place).</summary>
    public static SolverSummary Momentum<TModel>(IDirectionOracle<TModel> oracle, Span<double> theta, MomentumOptions? options = null)
        where TModel : IModel<TModel>
    {
        options ??= new MomentumOptions();
        var rule = new MomentumRule(theta.Length, options.LearningRate, options.Momentum);
        return Run(oracle, theta, ref rule, options.MaxIterations, options.TimeBudgetSeconds, options.RecordEvery, options.Callback);
    }

    /// <summary>Adam (Kingma and Ba 2015) with −d in place of the gradient, from <paramref name="theta"/> (updated in place).</summary>
    public static SolverSummary Adam<TModel>(IDirectionOracle<TModel> oracle, Span<double> theta, AdamOptions? options = null)
        where TModel : IModel<TModel>
    {
        options ??= new AdamOptions();
        var rule = new AdamRule(theta.Length, options);
        return Run(oracle, theta, ref rule, options.MaxIterations, options.TimeBudgetSeconds, options.RecordEvery, options.Callback);
    }

    private interface IUpdateRule
    {
        /// <summary>Moves θ using the oracle's direction; returns the step's Euclidean norm.</summary>
        double Update(ReadOnlySpan<double> direction, Span<double> theta);
    }

    private struct MomentumRule(int parameters, double learningRate, double momentum) : IUpdateRule
    {
        private readonly double[] _velocity = new double[parameters];

        public readonly double Update(ReadOnlySpan<double> direction, Span<double> theta)
        {
            TensorPrimitives.MultiplyAdd<double>(_velocity, momentum, direction, _velocity);
            TensorPrimitives.MultiplyAdd<double>(_velocity, learningRate, theta, theta);
            return learningRate * TensorPrimitives.Norm<double>(_velocity);
        }
    }

    private struct AdamRule(int parameters, AdamOptions options) : IUpdateRule
    {
        private readonly double[] _first = new double[parameters], _second = new double[parameters];
        private double _beta1Power = 1, _beta2Power = 1;

        public double Update(ReadOnlySpan<double> direction, Span<double> theta) =>
            AdamUpdate(options, _first, _second, ref _beta1Power, ref _beta2Power, direction, theta);
    }

    /// <summary>One Adam update with −<paramref name="direction"/> as the gradient: advances the moments and the
    /// powers βᵗ, moves θ, returns ‖Δθ‖₂. The one copy of the arithmetic (<see cref="AdamStepper{TModel}"/> uses it too).</summary>
    internal static double AdamUpdate(AdamOptions options, Span<double> first, Span<double> second, ref double beta1Power, ref double beta2Power,
        ReadOnlySpan<double> direction, Span<double> theta)
    {
        beta1Power *= options.Beta1;
        beta2Power *= options.Beta2;
        double stepSize = options.LearningRate * Math.Sqrt(1 - beta2Power) / (1 - beta1Power);
        double squaredStep = 0;
        for (int j = 0; j < theta.Length; j++)
        {
            double gradient = -direction[j];
            first[j] = options.Beta1 * first[j] + (1 - options.Beta1) * gradient;
            second[j] = options.Beta2 * second[j] + (1 - options.Beta2) * gradient * gradient;
            double step = stepSize * first[j] / (Math.Sqrt(second[j]) + options.Epsilon);
            theta[j] -= step;
            squaredStep += step * step;
        }
        return Math.Sqrt(squaredStep);
    }

    private static SolverSummary Run<TModel, TRule>(IDirectionOracle<TModel> oracle, Span<double> theta, ref TRule rule,
        int maxIterations, double timeBudgetSeconds, int recordEvery, Func<IterationSummary, bool>? callback)
        where TModel : IModel<TModel>
        where TRule : struct, IUpdateRule
    {
        var problem = oracle.Problem;
        int p = problem.ParameterCount;
        if (theta.Length != p)
            throw new ArgumentException($"θ has {theta.Length} entries; {TModel.Name} has {p} parameters.", nameof(theta));
        if (recordEvery <= 0)
            throw new ArgumentOutOfRangeException(nameof(recordEvery), $"RecordEvery must be positive, got {recordEvery}.");
        var clock = Stopwatch.StartNew();
        var direction = new double[p];
        var outputGradient = new double[problem.ResidualCount];
        var lastGood = theta.ToArray();
        var history = IterationHistory.Create(maxIterations / recordEvery + 2);
        double cost = oracle.Direction(theta, direction);
        double initialCost = cost;
        int evaluations = 1;
        if (!double.IsFinite(cost))
            return new SolverSummary(TerminationType.NonFiniteCost, $"the cost at the initial parameters is {cost}", cost, cost, 0, evaluations, 0, 0, history);
        int iteration = 0;
        var termination = TerminationType.MaxIterations;
        string message = $"reached {maxIterations} iterations";
        while (iteration < maxIterations)
        {
            if (clock.Elapsed.TotalSeconds >= timeBudgetSeconds)
            {
                termination = TerminationType.TimeBudget;
                message = $"used the time budget of {timeBudgetSeconds} s";
                break;
            }
            iteration++;
            double directionNorm = Math.Abs(TensorPrimitives.MaxMagnitude<double>(direction));
            double stepNorm = rule.Update(direction, theta);
            // The oracle's call at the new θ also prices it; after the last step only the cost is needed.
            double next = iteration < maxIterations ? oracle.Direction(theta, direction) : problem.Evaluate(theta, outputGradient);
            evaluations++;
            if (!double.IsFinite(next))
            {
                lastGood.CopyTo(theta);
                termination = TerminationType.NonFiniteCost;
                message = $"the cost became {next} at iteration {iteration}; the last finite parameters are kept";
                break;
            }
            double change = cost - next;
            cost = next;
            theta.CopyTo(lastGood);
            if (iteration % recordEvery == 0 || iteration == 1)
            {
                var record = new IterationSummary(iteration, cost, change, directionNorm, stepNorm, 0, double.NaN, true, 0, clock.Elapsed.TotalSeconds);
                history.Add(record);
                if (callback is not null && !callback(record))
                {
                    termination = TerminationType.UserStopped;
                    message = "stopped by the callback";
                    break;
                }
            }
        }
        return new SolverSummary(termination, message, initialCost, cost, iteration, evaluations, 0, clock.Elapsed.TotalSeconds, history);
    }
}
