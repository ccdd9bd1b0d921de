using System.Numerics.Tensors;

namespace NGGen.Solvers;

/// <summary>
/// A direction oracle (Roulet and Blondel 2023): something that, given θ, proposes a descent direction d
/// (L(θ + εd) &lt; L(θ) for small ε &gt; 0) for an optimizer to use where it would use −∇L. Implementations
/// keep their own workspace and allocate nothing per call.
/// </summary>
public interface IDirectionOracle<TModel> where TModel : IModel<TModel>
{
    /// <summary>The problem whose cost the directions descend.</summary>
    TrainingProblem<TModel> Problem { get; }

    /// <summary>Writes the direction at θ into <paramref name="direction"/> (length p); returns the cost L(θ).</summary>
    double Direction(ReadOnlySpan<double> theta, Span<double> direction);
}

/// <summary>The steepest-descent oracle d = −∇L: with it the direction methods are the textbook first-order ones.</summary>
public sealed class GradientOracle<TModel> : IDirectionOracle<TModel> where TModel : IModel<TModel>
{
    private readonly double[] _outputGradient, _scratch;

    /// <summary>Prepares the workspace.</summary>
    public GradientOracle(TrainingProblem<TModel> problem)
    {
        Problem = problem;
        _outputGradient = new double[problem.ResidualCount];
        _scratch = new double[problem.ResidualCount];
    }

    /// <inheritdoc/>
    public TrainingProblem<TModel> Problem { get; }

    /// <inheritdoc/>
    public double Direction(ReadOnlySpan<double> theta, Span<double> direction)
    {
        double cost = Problem.Evaluate(theta, _outputGradient);
        Problem.LinearizedVjp(theta, _outputGradient, direction, _scratch, GradientWrite.Overwrite);
        TensorPrimitives.Negate<double>(direction, direction);
        return cost;
    }
}
