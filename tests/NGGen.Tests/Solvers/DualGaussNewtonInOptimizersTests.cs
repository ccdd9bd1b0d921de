using NGGen.Solvers;
using NGGen.Tests.Models;

namespace NGGen.Tests.Solvers;

public class DualGaussNewtonInOptimizersTests(ITestOutputHelper output)
{
    private const int Iterations = 50;

    [Theory]
    [InlineData(11)]
    [InlineData(12)]
    public void Dual_gauss_newton_directions_in_momentum_and_adam_train_below_plain_adam(int seed)
    {
        // 40 samples × 4 classes (160 outputs) against 320 parameters, random labels: the network can fit them.
        var (problem, start) = ClassificationProblems.Softmax(seed, batch: 40, mean: false);

        // Plain Adam gets its best learning rate from a grid, so the margin is not an artefact of a bad one.
        double bestAdam = double.PositiveInfinity, bestRate = 0;
        foreach (double rate in new[] { 1e-3, 3e-3, 1e-2, 3e-2, 0.1, 0.3 })
        {
            var theta = (double[])start.Clone();
            double cost = Adam.Solve(problem, theta, new AdamOptions { LearningRate = rate, MaxIterations = Iterations }).FinalCost;
            output.WriteLine($"Adam, learning rate {rate}: {cost:F6}");
            if (cost < bestAdam)
                (bestAdam, bestRate) = (cost, rate);
        }

        var momentumOracle = new Counting(problem, gamma: 3);
        var momentum = DirectionMethods.Momentum(momentumOracle, (double[])start.Clone(), new MomentumOptions { LearningRate = 0.3, Momentum = 0.5, MaxIterations = Iterations });
        var adamOracle = new Counting(problem, gamma: 1);
        var adam = DirectionMethods.Adam(adamOracle, (double[])start.Clone(), new AdamOptions { LearningRate = 0.1, MaxIterations = Iterations });

        output.WriteLine($"initial loss {momentum.InitialCost:F6}; after {Iterations} iterations: best plain Adam {bestAdam:F6} (rate {bestRate}); " +
            $"dual Gauss-Newton directions in momentum {momentum.FinalCost:F6} ({momentumOracle.Directions} directions, {momentumOracle.CgIterations} CG iterations, safeguard stops {momentumOracle.SafeguardStops}), " +
            $"in Adam {adam.FinalCost:F6} ({adamOracle.Directions} directions, {adamOracle.CgIterations} CG iterations, safeguard stops {adamOracle.SafeguardStops})");
        Assert.Equal(TerminationType.MaxIterations, momentum.Termination);
        Assert.Equal(TerminationType.MaxIterations, adam.Termination);
        Assert.True(momentum.FinalCost < 0.1 * bestAdam, $"momentum {momentum.FinalCost} vs Adam {bestAdam}");
        Assert.True(adam.FinalCost < 0.25 * bestAdam, $"Adam on dual directions {adam.FinalCost} vs Adam {bestAdam}");
    }

    // The dual Gauss-Newton oracle with at most 20 CG iterations (one JVP and one VJP each) per direction, counting
    // the work: per iteration it costs up to ~20× a gradient.
    private sealed class Counting(TrainingProblem<SoftmaxMlp> problem, double gamma) : IDirectionOracle<SoftmaxMlp>
    {
        private readonly DualGaussNewton<SoftmaxMlp> _inner = new(problem, new DualGaussNewtonOptions { Gamma = gamma, MaxCgIterations = 20, RelativeTolerance = 1e-8 });

        public int Directions { get; private set; }
        public int CgIterations { get; private set; }
        public int SafeguardStops { get; private set; }

        public TrainingProblem<SoftmaxMlp> Problem => problem;

        public double Direction(ReadOnlySpan<double> theta, Span<double> direction)
        {
            double cost = _inner.Direction(theta, direction);
            Directions++;
            CgIterations += _inner.LastIterations;
            SafeguardStops += _inner.LastStoppedForDescent ? 1 : 0;
            return cost;
        }
    }
}
