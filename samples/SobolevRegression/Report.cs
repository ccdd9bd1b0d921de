using System.Text.Json.Nodes;

namespace NGGen.Samples.SobolevRegression;

/// <summary>Tables, claims, plots and JSON of one run of the experiment.</summary>
public static class Report
{
    /// <summary>A test MSE every method could reach: the wall time to reach it is the "trains faster" figure.</summary>
    public const double TimeToTargetMse = 1e-3;

    /// <summary>The regression table: one row per run.</summary>
    public static TextTable RegressionTable(RegressionResult result)
    {
        var table = new TextTable("method", "iterations", "time (s)", "train MSE", "test MSE", "f' rel. L2 error", "stopped");
        foreach (var run in result.Runs)
        {
            var m = run.Final.Metrics;
            table.AddRow(run.Method, run.Final.Iteration.ToString(), TextTable.Fixed(run.Final.Seconds), TextTable.Sci(m.TrainMse),
                TextTable.Sci(m.TestMse), TextTable.Sci(m.DerivativeError), run.Termination);
        }
        return table;
    }

    /// <summary>The classification table: one row per run.</summary>
    public static TextTable ClassificationTable(ClassificationResult result)
    {
        var table = new TextTable("method", "iterations", "time (s)", "train loss", "test loss", "train acc.", "test acc.", "stopped");
        foreach (var run in result.Runs)
        {
            var m = run.Final.Metrics;
            table.AddRow(run.Method, run.Final.Iteration.ToString(), TextTable.Fixed(run.Final.Seconds), TextTable.Sci(m.TrainLoss),
                TextTable.Sci(m.TestLoss), TextTable.Fixed(100 * m.TrainAccuracy, 1) + " %", TextTable.Fixed(100 * m.TestAccuracy, 1) + " %", run.Termination);
        }
        table.AddRow("Kernel-form NG", "—", "—", "—", "—", "—", "—", "not run (squared loss only)");
        return table;
    }

    /// <summary>Wall time until the test MSE first fell to <paramref name="target"/> (∞ if never).</summary>
    public static double TimeToTestMse(MethodRun<RegressionMetrics> run, double target) =>
        run.Trace.FirstOrDefault(t => t.Metrics.TestMse <= target)?.Seconds ?? double.PositiveInfinity;

