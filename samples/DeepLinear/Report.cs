using System.Globalization;
using System.Text.Json.Nodes;

namespace NGGen.Samples.DeepLinear;

/// <summary>Tables, the claim table, SVG plots and the JSON document of one run.</summary>
public static class Report
{
    private static readonly string[] s_depthColors = ["#4e79a7", "#f28e2b", "#e15759", "#59a14f"];

    // Thresholds of the claim table, stated once so the README can quote them.
    private const double MinNgdCosine = 0.99, MaxNgdDeviation = 0.05, MinGdDeviation = 0.2;
    private const double MaxLowRankTestError = 0.1, MinNoBiasTestError = 0.9, MaxRankSpread = 0.05;

    /// <summary>The separable logistic regression table.</summary>
    public static TextTable LogisticTable(DeepLinearResults results)
    {
        var table = new TextTable("method", "depth", "steps", "final loss", "cos(w, X⁺y)", "cos(w, w_mm)", "outputs vs depth 1");
        foreach (var run in results.Logistic)
        {
            var depthOne = results.Logistic.Single(r => r.Method == run.Method && r.Depth == 1);
            table.AddRow(run.Method, run.Depth.ToString(CultureInfo.InvariantCulture), run.Summary.Iterations.ToString("N0", CultureInfo.InvariantCulture),
                TextTable.Sci(run.Summary.FinalCost), TextTable.Fixed(run.Trajectory.CosinePseudoInverse[^1], 6),
                TextTable.Fixed(run.Trajectory.CosineMaxMargin[^1], 6), run.Depth == 1 ? "—" : TextTable.Sci(Analysis.OutputDeviation(run, depthOne)));
        }
        return table;
    }

    /// <summary>The matrix completion table.</summary>
    public static TextTable CompletionTable(DeepLinearResults results)
    {
        var table = new TextTable("method", "depth", "steps", "seconds", "train error", "test error", "effective rank", $"σ{results.CompletionConfig.Rank + 1}/σ1");
        foreach (var run in results.CompletionRuns)
            table.AddRow(run.Method, run.Depth.ToString(CultureInfo.InvariantCulture), run.Steps.ToString(CultureInfo.InvariantCulture),
                TextTable.Fixed(run.Seconds, 1), TextTable.Sci(run.TrainError), TextTable.Sci(run.TestError),
                TextTable.Fixed(run.EffectiveRank, 2), TextTable.Sci(Analysis.TailRatio(run, results.CompletionConfig.Rank)));
        return table;
    }

