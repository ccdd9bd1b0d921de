using System.Text.Json.Nodes;

namespace NGGen.Samples.CurveFitting;

/// <summary>The sample's tables, claims, plots and JSON.</summary>
public static class Report
{
    public static void WriteNistTable(IReadOnlyList<NistFit> fits, TextWriter output)
    {
        var table = new TextTable("dataset", "difficulty", "start", "iterations", "RSS", "digits b", "digits s(b)", "digits RSS", "ms");
        foreach (var f in fits)
            table.AddRow(f.Dataset.Name, f.Dataset.Difficulty, f.Start.ToString(), f.Fit.Iterations.ToString(), TextTable.Sci(f.Fit.ResidualSumOfSquares),
                TextTable.Fixed(f.ParameterDigits, 1), TextTable.Fixed(f.StandardErrorDigits, 1), TextTable.Fixed(f.ResidualDigits, 1), TextTable.Fixed(f.Fit.Seconds * 1000, 2));
        table.Write(output);
    }

    public static void WriteParameterTable(NistFit fit, TextWriter output)
    {
        var table = new TextTable("parameter", "estimate", "certified", "std. error", "certified");
        for (int k = 0; k < fit.Fit.Parameters.Length; k++)
            table.AddRow(fit.Fit.ParameterNames[k], fit.Fit.Parameters[k].ToString(Digits11), fit.Dataset.CertifiedParameters[k].ToString(Digits11),
                fit.Fit.StandardErrors[k].ToString(Digits11), fit.Dataset.CertifiedStandardErrors[k].ToString(Digits11));
        table.Write(output);
    }

    public static void WriteRobustTable(RobustComparison robust, TextWriter output)
    {
        var table = new TextTable("loss", "a ± s", "b ± s", "c ± s", "worst rel. error", "worst |b−truth|/s", "iterations");
        foreach (var (loss, fit) in robust.Fits)
            table.AddRow(loss, PlusMinus(fit, 0), PlusMinus(fit, 1), PlusMinus(fit, 2), TextTable.Sci(RobustComparison.WorstRelativeError(fit, robust.Truth)),
                TextTable.Fixed(RobustComparison.WorstStandardizedError(fit, robust.Truth), 1), fit.Iterations.ToString());
        table.AddRow("truth", robust.Truth[0].ToString("F4"), robust.Truth[1].ToString("F4"), robust.Truth[2].ToString("F4"), "", "", "");
        table.Write(output);
    }

    public static ClaimTable Claims(IReadOnlyList<NistFit> fits, RobustComparison robust)
    {
        // This sample reproduces no paper: the claims are what NIST's certified results and robust statistics let a
        // user expect of a least-squares library.
        var claims = new ClaimTable("expectation");
        foreach (int start in new[] { 2, 1 })
        {
            var fromStart = fits.Where(f => f.Start == start).ToList();
            var worst = fromStart.MinBy(f => f.ParameterDigits)!;
            var failed = fromStart.Where(f => f.ParameterDigits < 6).Select(f => $"{f.Dataset.Name} ({f.ParameterDigits:F1} digits, RSS {Sci(f.Fit.ResidualSumOfSquares)})").ToList();
            claims.Add($"LM reaches NIST's certified b (≥ 6 digits) from start {start}{(start == 1 ? " (far)" : " (near)")}",
                failed.Count == 0 ? $"fewest {worst.ParameterDigits:F1} digits ({worst.Dataset.Name})" : "fails on " + string.Join(", ", failed),
                failed.Count == 0);
        }
        var converged = fits.Where(f => f.ParameterDigits >= 6).ToList();
        var worstErrors = converged.MinBy(f => f.StandardErrorDigits)!;
        claims.Add("Standard errors σ√diag((JᵀJ)⁻¹) match NIST's (≥ 4 digits) where b does",
            $"fewest {worstErrors.StandardErrorDigits:F1} digits ({worstErrors.Dataset.Name}, start {worstErrors.Start})", worstErrors.StandardErrorDigits >= 4);
        var plain = robust.Fits[0].Fit;
        var cauchy = robust.Fits.First(f => f.Loss.StartsWith("Cauchy", StringComparison.Ordinal)).Fit;
        double plainError = RobustComparison.WorstRelativeError(plain, robust.Truth);
        double cauchyError = RobustComparison.WorstRelativeError(cauchy, robust.Truth);
        claims.Add("A Cauchy loss cuts the outliers' parameter error ≥ 5×", $"worst relative error {Sci(plainError)} → {Sci(cauchyError)} ({plainError / cauchyError:F1}×)", plainError >= 5 * cauchyError);
        double cauchySigmas = RobustComparison.WorstStandardizedError(cauchy, robust.Truth);
        claims.Add("The robust fit's standard errors cover the truth (≤ 3 s)", $"{cauchySigmas:F1} s", cauchySigmas <= 3);
        return claims;
    }