    /// <summary>The paper's claims, tested on these runs.</summary>
    public static ClaimTable Claims(RegressionResult regression, ClassificationResult classification)
    {
        var claims = new ClaimTable();
        MethodRun<RegressionMetrics> R(string prefix) => regression.Runs.Single(r => r.Method.StartsWith(prefix, StringComparison.Ordinal));
        var fisher = R("NG Fisher");
        var derivative = Enumerable.Range(0, 3).Select(s => R($"Sobolev NG derivative s={s}")).ToArray();
        var kernelL2 = R("Kernel NG M=I");
        var kernel = Enumerable.Range(0, 3).Select(s => R($"Sobolev NG kernel Matérn s={s}")).ToArray();
        var adam = R("Adam");
        var sgd = R("SGD");
        static string Sci(double v) => TextTable.Sci(v);
        static double Test(MethodRun<RegressionMetrics> r) => r.Final.Metrics.TestMse;
        static double Slope(MethodRun<RegressionMetrics> r) => r.Final.Metrics.DerivativeError;

        var sobolev = derivative.Skip(1).MinBy(Test)!;
        var l2 = new[] { fisher, derivative[0] }.MinBy(Test)!;
        claims.Add("Derivative-form Sobolev NG (s = 1 or 2) reaches a lower regression test MSE than the L² NG (Fisher, or s = 0) in the same iterations",
            $"best s≥1 {Sci(Test(sobolev))} ({sobolev.Method[^3..]}) vs best L² {Sci(Test(l2))}", Test(sobolev) < Test(l2));

        var sobolevSlope = derivative.Skip(1).MinBy(Slope)!;
        var l2Slope = new[] { fisher, derivative[0] }.MinBy(Slope)!;
        claims.Add("Sobolev NG (s ≥ 1) fits the derivative f' better than the L² NG",
            $"f' error: best s≥1 {Sci(Slope(sobolevSlope))} vs best L² {Sci(Slope(l2Slope))}; s=2 {Sci(Slope(derivative[2]))}",
            Slope(sobolevSlope) < Slope(l2Slope));

        var bestKernel = kernel.MinBy(Test)!;
        claims.Add("Kernel-form Sobolev NG (Matérn kernels) reaches a lower test MSE than the kernel-form L² NG (M = I) in the same iterations",
            $"Matérn s=0,1,2: {string.Join(", ", kernel.Select(k => Sci(Test(k))))} vs M=I {Sci(Test(kernelL2))}", Test(bestKernel) < Test(kernelL2));

        var bestSobolev = derivative.Skip(1).Concat(kernel).MinBy(Test)!;
        claims.Add("Sobolev NG reaches a lower regression test MSE than Adam and SGD",
            $"{Sci(Test(bestSobolev))} ({bestSobolev.Method}) vs Adam {Sci(Test(adam))}, SGD {Sci(Test(sgd))}",
            Test(bestSobolev) < Math.Min(Test(adam), Test(sgd)));

        double sobolevTime = derivative.Skip(1).Concat(kernel).Min(r => TimeToTestMse(r, TimeToTargetMse));
        double adamTime = TimeToTestMse(adam, TimeToTargetMse), sgdTime = TimeToTestMse(sgd, TimeToTargetMse);
        static string Seconds(double t) => double.IsFinite(t) ? $"{t:F2} s" : "never";
        claims.Add($"Sobolev NG trains faster in wall time than Adam and SGD (time to test MSE ≤ {TimeToTargetMse:0e0})",
            $"best Sobolev {Seconds(sobolevTime)} vs Adam {Seconds(adamTime)}, SGD {Seconds(sgdTime)} (kernel M=I {Seconds(TimeToTestMse(kernelL2, TimeToTargetMse))})",
            sobolevTime < Math.Min(adamTime, sgdTime));

        MethodRun<ClassificationMetrics> C(string prefix) => classification.Runs.Single(r => r.Method.StartsWith(prefix, StringComparison.Ordinal));
        var cFisher = C("NG Fisher");
        var cDerivative = Enumerable.Range(0, 3).Select(s => C($"Sobolev NG derivative s={s}")).ToArray();
        var cAdam = C("Adam");
        var cSgd = C("SGD");
        static double Loss(MethodRun<ClassificationMetrics> r) => r.Final.Metrics.TestLoss;
        static double Accuracy(MethodRun<ClassificationMetrics> r) => r.Final.Metrics.TestAccuracy;
        var cSobolev = cDerivative.Skip(1).MinBy(Loss)!;
        claims.Add("Two moons: Sobolev NG (s ≥ 1) reaches a lower test loss than the Fisher NG and the L² (s = 0) metric",
            $"best s≥1 {Sci(Loss(cSobolev))} vs Fisher {Sci(Loss(cFisher))}, s=0 {Sci(Loss(cDerivative[0]))}",
            Loss(cSobolev) < Math.Min(Loss(cFisher), Loss(cDerivative[0])));
        // Adam and the Fisher NG overfit late: their best test loss along the way is the early-stopping figure.
        static double BestLoss(MethodRun<ClassificationMetrics> r) => r.Trace.Min(t => t.Metrics.TestLoss);
        double sobolevBest = cDerivative.Skip(1).Min(BestLoss);
        var othersBest = new[] { cFisher, cDerivative[0], cAdam, cSgd };
        claims.Add("Two moons: Sobolev NG (s ≥ 1) reaches a lower test loss than every other method even with early stopping (best point of each trace)",
            $"best s≥1 {Sci(sobolevBest)} vs Fisher {Sci(BestLoss(cFisher))}, s=0 {Sci(BestLoss(cDerivative[0]))}, Adam {Sci(BestLoss(cAdam))}, SGD {Sci(BestLoss(cSgd))}",
            sobolevBest < othersBest.Min(BestLoss));
        double sobolevAccuracy = cDerivative.Skip(1).Max(Accuracy);
        double others = new[] { cFisher, cDerivative[0], cAdam, cSgd }.Max(Accuracy);
        claims.Add("Two moons: Sobolev NG (s ≥ 1) reaches a higher test accuracy than the L² NG, Adam and SGD",
            $"best s≥1 {100 * sobolevAccuracy:F1} % vs best other {100 * others:F1} % (Fisher {100 * Accuracy(cFisher):F1}, Adam {100 * Accuracy(cAdam):F1}, SGD {100 * Accuracy(cSgd):F1})",
            sobolevAccuracy > others);
        return claims;
    }