    /// <summary>The paper's claims against this run's figures.</summary>
    public static ClaimTable Claims(DeepLinearResults results)
    {
        var claims = new ClaimTable();
        var ngd = results.Logistic.Where(r => r.Method == "NGD").ToList();
        var gd = results.Logistic.Where(r => r.Method == "GD").ToList();
        var pseudoInverse = SeparableLogistic.PseudoInverseDirection();
        var maxMargin = SeparableLogistic.MaxMarginDirection().W;

        double minNgdCosine = ngd.Min(r => r.Trajectory.CosinePseudoInverse[^1]);
        bool ngdNearer = ngd.All(r => r.AngleTo(pseudoInverse) < r.AngleTo(maxMargin));
        claims.Add("(a) NGD: direction → X⁺y at every depth",
            $"cos(w, X⁺y) ≥ {minNgdCosine:F4} at depths 1-4; angle to w_mm {ngd.Min(r => r.AngleTo(maxMargin)):F1}° or more",
            minNgdCosine >= MinNgdCosine && ngdNearer);

        bool gdNearer = gd.All(r => r.AngleTo(maxMargin) < r.AngleTo(pseudoInverse));
        bool gdTurning = gd.All(r => r.Trajectory.CosineMaxMargin[^1] > Analysis.CosineMaxMarginDecadeEarlier(r));
        claims.Add("(a) GD: direction → max-margin w_mm (slowly)",
            $"angle to w_mm {string.Join("/", gd.Select(r => r.AngleTo(maxMargin).ToString("F1", CultureInfo.InvariantCulture)))}° (depth 1-4) vs to X⁺y ≥ {gd.Min(r => r.AngleTo(pseudoInverse)):F1}°; still closing",
            gdNearer && gdTurning);

        double ngdDeviation = Analysis.LargestDeviationFromDepthOne(results.Logistic, "NGD");
        double halfDeviation = Analysis.LargestDeviationFromDepthOne(results.LogisticHalfStep, "NGD");
        claims.Add("(b) NGD: output trajectories equal for every depth",
            $"max deviation from depth 1: {ngdDeviation:E1} at η, {halfDeviation:E1} at η/2 (discretisation)",
            ngdDeviation <= MaxNgdDeviation && halfDeviation < ngdDeviation);

        double gdDeviation = Analysis.LargestDeviationFromDepthOne(results.Logistic, "GD");
        claims.Add("(b) GD: output trajectories change with depth",
            $"max deviation from depth 1: {gdDeviation:E1}", gdDeviation >= MinGdDeviation);

        int rank = results.CompletionConfig.Rank;
        var runs = results.CompletionRuns;
        var gdDeep = runs.Where(r => r.Method == "GD" && r.Depth >= 2).ToList();
        var gdShallow = runs.Single(r => r.Method == "GD" && r.Depth == 1);
        claims.Add("(c) GD, small init: depth ≥ 2 finds low rank, low test error",
            $"test error {string.Join("/", gdDeep.Select(r => r.TestError.ToString("E1", CultureInfo.InvariantCulture)))} (depth 2/3) vs {gdShallow.TestError:F2} (depth 1); effective rank {string.Join("/", gdDeep.Select(r => r.EffectiveRank.ToString("F2", CultureInfo.InvariantCulture)))} (true {rank})",
            gdDeep.All(r => r.TestError <= MaxLowRankTestError && r.EffectiveRank <= 1.5 * rank) && gdShallow.TestError >= MinNoBiasTestError);

        var natural = runs.Where(r => r.Method == "NGD").OrderBy(r => r.Depth).ToList();
        double rankSpread = (natural.Max(r => r.EffectiveRank) - natural.Min(r => r.EffectiveRank)) / natural[0].EffectiveRank;
        claims.Add("(c) NGD: no low-rank bias, same result at every depth",
            $"test error {string.Join("/", natural.Select(r => r.TestError.ToString("F2", CultureInfo.InvariantCulture)))}, effective rank {string.Join("/", natural.Select(r => r.EffectiveRank.ToString("F1", CultureInfo.InvariantCulture)))} (depth 1/2/3)",
            natural.All(r => r.TestError >= MinNoBiasTestError) && rankSpread <= MaxRankSpread);
        return claims;
    }

