using System.Diagnostics;
using System.Numerics.Tensors;
using NGGen.Solvers;

namespace NGGen.Samples.PinnPoisson;

/// <summary>
/// The paper's gradient-descent baseline: θ ← θ − η∇L with η chosen on the grid 0.5^k, k = 0..30, by the smallest
/// loss (the same line search as its energy natural gradient). NGGen's <see cref="GradientDescent"/> takes a fixed
/// learning rate instead, which would need tuning per problem; this keeps the comparison the paper's.
/// </summary>
public static class GridLineSearchDescent
{
    /// <summary>Runs from <paramref name="theta"/> (updated in place) until <paramref name="maxIterations"/>, no step
    /// on the grid lowers the loss, or <paramref name="callback"/> returns false.</summary>
    public static SolverSummary Solve<TModel>(TrainingProblem<TModel> problem, Span<double> theta, int maxIterations,
        Func<IterationSummary, bool>? callback = null, int lineSearchExponents = 30)
        where TModel : IModel<TModel>
    {
        ArgumentOutOfRangeException.ThrowIfNegative(maxIterations);
        ArgumentOutOfRangeException.ThrowIfNegative(lineSearchExponents);
        if (theta.Length != problem.ParameterCount)
            throw new ArgumentException($"θ has {theta.Length} entries; {TModel.Name} has {problem.ParameterCount} parameters.", nameof(theta));
        int p = problem.ParameterCount, m = problem.ResidualCount;
        var clock = Stopwatch.StartNew();
        var outputGradient = new double[m];
        var scratch = new double[m];
        var gradient = new double[p];
        var trial = new double[p];
        var best = new double[p];
        var history = new List<IterationSummary>();
        double cost = problem.Evaluate(theta, outputGradient), initialCost = cost;
        int evaluations = 1;
        for (int iteration = 1; iteration <= maxIterations; iteration++)
        {
            problem.LinearizedVjp(theta, outputGradient, gradient, scratch, GradientWrite.Overwrite);
            double gradientNorm = Math.Abs(TensorPrimitives.MaxMagnitude<double>(gradient));
            double bestCost = double.PositiveInfinity, bestEta = 0, eta = 1;
            for (int k = 0; k <= lineSearchExponents; k++, eta *= 0.5)
            {
                TensorPrimitives.MultiplyAdd<double>(gradient, -eta, theta, trial);
                double trialCost = problem.CostAt(trial, scratch);
                evaluations++;
                if (trialCost < bestCost)
                {
                    (bestCost, bestEta) = (trialCost, eta);
                    trial.CopyTo(best, 0);
                }
            }
            if (!(bestCost < cost))
                return Finish(TerminationType.NoProgress, "no step size on the grid 0.5^k reduced the loss", iteration - 1);
            best.CopyTo(theta);
            double previous = cost;
            cost = problem.Evaluate(theta, outputGradient);
            evaluations++;
            var record = new IterationSummary(iteration, cost, previous - cost, gradientNorm, bestEta * TensorPrimitives.Norm<double>(gradient),
                0, double.NaN, true, 0, clock.Elapsed.TotalSeconds);
            history.Add(record);
            if (callback is not null && !callback(record))
                return Finish(TerminationType.UserStopped, "stopped by the callback", iteration);
        }
        return Finish(TerminationType.MaxIterations, $"reached {maxIterations} iterations", maxIterations);

        SolverSummary Finish(TerminationType termination, string message, int iterations) =>
            new(termination, message, initialCost, cost, iterations, evaluations, 0, clock.Elapsed.TotalSeconds, history);
    }
}
