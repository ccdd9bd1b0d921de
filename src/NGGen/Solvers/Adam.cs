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

/// <summary>Adam on the problem's cost L(θ) (gradient Jᵀg from the generated VJP; any output loss): the
/// first-order baseline. It is <see cref="DirectionMethods.Adam{TModel}"/> on the steepest-descent oracle.</summary>
public static class Adam
{
    /// <summary>Runs Adam from <paramref name="theta"/> (updated in place; on a non-finite cost the last good θ is kept).</summary>
    public static SolverSummary Solve<TModel>(TrainingProblem<TModel> problem, Span<double> theta, AdamOptions? options = null)
        where TModel : IModel<TModel> =>
        DirectionMethods.Adam(new GradientOracle<TModel>(problem), theta, options);
}