    /// <summary>Writes the SVG plots; returns their paths.</summary>
    public static IReadOnlyList<string> Plots(DeepLinearResults results, SampleOptions options)
    {
        var paths = new List<string>();

        var cosX = new LinePlot("cos(w, X⁺y): NGD solid, GD dashed", "iteration", "cosine") { XScale = AxisScale.Log, YMin = 0, YMax = 1 };
        var cosM = new LinePlot("cos(w, w_mm): NGD solid, GD dashed", "iteration", "cosine") { XScale = AxisScale.Log, YMin = 0, YMax = 1 };
        foreach (var run in results.Logistic)
        {
            var t = run.Trajectory;
            var x = t.Iterations.Select(k => (double)k).ToArray();
            string color = s_depthColors[run.Depth - 1];
            cosX.Add(new PlotSeries($"{run.Method} depth {run.Depth}", x, t.CosinePseudoInverse, Dashed: run.Method == "GD", Color: color));
            cosM.Add(new PlotSeries($"{run.Method} depth {run.Depth}", x, t.CosineMaxMargin, Dashed: run.Method == "GD", Color: color));
        }
        paths.Add(options.PlotPath("DeepLinear_cosines.svg"));
        PlotGrid.Save(paths[^1], [cosX, cosM], 2, "Separable logistic regression: direction of the end-to-end w = W_L⋯W_1");

        var panels = new List<LinePlot>();
        foreach (string method in new[] { "NGD", "GD" })
            for (int s = 0; s < SeparableLogistic.Samples; s++)
            {
                var plot = new LinePlot($"{method}: margin of sample {s + 1}", "time t = η·iteration", $"y{s + 1}·f(x{s + 1})")
                { XScale = AxisScale.Log, LegendBottomLeft = method == "GD" };
                foreach (var run in results.Logistic.Where(r => r.Method == method))
                {
                    var t = run.Trajectory;
                    // NGD depths overlap: draw deeper ones dashed so the coincidence is visible.
                    plot.Add(new PlotSeries($"depth {run.Depth}", t.Times, t.Outputs.Select(o => o[s] * SeparableLogistic.Labels[s]).ToArray(),
                        Dashed: run.Depth > 1 && method == "NGD", Color: s_depthColors[run.Depth - 1]));
                }
                panels.Add(plot);
            }
        paths.Add(options.PlotPath("DeepLinear_outputs.svg"));
        PlotGrid.Save(paths[^1], panels, 3, "Output trajectories per depth, same initial function: NGD (top) coincide, GD (bottom) differ");

        var errorPanels = new List<LinePlot>();
        var spectrumPanels = new List<LinePlot>();
        int rank = results.CompletionConfig.Rank;
        var truthSpectrum = Dense.SingularValues(results.Completion.Truth, results.Completion.Size);
        foreach (string method in results.CompletionRuns.Select(r => r.Method).Distinct())
        {
            var errors = new LinePlot($"{method}: held-out error", "iteration", "relative RMSE on unobserved entries")
            { XScale = AxisScale.Log, YScale = AxisScale.Log, LegendBottomLeft = true, YMin = 1e-4, YMax = 2 };
            var spectrum = new LinePlot($"{method}: singular values of W", "index", "singular value")
            { YScale = AxisScale.Log, YMin = 1e-8, YMax = 10 };
            foreach (var run in results.CompletionRuns.Where(r => r.Method == method))
            {
                string color = s_depthColors[run.Depth - 1];
                // NGD's depths coincide: deeper ones dashed so that each stays visible.
                errors.Add(new PlotSeries($"depth {run.Depth}", run.Iterations.Select(k => (double)k).ToArray(), run.TestErrors,
                    Dashed: method == "NGD" && run.Depth > 1, Color: color));
                spectrum.Add(new PlotSeries($"depth {run.Depth} (eff. rank {run.EffectiveRank:F1})",
                    Enumerable.Range(1, run.SingularValues.Length).Select(i => (double)i).ToArray(), run.SingularValues, SeriesStyle.LineAndMarkers, Dashed: method == "NGD" && run.Depth > 1, Color: color));
            }
            spectrum.Add(new PlotSeries($"truth (rank {rank})", Enumerable.Range(1, rank).Select(i => (double)i).ToArray(), truthSpectrum[..rank],
                SeriesStyle.Markers, Color: "#000000"));
            errorPanels.Add(errors);
            spectrumPanels.Add(spectrum);
        }
        var size = results.CompletionConfig;
        paths.Add(options.PlotPath("DeepLinear_completion.svg"));
        PlotGrid.Save(paths[^1], [.. errorPanels, .. spectrumPanels], errorPanels.Count,
            $"Deep matrix completion, {size.Size}×{size.Size} rank {size.Rank}, {size.Observed} observed, small init: test error (top) and final spectrum (bottom)");
        return paths;
    }

