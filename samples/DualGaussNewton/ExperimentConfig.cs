namespace NGGen.Samples.DualGaussNewton;

/// <summary>The size of a run: the timing sweep (networks × batches × both losses) and the training comparison.</summary>
/// <param name="Widths">Hidden widths of the sweep's networks (each one of 16, 32, 64, 128, 256; see <see cref="Networks"/>).</param>
/// <param name="Batches">Batch sizes; the dual system has m = 10 × batch unknowns.</param>
/// <param name="CgIterations">CG iterations per timed direction, for both formulations (tolerance 0: exactly this many).</param>
/// <param name="TimingRepeats">Timing rounds over all cells (each round times every cell for ≥ 20 ms or one call, after one untimed warm-up).</param>
/// <param name="Gamma">γ, the same in both: the primal solves (JᵀHJ + I/γ)v = −∇L, the dual (H + γHKH)β = g.</param>
/// <param name="MaxWork">Cells with batch × parameters above this are skipped (keeps the default run short).</param>
/// <param name="AgreementTolerance">Relative residual at which both CGs stop for the same-direction check.</param>
/// <param name="AgreementMaxIterations">CG cap for the same-direction check.</param>
/// <param name="Training">The optimizer comparison.</param>
public sealed record ExperimentConfig(
    int[] Widths,
    int[] Batches,
    int CgIterations,
    int TimingRepeats,
    double Gamma,
    long MaxWork,
    double AgreementTolerance,
    int AgreementMaxIterations,
    TrainingConfig Training)
{
    /// <summary>The default run: p from 586 to 70,666, m from 80 to 5,120 (cells with batch × p ≤ 10⁷).</summary>
    public static ExperimentConfig Default { get; } = new(
        Widths: [16, 32, 64, 128, 256],
        Batches: [8, 32, 128, 512],
        CgIterations: 10,
        TimingRepeats: 4,
        Gamma: 1,
        MaxWork: 10_000_000,
        AgreementTolerance: 1e-10,
        AgreementMaxIterations: 400,
        Training: TrainingConfig.Default);

    /// <summary>The paper-sized sweep: every width against batches up to 2,048 (m = 20,480), more repeats, longer training.</summary>
    public static ExperimentConfig Full { get; } = new(
        Widths: [16, 32, 64, 128, 256],
        Batches: [8, 32, 128, 512, 2048],
        CgIterations: 10,
        TimingRepeats: 6,
        Gamma: 1,
        MaxWork: long.MaxValue,
        AgreementTolerance: 1e-10,
        AgreementMaxIterations: 1000,
        Training: TrainingConfig.Full);

    /// <summary>Checks the configuration; throws <see cref="ArgumentException"/> with the offending value.</summary>
    public void Validate()
    {
        foreach (int w in Widths)
            if (!Networks.Widths.Contains(w))
                throw new ArgumentException($"Width {w} has no network; use one of {string.Join(", ", Networks.Widths)}.");
        if (Batches.Length == 0 || Batches.Any(b => b <= 0))
            throw new ArgumentException("Batches must be positive and non-empty.");
        if (CgIterations <= 0 || TimingRepeats <= 0 || AgreementMaxIterations <= 0)
            throw new ArgumentException("CG iteration counts and repeats must be positive.");
        if (!(Gamma > 0))
            throw new ArgumentException($"γ must be positive, got {Gamma}.");
        Training.Validate();
    }
}

/// <summary>The optimizer comparison (claim c): a 10-class problem, mini-batches cycled in a fixed order, the same
/// update rules (heavy-ball momentum, Adam) driven by −∇L or by the dual Gauss-Newton direction.</summary>
/// <param name="Width">Hidden width of the trained network.</param>
/// <param name="Samples">Training samples.</param>
/// <param name="MiniBatch">Samples per mini-batch (must divide <paramref name="Samples"/>).</param>
/// <param name="Iterations">Iterations of the dual Gauss-Newton runs; the gradient runs get the same wall time.</param>
/// <param name="CgIterations">Dual CG iterations per direction.</param>
/// <param name="Gamma">γ of the dual directions.</param>
/// <param name="RecordEvery">Full-data loss is evaluated every this many iterations (its time is not counted).</param>
/// <param name="MomentumRates">Learning rates tried for momentum on −∇L.</param>
/// <param name="AdamRates">Learning rates tried for Adam on −∇L.</param>
/// <param name="DualMomentumRates">Learning rates tried for momentum on dual directions.</param>
/// <param name="DualAdamRates">Learning rates tried for Adam on dual directions.</param>
public sealed record TrainingConfig(
    int Width,
    int Samples,
    int MiniBatch,
    int Iterations,
    int CgIterations,
    double Gamma,
    int RecordEvery,
    double[] MomentumRates,
    double[] AdamRates,
    double[] DualMomentumRates,
    double[] DualAdamRates)
{
    /// <summary>Default: 1,024 samples of 10 classes, batches of 32 (m = 320 against p = 1,674), 300 iterations.</summary>
    public static TrainingConfig Default { get; } = new(
        Width: 32, Samples: 1024, MiniBatch: 32, Iterations: 300, CgIterations: 10, Gamma: 10, RecordEvery: 5,
        MomentumRates: [0.03, 0.1, 0.3], AdamRates: [3e-3, 1e-2, 3e-2, 0.1],
        DualMomentumRates: [0.01, 0.03, 0.1, 0.3], DualAdamRates: [1e-2, 3e-2, 0.1]);

    /// <summary>Full: 4,096 samples, batches of 64 on the 5,386-parameter network, 600 iterations, wider grids.</summary>
    public static TrainingConfig Full { get; } = new(
        Width: 64, Samples: 4096, MiniBatch: 64, Iterations: 600, CgIterations: 10, Gamma: 1, RecordEvery: 10,
        MomentumRates: [0.01, 0.03, 0.1, 0.3, 1], AdamRates: [1e-3, 3e-3, 1e-2, 3e-2, 0.1],
        DualMomentumRates: [0.01, 0.03, 0.1, 0.3, 1], DualAdamRates: [1e-3, 3e-3, 1e-2, 3e-2, 0.1]);

    /// <summary>Checks the configuration; throws <see cref="ArgumentException"/> with the offending value.</summary>
    public void Validate()
    {
        if (!Networks.Widths.Contains(Width))
            throw new ArgumentException($"Width {Width} has no network; use one of {string.Join(", ", Networks.Widths)}.");
        if (MiniBatch <= 0 || Samples <= 0 || Samples % MiniBatch != 0)
            throw new ArgumentException($"The mini-batch ({MiniBatch}) must be positive and divide the samples ({Samples}).");
        if (Iterations <= 0 || CgIterations <= 0 || RecordEvery <= 0 || !(Gamma > 0))
            throw new ArgumentException("Iterations, CG iterations, RecordEvery and γ must be positive.");
        if (MomentumRates.Length == 0 || AdamRates.Length == 0 || DualMomentumRates.Length == 0 || DualAdamRates.Length == 0)
            throw new ArgumentException("Every learning-rate grid needs at least one rate.");
    }
}