    /// <summary>Writes the plots; returns their paths.</summary>
    public static IReadOnlyList<string> WritePlots(SampleOptions options, RegressionResult regression, ClassificationResult classification)
    {
        var paths = new List<string>();
        // Iteration 0 and time 0 cannot sit on log axes; the plots start at the first step.
        static PlotSeries Curve<T>(MethodRun<T> run, Func<TracePoint<T>, double> x, Func<T, double> y, bool dashed = false)
        {
            var points = run.Trace.Where(t => t.Iteration > 0 && x(t) > 0).ToArray();
            return new PlotSeries(run.Method, points.Select(x).ToArray(), points.Select(t => y(t.Metrics)).ToArray(), SeriesStyle.Line, dashed);
        }
        static bool IsKernel(string method) => method.Contains("Kernel", StringComparison.OrdinalIgnoreCase) || method.Contains("kernel", StringComparison.Ordinal);

        // The lower y bounds leave the bottom-left corner free for the legend.
        LinePlot Trace(string title, string xLabel, string yLabel, Func<TracePoint<RegressionMetrics>, double> x, Func<RegressionMetrics, double> y, bool kernelForm, double yMin)
        {
            var plot = new LinePlot(title, xLabel, yLabel) { XScale = AxisScale.Log, YScale = AxisScale.Log, LegendBottomLeft = true, YMin = yMin };
            foreach (var run in regression.Runs.Where(r => IsKernel(r.Method) == kernelForm || r.Method.StartsWith("Adam", StringComparison.Ordinal)))
                plot.Add(Curve(run, x, y, dashed: run.Method.StartsWith("Adam", StringComparison.Ordinal)));
            return plot;
        }
        var derivativeForm = new[]
        {
            Trace("Regression, derivative form: test MSE", "iteration", "test MSE", t => t.Iteration, m => m.TestMse, false, 1e-8),
            Trace("Regression, derivative form: test MSE", "wall time (s)", "test MSE", t => t.Seconds, m => m.TestMse, false, 1e-8),
            Trace("Regression, derivative form: train MSE", "iteration", "train MSE", t => t.Iteration, m => m.TrainMse, false, 1e-9),
            Trace("Regression, derivative form: f' error", "wall time (s)", "relative L2 error of f'", t => t.Seconds, m => m.DerivativeError, false, 1e-4),
        };
        paths.Add(Save("SobolevRegression_derivative_form.svg", derivativeForm, "Sobolev NG, derivative form (s = 0, 1, 2) vs Fisher NG, Adam, SGD"));
        var kernelForm = new[]
        {
            Trace("Regression, kernel form: test MSE", "iteration", "test MSE", t => t.Iteration, m => m.TestMse, true, 1e-8),
            Trace("Regression, kernel form: test MSE", "wall time (s)", "test MSE", t => t.Seconds, m => m.TestMse, true, 1e-8),
            Trace("Regression, kernel form: train MSE", "iteration", "train MSE", t => t.Iteration, m => m.TrainMse, true, 1e-9),
            Trace("Regression, kernel form: f' error", "wall time (s)", "relative L2 error of f'", t => t.Seconds, m => m.DerivativeError, true, 1e-4),
        };
        paths.Add(Save("SobolevRegression_kernel_form.svg", kernelForm, "Sobolev NG, kernel form (Matérn s = 0, 1, 2) vs M = I, Adam"));

        // The learned function and derivative of a few runs against the truth.
        string[] shown = ["NG Fisher", "Sobolev NG derivative s=1", "Sobolev NG derivative s=2", "Sobolev NG kernel Matérn s=1", "Adam"];
        var grid = regression.Grid;
        var fit = new LinePlot("Learned f vs truth", "x", "f(x)") { YMin = -6, YMax = 2.5, LegendBottomLeft = true };
        var slope = new LinePlot("Learned f' vs truth", "x", "f'(x)") { YMin = -30, YMax = 15, LegendBottomLeft = true };
        fit.Add("truth", grid, grid.Select(Target.Value).ToArray());
        fit.Add("training points", regression.Train.Inputs, regression.Train.Targets, SeriesStyle.Markers);
        slope.Add("truth", grid, grid.Select(Target.Derivative).ToArray());
        var fitError = new LinePlot("|f_θ − f| on the test grid", "x", "absolute error") { YScale = AxisScale.Log, YMin = 1e-9, YMax = 1, LegendBottomLeft = true };
        var slopeError = new LinePlot("|f'_θ − f'| on the test grid", "x", "absolute error") { YScale = AxisScale.Log, YMin = 1e-8, YMax = 10, LegendBottomLeft = true };
        for (int r = 0; r < regression.Runs.Count; r++)
        {
            var run = regression.Runs[r];
            if (!shown.Any(s => run.Method.StartsWith(s, StringComparison.Ordinal)))
                continue;
            var (value, derivative) = regression.Curves[r];
            fit.Add(run.Method, grid, value, dashed: true);
            slope.Add(run.Method, grid, derivative, dashed: true);
            fitError.Add(run.Method, grid, value.Select((v, i) => Math.Abs(v - Target.Value(grid[i]))).ToArray());
            slopeError.Add(run.Method, grid, derivative.Select((v, i) => Math.Abs(v - Target.Derivative(grid[i]))).ToArray());
        }
        paths.Add(Save("SobolevRegression_fit.svg", [fit, slope, fitError, slopeError], "Learned function and derivative, f(x) = sin(2πx) + tanh(15(x − 0.3))"));

        LinePlot ClassTrace(string title, string xLabel, string yLabel, Func<TracePoint<ClassificationMetrics>, double> x, Func<ClassificationMetrics, double> y, double yMin)
        {
            var plot = new LinePlot(title, xLabel, yLabel) { XScale = AxisScale.Log, YScale = AxisScale.Log, LegendBottomLeft = true, YMin = yMin };
            foreach (var run in classification.Runs)
                plot.Add(Curve(run, x, y));
            return plot;
        }
        var classPlots = new[]
        {
            ClassTrace("Two moons: train loss", "iteration", "mean cross-entropy", t => t.Iteration, m => m.TrainLoss, 1e-5),
            ClassTrace("Two moons: test loss", "wall time (s)", "mean cross-entropy", t => t.Seconds, m => m.TestLoss, 1e-2),
            ClassTrace("Two moons: test loss", "iteration", "mean cross-entropy", t => t.Iteration, m => m.TestLoss, 1e-2),
            ClassTrace("Two moons: test error rate", "wall time (s)", "1 − test accuracy", t => t.Seconds, m => 1 - m.TestAccuracy, 1e-3),
        };
        paths.Add(Save("SobolevRegression_classification.svg", classPlots, "Two moons (logistic loss): Sobolev NG (s = 0, 1, 2) vs Fisher NG, Adam, SGD"));
        return paths;

        string Save(string file, IReadOnlyList<LinePlot> plots, string title)
        {
            string path = options.PlotPath(file);
            PlotGrid.Save(path, plots, 2, title);
            return path;
        }
    }