    /// <summary>Every figure of the run as JSON.</summary>
    public static JsonObject Json(DeepLinearResults results, ClaimTable claims, double wallSeconds)
    {
        var pseudoInverse = SeparableLogistic.PseudoInverseDirection();
        var (maxMargin, alpha) = SeparableLogistic.MaxMarginDirection();
        return new JsonObject
        {
            ["sample"] = "DeepLinear",
            ["wallSeconds"] = JsonReport.Number(wallSeconds),
            ["claims"] = claims.ToJson(),
            ["logistic"] = new JsonObject
            {
                ["config"] = new JsonObject
                {
                    ["ngdLearningRate"] = results.LogisticConfig.NgdLearningRate,
                    ["ngdIterations"] = results.LogisticConfig.NgdIterations,
                    ["gdLearningRate"] = results.LogisticConfig.GdLearningRate,
                    ["gdIterations"] = results.LogisticConfig.GdIterations,
                    ["initScale"] = results.LogisticConfig.InitScale,
                },
                ["initialW"] = JsonReport.Numbers(results.W0),
                ["pseudoInverseDirection"] = JsonReport.Numbers(pseudoInverse),
                ["maxMarginDirection"] = JsonReport.Numbers(maxMargin),
                ["maxMarginDual"] = JsonReport.Numbers(alpha),
                ["runs"] = LogisticRuns(results.Logistic),
                ["halfStepNgdRuns"] = LogisticRuns(results.LogisticHalfStep),
                ["ngdDeviationFromDepth1"] = JsonReport.Number(Analysis.LargestDeviationFromDepthOne(results.Logistic, "NGD")),
                ["halfStepNgdDeviationFromDepth1"] = JsonReport.Number(Analysis.LargestDeviationFromDepthOne(results.LogisticHalfStep, "NGD")),
                ["gdDeviationFromDepth1"] = JsonReport.Number(Analysis.LargestDeviationFromDepthOne(results.Logistic, "GD")),
            },
            ["completion"] = new JsonObject
            {
                ["config"] = System.Text.Json.JsonSerializer.SerializeToNode(results.CompletionConfig, CompletionJsonContext.Default.CompletionConfig),
                ["truthSingularValues"] = JsonReport.Numbers(Dense.SingularValues(results.Completion.Truth, results.Completion.Size).Take(results.CompletionConfig.Rank)),
                ["runs"] = new JsonArray(results.CompletionRuns.Select(r => (JsonNode)new JsonObject
                {
                    ["method"] = r.Method,
                    ["depth"] = r.Depth,
                    ["steps"] = r.Steps,
                    ["seconds"] = JsonReport.Number(r.Seconds),
                    ["stop"] = r.Stop,
                    ["trainError"] = JsonReport.Number(r.TrainError),
                    ["testError"] = JsonReport.Number(r.TestError),
                    ["effectiveRank"] = JsonReport.Number(r.EffectiveRank),
                    ["singularValues"] = JsonReport.Numbers(r.SingularValues),
                    ["iterations"] = JsonReport.Numbers(r.Iterations.Select(k => (double)k)),
                    ["testErrors"] = JsonReport.Numbers(r.TestErrors),
                    ["trainErrors"] = JsonReport.Numbers(r.TrainErrors),
                }).ToArray()),
            },
        };
    }

    private static JsonArray LogisticRuns(IEnumerable<LogisticRun> runs) =>
        new(runs.Select(r => (JsonNode)new JsonObject
        {
            ["method"] = r.Method,
            ["depth"] = r.Depth,
            ["learningRate"] = r.LearningRate,
            ["iterations"] = r.Summary.Iterations,
            ["finalLoss"] = JsonReport.Number(r.Summary.FinalCost),
            ["finalW"] = JsonReport.Numbers(r.FinalW),
            ["sampledIterations"] = JsonReport.Numbers(r.Trajectory.Iterations.Select(k => (double)k)),
            ["times"] = JsonReport.Numbers(r.Trajectory.Times),
            ["cosinePseudoInverse"] = JsonReport.Numbers(r.Trajectory.CosinePseudoInverse),
            ["cosineMaxMargin"] = JsonReport.Numbers(r.Trajectory.CosineMaxMargin),
            ["outputs"] = new JsonArray(r.Trajectory.Outputs.Select(o => (JsonNode)JsonReport.Numbers(o)).ToArray()),
        }).ToArray());
}

/// <summary>Source-generated JSON metadata for the config record (no reflection, trimming-safe).</summary>
[System.Text.Json.Serialization.JsonSerializable(typeof(CompletionConfig))]
public sealed partial class CompletionJsonContext : System.Text.Json.Serialization.JsonSerializerContext;
