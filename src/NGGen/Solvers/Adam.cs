using System.Diagnostics;
using System.Numerics.Tensors;

namespace NGGen.Solvers;

/// <summary>Options for <see cref="Adam"/> (Kingma and Ba 2015 defaults).</summary>
public sealed record AdamOptions
{
    /// <summary>Step size. Default 1e-3.</summary>
    public double LearningRate { get; init; } = 1e-3;

    /// <summary>First-moment decay. Default 0.9.</summary>
    public double Beta1 { get; init; } = 0.9;

    /// <summary>Second-moment decay. Default 0.999.</summary>
    public double Beta2 { get; init; } = 0.999;

    /// <summary>Denominator guard. Default 1e-8.</summary>
    public double Epsilon { get; init; } = 1e-8;

    /// <summary>Maximum iterations. Default 10 000.</summary>
    public int MaxIterations { get; init; } = 10_000;

    /// <summary>Stop after this much wall time (seconds); infinite by default.</summary>
    public double TimeBudgetSeconds { get; init; } = double.PositiveInfinity;

    /// <summary>Record every n-th iteration in the history (all are computed). Default 100.</summary>
    public int RecordEvery { get; init; } = 100;

    /// <summary>Called for every recorded iteration; return false to stop.</summary>
    public Func<IterationSummary, bool>? Callback { get; init; }
}

/// <summary>Adam on the problem's cost L(θ) (gradient Jᵀg from the generated VJP; any output loss): the first-order baseline.</summary>
public static class Adam
{
    /// <summary>Runs Adam from <paramref name="theta"/> (updated in place; on a non-finite cost the last good θ is kept).</summary>
    public static SolverSummary Solve<TModel>(TrainingProblem<TModel> problem, Span<double> theta, AdamOptions? options = null)
        where TModel : IModel<TModel>
    {
        options ??= new AdamOptions();
        int p = problem.ParameterCount, m = problem.ResidualCount;
        var clock = Stopwatch.StartNew();
        var residuals = new double[m];
        var scratch = new double[m];
        var gradient = new double[p];
        var first = new double[p];
        var second = new double[p];
        var lastGood = theta.ToArray();
        var history = new List<IterationSummary>();
        double cost = problem.Evaluate(theta, residuals);
        double initialCost = cost;
        if (!double.IsFinite(cost))
            return new SolverSummary(TerminationType.NonFiniteCost, $"the cost at the initial parameters is {cost}", cost, cost, 0, 1, 0, 0, history);
        int iteration = 0;
        double beta1Power = 1, beta2Power = 1;
        var termination = TerminationType.MaxIterations;
        string message = $"reached {options.MaxIterations} iterations";
        while (iteration < options.MaxIterations)
        {
            if (clock.Elapsed.TotalSeconds >= options.TimeBudgetSeconds)
            {
                termination = TerminationType.TimeBudget;
                message = $"used the time budget of {options.TimeBudgetSeconds} s";
                break;
            }
            iteration++;
            Array.Clear(gradient);
            problem.Vjp(theta, residuals, gradient, scratch);
            beta1Power *= options.Beta1;
            beta2Power *= options.Beta2;
            double stepSize = options.LearningRate * Math.Sqrt(1 - beta2Power) / (1 - beta1Power);
            for (int j = 0; j < p; j++)
            {
                first[j] = options.Beta1 * first[j] + (1 - options.Beta1) * gradient[j];
                second[j] = options.Beta2 * second[j] + (1 - options.Beta2) * gradient[j] * gradient[j];
                theta[j] -= stepSize * first[j] / (Math.Sqrt(second[j]) + options.Epsilon);
            }
            double next = problem.Evaluate(theta, residuals);
            if (!double.IsFinite(next))
            {
                lastGood.CopyTo(theta);
                problem.Evaluate(theta, residuals);
                termination = TerminationType.NonFiniteCost;
                message = $"the cost became {next} at iteration {iteration}; the last finite parameters are kept";
                break;
            }
            double change = cost - next;
            cost = next;
            theta.CopyTo(lastGood);
            if (iteration % options.RecordEvery == 0 || iteration == 1)
            {
                var record = new IterationSummary(iteration, cost, change, Math.Abs(TensorPrimitives.MaxMagnitude<double>(gradient)), stepSize, 0, double.NaN, true, 0, clock.Elapsed.TotalSeconds);
                history.Add(record);
                if (options.Callback is { } callback && !callback(record))
                {
                    termination = TerminationType.UserStopped;
                    message = "stopped by the callback";
                    break;
                }
            }
        }
        return new SolverSummary(termination, message, initialCost, cost, iteration, iteration + 1, 0, clock.Elapsed.TotalSeconds, history);
    }
}