    /// <summary>All figures as JSON: configuration, tables, claims and every trace.</summary>
    public static JsonObject ToJson(ExperimentConfig config, RegressionResult regression, ClassificationResult classification, ClaimTable claims, double seconds)
    {
        static JsonArray Traces<T>(IEnumerable<MethodRun<T>> runs, Func<T, JsonObject> metrics) =>
            new(runs.Select(run => (JsonNode)new JsonObject
            {
                ["method"] = run.Method,
                ["stopped"] = run.Termination,
                ["iteration"] = JsonReport.Numbers(run.Trace.Select(t => (double)t.Iteration)),
                ["seconds"] = JsonReport.Numbers(run.Trace.Select(t => t.Seconds)),
                ["metrics"] = new JsonArray(run.Trace.Select(t => (JsonNode)metrics(t.Metrics)).ToArray()),
                ["final"] = metrics(run.Final.Metrics),
            }).ToArray());
        return new JsonObject
        {
            ["sample"] = "SobolevRegression",
            ["seed"] = config.Seed,
            ["wallSeconds"] = JsonReport.Number(seconds),
            ["regression"] = new JsonObject
            {
                ["config"] = System.Text.Json.JsonSerializer.SerializeToNode(config.Regression, ConfigJson.Default.RegressionConfig),
                ["runs"] = Traces(regression.Runs, m => new JsonObject
                {
                    ["trainMse"] = JsonReport.Number(m.TrainMse), ["testMse"] = JsonReport.Number(m.TestMse), ["derivativeError"] = JsonReport.Number(m.DerivativeError),
                }),
                ["grid"] = JsonReport.Numbers(regression.Grid),
                ["curves"] = new JsonArray(regression.Curves.Select((c, i) => (JsonNode)new JsonObject
                {
                    ["method"] = regression.Runs[i].Method, ["value"] = JsonReport.Numbers(c.Value), ["derivative"] = JsonReport.Numbers(c.Derivative),
                }).ToArray()),
            },
            ["classification"] = new JsonObject
            {
                ["config"] = System.Text.Json.JsonSerializer.SerializeToNode(config.Classification, ConfigJson.Default.ClassificationConfig),
                ["runs"] = Traces(classification.Runs, m => new JsonObject
                {
                    ["trainLoss"] = JsonReport.Number(m.TrainLoss), ["testLoss"] = JsonReport.Number(m.TestLoss),
                    ["trainAccuracy"] = JsonReport.Number(m.TrainAccuracy), ["testAccuracy"] = JsonReport.Number(m.TestAccuracy),
                }),
            },
            ["claims"] = claims.ToJson(),
        };
    }
}

/// <summary>Source-generated JSON for the configuration records.</summary>
[System.Text.Json.Serialization.JsonSerializable(typeof(RegressionConfig))]
[System.Text.Json.Serialization.JsonSerializable(typeof(ClassificationConfig))]
internal sealed partial class ConfigJson : System.Text.Json.Serialization.JsonSerializerContext;