    /// <summary>One panel per dataset: the data as markers and the fits from both NIST starts as curves.</summary>
    public static void SaveNistPlot(string path, IReadOnlyList<NistFit> fits)
    {
        var panels = new List<LinePlot>();
        foreach (var group in fits.GroupBy(f => f.Dataset.Name))
        {
            var first = group.First();
            double lo = first.X.Min(), hi = first.X.Max();
            var grid = Enumerable.Range(0, 400).Select(i => lo + (hi - lo) * i / 399.0).ToArray();
            var plot = new LinePlot($"{first.Dataset.Name} ({first.Dataset.Model.Name})", "x", "y");
            plot.Add("data", first.X, first.Y, SeriesStyle.Markers);
            foreach (var fit in group)
                plot.Add($"start {fit.Start}: RSS {fit.Fit.ResidualSumOfSquares:G6}", grid, fit.Dataset.Model.Predict(fit.Fit.Parameters, grid), dashed: fit.Start == 2);
            panels.Add(plot);
        }
        PlotGrid.Save(path, panels, columns: 3, title: "NIST StRD datasets fitted by Levenberg-Marquardt from NIST's two starting points");
    }

    /// <summary>The outlier data with the plain and robust fits and the truth.</summary>
    public static void SaveRobustPlot(string path, RobustComparison robust)
    {
        var grid = Enumerable.Range(0, 300).Select(i => 10.0 * i / 299).ToArray();
        var model = new CurveModel<DecayToOffset.Compiled>();
        var plot = new LinePlot("y = a·exp(−b x) + c with 5 outliers: least squares against robust losses", "x", "y");
        plot.Add("data (41 points)", robust.X, robust.Y, SeriesStyle.Markers);
        foreach (var (loss, fit) in robust.Fits.Where(f => f.Loss is "least squares" or "Cauchy (0.1)"))
            plot.Add(loss, grid, model.Predict(fit.Parameters, grid));
        plot.Add(new PlotSeries("truth (5, 0.4, 1)", grid, model.Predict(robust.Truth, grid), Dashed: true, Color: "#333333"));
        plot.Save(path);
    }

    public static JsonObject ToJson(IReadOnlyList<NistFit> fits, RobustComparison robust, ClaimTable claims)
    {
        var nist = new JsonArray();
        foreach (var f in fits)
            nist.Add((JsonNode)new JsonObject
            {
                ["dataset"] = f.Dataset.Name,
                ["start"] = f.Start,
                ["iterations"] = f.Fit.Iterations,
                ["termination"] = f.Fit.Termination.ToString(),
                ["seconds"] = f.Fit.Seconds,
                ["parameters"] = JsonReport.Numbers(f.Fit.Parameters),
                ["standardErrors"] = JsonReport.Numbers(f.Fit.StandardErrors),
                ["residualSumOfSquares"] = JsonReport.Number(f.Fit.ResidualSumOfSquares),
                ["correctDigitsParameters"] = f.ParameterDigits,
                ["correctDigitsStandardErrors"] = f.StandardErrorDigits,
                ["correctDigitsResidualSumOfSquares"] = f.ResidualDigits,
            });
        var robustFits = new JsonArray();
        foreach (var (loss, fit) in robust.Fits)
            robustFits.Add((JsonNode)new JsonObject
            {
                ["loss"] = loss,
                ["parameters"] = JsonReport.Numbers(fit.Parameters),
                ["standardErrors"] = JsonReport.Numbers(fit.StandardErrors),
                ["worstStandardizedError"] = RobustComparison.WorstStandardizedError(fit, robust.Truth),
                ["iterations"] = fit.Iterations,
            });
        return new JsonObject
        {
            ["nist"] = nist,
            ["robust"] = new JsonObject { ["truth"] = JsonReport.Numbers(robust.Truth), ["fits"] = robustFits },
            ["claims"] = claims.ToJson(),
        };
    }

    private const string Digits11 = "0.0000000000E+00";

    private static string Sci(double value) => TextTable.Sci(value);

    private static string PlusMinus(FitResult fit, int k) => $"{fit.Parameters[k]:F4} ± {fit.StandardErrors[k]:F4}";
}
