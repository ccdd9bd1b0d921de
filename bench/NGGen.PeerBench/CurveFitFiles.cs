using System.Globalization;
using System.Text;
using NGGen.Solvers;

namespace NGGen.PeerBench;

/// <summary>
/// What bench/peers/ceres/curve_fits.cc reads for one fit, in DIR/fits/&lt;case&gt;/:
/// <list type="bullet">
/// <item><c>data.csv</c>: the observations as <c>x,y</c> rows, round-trip formatted, so Ceres parses the very doubles NGGen fitted;</item>
/// <item><c>case.txt</c>: <c>key value…</c> lines: problem, model, start, certified values, NGGen's stopping rule
/// (Ceres is configured from it) and NGGen's solution and cost (Ceres checks its own against them before timing).</item>
/// </list>
/// </summary>
public static class CurveFitFiles
{
    public static void Write(string directory, CurveFitCase fit, string model, LevenbergMarquardtOptions options,
        double[] solution, SolverSummary summary, double digits)
    {
        var data = new StringBuilder("x,y\n");
        for (int i = 0; i < fit.X.Length; i++)
            data.Append(R(fit.X[i])).Append(',').Append(R(fit.Y[i])).Append('\n');
        File.WriteAllText(Path.Combine(directory, "data.csv"), data.ToString());

        var text = new StringBuilder();
        text.Append("# Written by NGGen.PeerBench --group fits; read by bench/peers/ceres/curve_fits.cc. One 'key value...' per line.\n");
        void Line(string key, params double[] values) =>
            text.Append(key).Append(' ').Append(string.Join(' ', values.Select(R))).Append('\n');
        text.Append("problem ").Append(fit.Dataset.Name).Append('\n');
        text.Append("model ").Append(model).Append('\n');
        Line("start_index", fit.StartIndex);
        Line("observations", fit.X.Length);
        Line("start", fit.Start);
        Line("certified", fit.Dataset.CertifiedParameters);
        // The stopping rule and trust-region constants, under Ceres' option names.
        Line("max_num_iterations", options.MaxIterations);
        Line("function_tolerance", options.FunctionTolerance);
        Line("gradient_tolerance", options.GradientTolerance);
        Line("parameter_tolerance", options.ParameterTolerance);
        Line("initial_trust_region_radius", options.InitialTrustRegionRadius);
        Line("min_trust_region_radius", options.MinTrustRegionRadius);
        Line("min_lm_diagonal", options.MinDiagonal);
        Line("max_lm_diagonal", options.MaxDiagonal);
        Line("min_relative_decrease", options.MinRelativeDecrease);
        // NGGen's result, for the agreement check.
        Line("nggen_solution", solution);
        Line("nggen_cost", summary.FinalCost);
        Line("nggen_digits", digits);
        Line("nggen_iterations", summary.Iterations);
        text.Append("nggen_termination ").Append(summary.Termination).Append('\n');
        File.WriteAllText(Path.Combine(directory, "case.txt"), text.ToString());
    }

    private static string R(double value) => value.ToString("R", CultureInfo.InvariantCulture);
}
