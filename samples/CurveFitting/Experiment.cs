using NGGen.IO;
using NGGen.Solvers;

namespace NGGen.Samples.CurveFitting;

/// <summary>One NIST fit from one of its two starting points, scored against the certified values.</summary>
public sealed record NistFit(NistDataset Dataset, int Start, double[] X, double[] Y, FitResult Fit)
{
    public double ParameterDigits => NistDataset.FewestCorrectDigits(Fit.Parameters, Dataset.CertifiedParameters);

    public double StandardErrorDigits => NistDataset.FewestCorrectDigits(Fit.StandardErrors, Dataset.CertifiedStandardErrors);

    public double ResidualDigits => NistDataset.CorrectDigits(Fit.ResidualSumOfSquares, Dataset.CertifiedResidualSumOfSquares);
}

/// <summary>The robust-loss example: the same data fitted by plain least squares and by each robust loss.</summary>
public sealed record RobustComparison(double[] X, double[] Y, double[] Truth, IReadOnlyList<(string Loss, FitResult Fit)> Fits)
{
    /// <summary>max_k |b_k − truth_k| / |truth_k|: the worst relative parameter error.</summary>
    public static double WorstRelativeError(FitResult fit, double[] truth) =>
        fit.Parameters.Select((b, k) => Math.Abs(b - truth[k]) / Math.Abs(truth[k])).Max();

    /// <summary>max_k |b_k − truth_k| / s_k: how many standard errors the worst parameter is from the truth.</summary>
    public static double WorstStandardizedError(FitResult fit, double[] truth) =>
        fit.Parameters.Select((b, k) => Math.Abs(b - truth[k]) / fit.StandardErrors[k]).Max();
}

/// <summary>Runs the sample: every NIST dataset from both starting points, then the robust-loss comparison.</summary>
public static class Experiment
{
    /// <summary>The true parameters of data/DecayWithOutliers.csv (from its generator, stated in the file).</summary>
    public static readonly double[] DecayTruth = [5, 0.4, 1];

    /// <summary>Where the robust fits start: a rough guess a user could read off the plot.</summary>
    public static readonly double[] DecayStart = [3, 1, 0];

    /// <summary>The robust losses compared, with scale 0.1 (about twice the noise level of 0.05).</summary>
    public static IReadOnlyList<(string Name, RobustLoss? Loss)> RobustLosses { get; } =
    [
        ("least squares", null),
        ("Huber (0.1)", new RobustLoss(RobustLossKind.Huber, 0.1)),
        ("soft L1 (0.1)", new RobustLoss(RobustLossKind.SoftL1, 0.1)),
        ("Cauchy (0.1)", new RobustLoss(RobustLossKind.Cauchy, 0.1)),
    ];

    public static List<NistFit> FitNist(IEnumerable<NistDataset> datasets, TextWriter log)
    {
        var fits = new List<NistFit>();
        foreach (var dataset in datasets)
        {
            var data = CsvTable.Read(dataset.DataPath);
            double[] x = data.Column("x"), y = data.Column("y");
            // One untimed fit first, so the reported times are solves and not JIT compilation.
            dataset.Model.Fit(x, y, dataset.Start2);
            foreach (var (start, values) in new[] { (1, dataset.Start1), (2, dataset.Start2) })
            {
                var fit = new NistFit(dataset, start, x, y, dataset.Model.Fit(x, y, values));
                log.WriteLine($"  {dataset.Name,-9} start {start}: {fit.Fit.Iterations,3} iterations, RSS {fit.Fit.ResidualSumOfSquares.ToString("0.0000000000E+00")}, {fit.ParameterDigits:F1} correct digits{(fit.Fit.CovarianceProblem is null ? "" : "; no covariance: " + fit.Fit.CovarianceProblem)}");
                fits.Add(fit);
            }
        }
        return fits;
    }

    public static RobustComparison FitRobust(string dataPath)
    {
        var data = CsvTable.Read(dataPath);
        double[] x = data.Column("x"), y = data.Column("y");
        var model = new CurveModel<DecayToOffset.Compiled>();
        var fits = RobustLosses.Select(l => (l.Name, model.Fit(x, y, DecayStart, l.Loss))).ToList();
        return new RobustComparison(x, y, DecayTruth, fits);
    }
}
