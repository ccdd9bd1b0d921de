namespace NGGen.Samples.PinnPoisson;

/// <summary>Sizes and budgets of one run. Every solver on a problem gets the same wall-time budget; energy natural
/// gradient also stops at its iteration cap or when its steps become negligible.</summary>
/// <param name="Poisson2DGrid">Grid points per side of the 2D Poisson collocation grid (the paper: 30).</param>
/// <param name="Poisson5DInterior">Random interior points of the 5D Poisson problem (the paper: 4000, redrawn each iteration).</param>
/// <param name="Poisson5DBoundary">Random boundary points of the 5D Poisson problem (the paper: 500).</param>
/// <param name="HeatGrid">Grid points per side of the heat-equation grid (the paper: 30).</param>
/// <param name="TestGrid">Test grid points per side for the 2D problems.</param>
/// <param name="Poisson5DTestPoints">Random test points for the 5D error.</param>
/// <param name="Poisson2DSeconds">Wall-time budget of each solver on 2D Poisson.</param>
/// <param name="Poisson5DSeconds">Wall-time budget of each solver on 5D Poisson.</param>
/// <param name="HeatSeconds">Wall-time budget of each solver on the heat equation.</param>
/// <param name="EngdMaxIterations">Iteration cap of energy natural gradient.</param>
/// <param name="AdamLearningRate">Adam's step size (the paper: 1e-3, decayed after 15 000 steps).</param>
/// <param name="PaperWidths">True: the paper's width-64 networks for the heat and 5D problems; false: the narrower
/// <see cref="Heat1DNarrow"/> and <see cref="Poisson5DNarrow"/>.</param>
/// <param name="Concurrency">Solver runs at a time, one core each (runs never share a core's worth of buffers).</param>
public sealed record PinnConfig(
    int Poisson2DGrid,
    int Poisson5DInterior,
    int Poisson5DBoundary,
    int HeatGrid,
    int TestGrid,
    int Poisson5DTestPoints,
    double Poisson2DSeconds,
    double Poisson5DSeconds,
    double HeatSeconds,
    int EngdMaxIterations,
    double AdamLearningRate,
    bool PaperWidths,
    int Concurrency)
{
    /// <summary>The default run (under 3 minutes on two cores): the paper's 2D problem and heat grid, narrower heat and 5D
    /// networks, a smaller 5D point set.</summary>
    public static PinnConfig Default { get; } = new(
        Poisson2DGrid: 30, Poisson5DInterior: 1000, Poisson5DBoundary: 250, HeatGrid: 30, TestGrid: 101, Poisson5DTestPoints: 20_000,
        Poisson2DSeconds: 25, Poisson5DSeconds: 15, HeatSeconds: 20, EngdMaxIterations: 1000, AdamLearningRate: 1e-3, PaperWidths: false, Concurrency: 2);

    /// <summary>The paper-sized run: width-64 networks, 4000 + 500 5D points, longer budgets (about 15 minutes).</summary>
    public static PinnConfig Full { get; } = Default with
    {
        Poisson5DInterior = 4000, Poisson5DBoundary = 500, Poisson5DTestPoints = 40_000, PaperWidths = true,
        Poisson2DSeconds = 90, Poisson5DSeconds = 200, HeatSeconds = 120, EngdMaxIterations = 2000,
    };

    /// <summary>A seconds-long run for tests: coarse grids, few points.</summary>
    public static PinnConfig Tiny { get; } = Default with
    {
        Poisson2DGrid = 12, Poisson5DInterior = 120, Poisson5DBoundary = 60, HeatGrid = 12, TestGrid = 31, Poisson5DTestPoints = 2000,
        Poisson2DSeconds = 2, Poisson5DSeconds = 2, HeatSeconds = 2, EngdMaxIterations = 40,
    };

    /// <summary>Throws on sizes or budgets no run can use.</summary>
    public PinnConfig Validate()
    {
        if (Poisson2DGrid < 3 || HeatGrid < 2 || TestGrid < 2)
            throw new ArgumentOutOfRangeException(nameof(Poisson2DGrid), "Grids need at least 3 (2D Poisson) or 2 (heat, test) points per side.");
        if (Poisson5DInterior < 1 || Poisson5DBoundary < 1 || Poisson5DTestPoints < 1)
            throw new ArgumentOutOfRangeException(nameof(Poisson5DInterior), "The 5D problem needs at least one interior, boundary and test point.");
        if (!(Poisson2DSeconds > 0 && Poisson5DSeconds > 0 && HeatSeconds > 0) || EngdMaxIterations < 1)
            throw new ArgumentOutOfRangeException(nameof(Poisson2DSeconds), "Budgets and the iteration cap must be positive.");
        if (!(AdamLearningRate > 0) || Concurrency < 1)
            throw new ArgumentOutOfRangeException(nameof(AdamLearningRate), "Adam's learning rate and the concurrency must be positive.");
        return this;
    }
}
