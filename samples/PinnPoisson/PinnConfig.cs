namespace NGGen.Samples.PinnPoisson;

/// <summary>Sizes and budgets of one run. Energy natural gradient runs a fixed number of iterations per problem (or
/// until its time cap); then Adam, gradient descent and L-BFGS each get exactly the wall time it used.</summary>
/// <param name="Poisson2DGrid">Grid points per side of the 2D Poisson collocation grid (the paper: 30).</param>
/// <param name="Poisson5DInterior">Random interior points of the 5D Poisson problem (the paper: 4000, redrawn each iteration).</param>
/// <param name="Poisson5DBoundary">Random boundary points of the 5D Poisson problem (the paper: 500).</param>
/// <param name="HeatGrid">Grid points per side of the heat-equation grid (the paper: 30).</param>
/// <param name="TestGrid">Test grid points per side for the 2D problems.</param>
/// <param name="Poisson5DTestPoints">Random test points for the 5D error.</param>
/// <param name="Poisson2DIterations">ENGD iterations on 2D Poisson.</param>
/// <param name="HeatIterations">ENGD iterations on the heat equation (the paper: 2000).</param>
/// <param name="Poisson5DIterations">ENGD iterations on 5D Poisson (the paper: 200).</param>
/// <param name="Poisson2DSecondsCap">ENGD on 2D Poisson stops after this much wall time even before its iterations
/// are done, which bounds the run on a loaded machine.</param>
/// <param name="HeatSecondsCap">The same cap for the heat equation.</param>
/// <param name="Poisson5DSecondsCap">The same cap for 5D Poisson.</param>
/// <param name="AdamLearningRate">Adam's step size (the paper: 1e-3, decayed after 15 000 steps).</param>
/// <param name="PaperWidths">True: the paper's width-64 networks for the heat and 5D problems; false: the narrower
/// <see cref="Heat1DNarrow"/> and <see cref="Poisson5DNarrow"/>.</param>
/// <param name="Concurrency">Solver runs at a time, one core each: 2 runs ENGD next to Adam, then GD next to L-BFGS;
/// 1 runs them one after another.</param>
public sealed record PinnConfig(
    int Poisson2DGrid,
    int Poisson5DInterior,
    int Poisson5DBoundary,
    int HeatGrid,
    int TestGrid,
    int Poisson5DTestPoints,
    int Poisson2DIterations,
    int HeatIterations,
    int Poisson5DIterations,
    double Poisson2DSecondsCap,
    double HeatSecondsCap,
    double Poisson5DSecondsCap,
    double AdamLearningRate,
    bool PaperWidths,
    int Concurrency)
{
    /// <summary>The default run (under 3 minutes on two cores): the paper's 2D problem and heat grid, narrower heat and 5D
    /// networks, a smaller 5D point set; most of the time goes to 2D Poisson, the one ENGD can finish in it.</summary>
    public static PinnConfig Default { get; } = new(
        Poisson2DGrid: 30, Poisson5DInterior: 1000, Poisson5DBoundary: 250, HeatGrid: 30, TestGrid: 101, Poisson5DTestPoints: 20_000,
        Poisson2DIterations: 150, HeatIterations: 150, Poisson5DIterations: 200,
        Poisson2DSecondsCap: 50, HeatSecondsCap: 12, Poisson5DSecondsCap: 20,
        AdamLearningRate: 1e-3, PaperWidths: false, Concurrency: 2);

    /// <summary>The paper-sized run: width-64 networks, 4000 + 500 5D points, the paper's iteration counts (the heat
    /// equation's and 5D's capped at 240 s of ENGD each): up to 25 minutes on two cores.</summary>
    public static PinnConfig Full { get; } = Default with
    {
        Poisson5DInterior = 4000, Poisson5DBoundary = 500, Poisson5DTestPoints = 40_000, PaperWidths = true,
        Poisson2DIterations = 1000, HeatIterations = 2000, Poisson5DIterations = 200,
        Poisson2DSecondsCap = 240, HeatSecondsCap = 240, Poisson5DSecondsCap = 240,
    };

    /// <summary>A seconds-long run for tests: coarse grids, few points, few iterations.</summary>
    public static PinnConfig Tiny { get; } = Default with
    {
        Poisson2DGrid = 12, Poisson5DInterior = 150, Poisson5DBoundary = 60, HeatGrid = 12, TestGrid = 31, Poisson5DTestPoints = 2000,
        Poisson2DIterations = 5, HeatIterations = 5, Poisson5DIterations = 5,
        Poisson2DSecondsCap = 10, HeatSecondsCap = 10, Poisson5DSecondsCap = 10,
    };

    /// <summary>Throws on sizes or budgets no run can use; returns this.</summary>
    public PinnConfig Validate()
    {
        if (Poisson2DGrid < 3 || HeatGrid < 2 || TestGrid < 2)
            throw new ArgumentOutOfRangeException(nameof(Poisson2DGrid), "Grids need at least 3 (2D Poisson) or 2 (heat, test) points per side.");
        if (Poisson5DInterior < 1 || Poisson5DBoundary < 1 || Poisson5DTestPoints < 1)
            throw new ArgumentOutOfRangeException(nameof(Poisson5DInterior), "The 5D problem needs at least one interior, boundary and test point.");
        if (Poisson2DIterations < 1 || HeatIterations < 1 || Poisson5DIterations < 1 || !(Math.Min(Poisson2DSecondsCap, Math.Min(HeatSecondsCap, Poisson5DSecondsCap)) > 0))
            throw new ArgumentOutOfRangeException(nameof(Poisson2DIterations), "ENGD's iteration counts and time cap must be positive.");
        if (!(AdamLearningRate > 0) || Concurrency < 1)
            throw new ArgumentOutOfRangeException(nameof(AdamLearningRate), "Adam's learning rate and the concurrency must be positive.");
        return this;
    }
}
