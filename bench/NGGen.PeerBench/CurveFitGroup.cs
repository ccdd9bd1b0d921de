using NGGen.Samples.CurveFitting;
using NGGen.Solvers;

namespace NGGen.PeerBench;

/// <summary>
/// NIST StRD curve fits by Levenberg-Marquardt, the NGGen side of bench/peers/ceres/curve_fits.cc. For every dataset
/// of the CurveFitting sample and both NIST starts: one untimed solve that is scored against NIST's certified values
/// (log relative error, the fewest correct digits over the parameters) and written to DIR/fits/&lt;problem&gt;_start&lt;k&gt;/
/// (data, start, stopping rule, solution) for Ceres to read and check against; then the timed solve.
/// <para>
/// A timed solve is what a user does per fit with the data already in memory: build the problem
/// (<see cref="TrainingProblem{TModel}"/> over the x, y arrays; in Ceres one AutoDiffCostFunction residual block per
/// observation) and run LM from NIST's start. Reading the CSV is not timed on either side.
/// </para>
/// </summary>
public static class CurveFitGroup
{
    /// <summary>The sample's stopping rule (tolerances well below NIST's 11 digits), so accuracy is limited by the
    /// solver and the arithmetic, not by the tolerances; Ceres gets the same values from the case file.</summary>
    public static LevenbergMarquardtOptions Options => CurveModel<ExponentialRise.Compiled>.Options;

    public static void Run(PeerOptions options)
    {
        string root = options.GroupDirectory("fits");
        var cases = new List<string>();
        foreach (var dataset in NistDataset.All)
        {
            var data = NGGen.IO.CsvTable.Read(dataset.DataPath);
            double[] x = data.Column("x"), y = data.Column("y");
            foreach (var (start, values) in new[] { (1, dataset.Start1), (2, dataset.Start2) })
            {
                var fit = new CurveFitCase(dataset, start, values, x, y);
                string directory = Directory.CreateDirectory(Path.Combine(root, fit.Name)).FullName;
                // The models of the sample's datasets, by their generated types (static abstract members need the type).
                switch (dataset.Model)
                {
                    case CurveModel<ExponentialRise.Compiled>: RunCase<ExponentialRise.Compiled>(fit, directory); break;
                    case CurveModel<Sigmoid4.Compiled>: RunCase<Sigmoid4.Compiled>(fit, directory); break;
                    case CurveModel<GaussianPeak.Compiled>: RunCase<GaussianPeak.Compiled>(fit, directory); break;
                    case CurveModel<Rational33.Compiled>: RunCase<Rational33.Compiled>(fit, directory); break;
                    default:
                        throw new NotSupportedException($"{dataset.Name}: the fits group has no case for model {dataset.Model.Name}; add it here and in bench/peers/ceres/curve_fits.cc.");
                }
                cases.Add(fit.Name);
            }
        }
        // Ceres runs the cases in this order.
        File.WriteAllLines(Path.Combine(root, "cases.txt"), cases);
    }

    private static void RunCase<TModel>(CurveFitCase fit, string directory) where TModel : IModel<TModel>
    {
        var options = Options;
        var theta = new double[TModel.ParameterCount];
        SolverSummary? summary = null;
        void Solve()
        {
            var problem = new TrainingProblem<TModel>(new ResidualBlock(0, fit.X, fit.X.Length, fit.Y));
            fit.Start.CopyTo(theta, 0);
            summary = LevenbergMarquardt.Solve(problem, theta, options);
        }

        Solve();
        var solution = (double[])theta.Clone();
        var result = summary!;
        double digits = NistDataset.FewestCorrectDigits(solution, fit.Dataset.CertifiedParameters);
        CurveFitFiles.Write(directory, fit, TModel.Name, options, solution, result, digits);
        Console.Error.WriteLine($"  nggen  fits  {fit.Name,-24} {result.Termination} after {result.Iterations} iterations, cost {result.FinalCost:E10}, {digits:F1} digits");

        var timing = Measure.Median(Solve);
        // Every timed solve must end where the first did (the solver is deterministic); anything else would time
        // a different computation from the one checked.
        if (!theta.AsSpan().SequenceEqual(solution))
            throw new InvalidOperationException($"{fit.Name}: a timed solve ended at [{string.Join(", ", theta)}], not at the checked [{string.Join(", ", solution)}].");

        ResultWriter.Write("fits", $"{fit.Dataset.Name}/start{fit.StartIndex}", timing,
            ("problem", fit.Dataset.Name), ("start", fit.StartIndex), ("model", TModel.Name),
            ("observations", fit.X.Length), ("parameters", TModel.ParameterCount),
            ("digits", digits), ("cost", result.FinalCost), ("iterations", result.Iterations),
            ("residual_evaluations", result.Evaluations), ("jacobian_evaluations", result.JacobianEvaluations),
            ("termination", result.Termination.ToString()), ("threads", 1), ("construction_timed", true));
    }
}

/// <summary>One dataset from one of NIST's two starting points.</summary>
public sealed record CurveFitCase(NistDataset Dataset, int StartIndex, double[] Start, double[] X, double[] Y)
{
    /// <summary>The case directory's name, e.g. <c>Misra1a_start1</c>.</summary>
    public string Name => $"{Dataset.Name}_start{StartIndex}";
}
