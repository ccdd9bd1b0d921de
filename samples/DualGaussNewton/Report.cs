using System.Text.Json.Nodes;

namespace NGGen.Samples.DualGaussNewton;

/// <summary>Tables, claims, plots and JSON of a run.</summary>
public static class Report
{
    /// <summary>The sweep table: one row per cell.</summary>
    public static TextTable TimingTable(IReadOnlyList<TimingCell> cells)
    {
        var table = new TextTable("loss", "p", "batch", "m", "m/p", "primal ms", "dual ms", "ratio", "ratio (median)", "cos(∇L, v)", "‖Δv‖/‖v‖", "CG its p/d");
        foreach (var c in cells)
            table.AddRow(DirectionSweep.Describe(c.Loss), c.Parameters.ToString(), c.Batch.ToString(), c.Outputs.ToString(), TextTable.Sci(c.OutputsPerParameter),
                TextTable.Fixed(c.PrimalSeconds * 1e3, 3), TextTable.Fixed(c.DualSeconds * 1e3, 3), TextTable.Fixed(c.Ratio), TextTable.Fixed(c.MedianRatio),
                TextTable.Fixed(c.TruncatedDualSlope, 3), TextTable.Sci(c.RelativeDifference), $"{c.PrimalIterations}/{c.DualIterations}");
        return table;
    }

    /// <summary>The crossover table.</summary>
    public static TextTable CrossoverTable(IReadOnlyList<Crossover> crossovers)
    {
        var table = new TextTable("loss", "p", "primal/dual = 1 at");
        foreach (var c in crossovers)
            table.AddRow(DirectionSweep.Describe(c.Loss), c.Parameters.ToString(), c.Description);
        return table;
    }

    /// <summary>The training table: per method, the best run at the dual runs' iteration count and at the time budget.</summary>
    public static TextTable TrainingTable(TrainingResult result, int iterations)
    {
        var table = new TextTable("method", "best rate @ iters", $"loss @ {iterations} iters", "best rate @ time", "training s", "loss @ time", "iterations in time");
        foreach (string method in TrainingResult.Methods)
        {
            var perIteration = result.BestAtIteration(method, iterations);
            var perTime = result.BestFinal(method);
            table.AddRow(method, perIteration.LearningRate.ToString("G3"), TextTable.Fixed(perIteration.LossAtIteration(iterations), 4),
                perTime.LearningRate.ToString("G3"), TextTable.Fixed(perTime.TotalSeconds), TextTable.Fixed(perTime.FinalLoss, 4), perTime.Iterations[^1].ToString());
        }
        return table;
    }

    /// <summary>The paper's claims against this run's figures.</summary>
    public static ClaimTable Claims(ExperimentConfig config, IReadOnlyList<TimingCell> cells, IReadOnlyList<Crossover> crossovers, TrainingResult training)
    {
        var claims = new ClaimTable();

        // (a) Dual faster where m ≪ p.
        var small = cells.Where(c => c.OutputsPerParameter <= 0.1).ToArray();
        double smallMean = Analysis.GeometricMeanRatio(small);
        int smallFaster = small.Count(c => c.Ratio > 1);
        claims.Add($"(a) With the same {config.CgIterations} CG iterations, the dual direction is cheaper than the primal when m = batch×outputs ≪ p (cells with m/p ≤ 0.1)",
            $"primal/dual time: geometric mean {smallMean:F2} over {small.Length} cells, dual faster in {smallFaster}; range {small.Min(c => c.Ratio):F2}–{small.Max(c => c.Ratio):F2}",
            small.Length > 0 && smallMean > 1.05 && smallFaster >= 0.75 * small.Length);

        // (a) Cost scales with m rather than p.
        var primalFit = Analysis.Fit(cells, c => c.PrimalSeconds);
        var dualFit = Analysis.Fit(cells, c => c.DualSeconds);
        claims.Add("(a) The dual direction's cost scales with m rather than with p (fit t ≈ c·m^a·p^b; held if the dual's b is below half the primal's)",
            $"dual a = {dualFit.OutputExponent:F2}, b = {dualFit.ParameterExponent:F2}; primal a = {primalFit.OutputExponent:F2}, b = {primalFit.ParameterExponent:F2}",
            dualFit.ParameterExponent < 0.5 * primalFit.ParameterExponent);

        // (a) Crossover where m and p are comparable.
        var crossing = crossovers.Where(c => double.IsFinite(c.OutputsPerParameter)).Select(c => c.OutputsPerParameter).Order().ToArray();
        double medianCrossing = crossing.Length == 0 ? double.NaN : DirectionSweep.Median(crossing);
        claims.Add("(a) The crossover (primal as fast as dual) lies where m and p are comparable (median crossing m/p within 0.1–10)",
            crossing.Length == 0 ? "the ratio never crosses 1 along any network's batch sweep"
                : $"{crossing.Length} of {crossovers.Count} sweeps cross; median crossing m/p = {medianCrossing:G2} (range {crossing[0]:G2}–{crossing[^1]:G2})",
            crossing.Length > 0 && medianCrossing >= 0.1 && medianCrossing <= 10);

        // (b) Same direction.
        double worst = cells.Max(c => c.RelativeDifference);
        claims.Add($"(b) Primal and dual compute the same regularised GN direction (both CGs to relative residual {config.AgreementTolerance:G1}; held if ‖Δv‖/‖v‖ < 1e-6)",
            $"largest ‖v_primal − v_dual‖/‖v_dual‖ over {cells.Count} cells: {worst:E1}", worst < 1e-6);

        // Descent after any number of CG steps (the paper's theorem), at the fixed iteration count.
        double worstSlope = cells.Max(c => c.TruncatedDualSlope);
        claims.Add($"The dual CG direction is a descent direction after any number of steps (checked after {config.CgIterations}, no safeguard)",
            $"largest cos(∇L, v) over {cells.Count} cells: {worstSlope:F3}", worstSlope < 0);

        // (c) Per iteration and per wall time.
        int n = config.Training.Iterations;
        string Figures(string rule, Func<string, double> loss) => $"{rule}: {loss(rule + " + dual GN"):F4} (dual GN) vs {loss(rule):F4} (−∇L)";
        double AtIterations(string method) => training.BestAtIteration(method, n).LossAtIteration(n);
        double AtTime(string method) => training.BestFinal(method).FinalLoss;
        bool iterationHeld = AtIterations("SGD momentum + dual GN") < AtIterations("SGD momentum") && AtIterations("Adam + dual GN") < AtIterations("Adam");
        claims.Add($"(c) Dual GN directions inside SGD momentum and Adam reach a lower training loss than the gradient versions after the same {n} iterations",
            Figures("SGD momentum", AtIterations) + "; " + Figures("Adam", AtIterations), iterationHeld);
        bool timeHeld = AtTime("SGD momentum + dual GN") < AtTime("SGD momentum") && AtTime("Adam + dual GN") < AtTime("Adam");
        claims.Add("(c) … and in the same training time (each gradient version gets the time of the best dual run of its rule, and does more iterations)",
            Figures("SGD momentum", AtTime) + "; " + Figures("Adam", AtTime), timeHeld);
        return claims;
    }

    /// <summary>Writes the timing and training plots; returns their paths.</summary>
    public static IReadOnlyList<string> Plots(SampleOptions options, IReadOnlyList<TimingCell> cells, TrainingResult training, int iterations)
    {
        string[] palette = ["#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f"];
        var panels = new List<LinePlot>();
        foreach (var loss in new[] { LossKind.Squared, LossKind.SoftmaxCrossEntropy })
        {
            var time = new LinePlot($"Time per direction, {DirectionSweep.Describe(loss)} loss (solid primal, dashed dual)", "m = batch × outputs", "seconds")
            { XScale = AxisScale.Log, YScale = AxisScale.Log, XMin = 10, XMax = 1e5 };
            var ratio = new LinePlot($"Primal / dual time, {DirectionSweep.Describe(loss)} loss (> 1: dual faster)", "m / p", "time ratio")
            { XScale = AxisScale.Log, YScale = AxisScale.Log, XMin = 1e-3, XMax = 1e2, YMin = 0.3, YMax = 10 };
            int k = 0;
            foreach (var group in cells.Where(c => c.Loss == loss).GroupBy(c => c.Parameters).OrderBy(g => g.Key))
            {
                var sweep = group.OrderBy(c => c.Outputs).ToArray();
                var m = sweep.Select(c => (double)c.Outputs).ToArray();
                string color = palette[k++ % palette.Length];
                time.Add(new PlotSeries($"p = {group.Key}", m, sweep.Select(c => c.PrimalSeconds).ToArray(), SeriesStyle.LineAndMarkers, false, color));
                time.Add(new PlotSeries($"p = {group.Key}, dual", m, sweep.Select(c => c.DualSeconds).ToArray(), SeriesStyle.LineAndMarkers, true, color));
                ratio.Add(new PlotSeries($"p = {group.Key}", sweep.Select(c => c.OutputsPerParameter).ToArray(), sweep.Select(c => c.Ratio).ToArray(), SeriesStyle.LineAndMarkers, false, color));
            }
            var xs = cells.Select(c => c.OutputsPerParameter).ToArray();
            ratio.Add(new PlotSeries("equal cost", [xs.Min(), xs.Max()], [1, 1], SeriesStyle.Line, true, "#555555"));
            panels.Add(time);
            panels.Add(ratio);
        }
        string timing = options.PlotPath("DualGaussNewton_timing.svg");
        PlotGrid.Save(timing, panels, 2, $"Primal GN-CG vs dual GN, {cells.Count / 2} networks×batches per loss, same CG iterations");

        var byIteration = new LinePlot("Training loss per iteration (best rate at that iteration)", "iteration", "full-data cross-entropy")
        { YScale = AxisScale.Log, XMax = iterations };
        var byTime = new LinePlot("Training loss per training time (best rate in the budget)", "seconds", "full-data cross-entropy")
        { YScale = AxisScale.Log };
        foreach (string method in TrainingResult.Methods)
        {
            bool dual = method.EndsWith("dual GN", StringComparison.Ordinal);
            var perIteration = training.BestAtIteration(method, iterations);
            var keep = perIteration.Iterations.Select((it, i) => (it, i)).Where(t => t.it <= iterations).Select(t => t.i).ToArray();
            byIteration.Add(new PlotSeries($"{method} ({perIteration.LearningRate:G3})", keep.Select(i => (double)perIteration.Iterations[i]).ToArray(),
                keep.Select(i => perIteration.Loss[i]).ToArray(), SeriesStyle.Line, !dual));
            var perTime = training.BestFinal(method);
            byTime.Add(new PlotSeries($"{method} ({perTime.LearningRate:G3})", perTime.Seconds, perTime.Loss, SeriesStyle.Line, !dual));
        }
        string trainingPath = options.PlotPath("DualGaussNewton_training.svg");
        PlotGrid.Save(trainingPath, [byIteration, byTime], 2,
            $"10-class softmax, p = {training.Parameters}, mini-batches of m = {training.Outputs} outputs (dashed: −∇L, solid: dual GN)");
        return [timing, trainingPath];
    }

    /// <summary>Every figure of the run as JSON.</summary>
    public static JsonObject Json(ExperimentConfig config, int seed, IReadOnlyList<TimingCell> cells, IReadOnlyList<Crossover> crossovers, TrainingResult training, ClaimTable claims)
    {
        var cellNodes = new JsonArray();
        foreach (var c in cells)
            cellNodes.Add(new JsonObject
            {
                ["loss"] = DirectionSweep.Describe(c.Loss),
                ["width"] = c.Width,
                ["parameters"] = c.Parameters,
                ["batch"] = c.Batch,
                ["outputs"] = c.Outputs,
                ["primalSeconds"] = JsonReport.Number(c.PrimalSeconds),
                ["dualSeconds"] = JsonReport.Number(c.DualSeconds),
                ["primalMedianSeconds"] = JsonReport.Number(c.PrimalMedianSeconds),
                ["dualMedianSeconds"] = JsonReport.Number(c.DualMedianSeconds),
                ["repeats"] = c.Repeats,
                ["ratio"] = JsonReport.Number(c.Ratio),
                ["medianRatio"] = JsonReport.Number(c.MedianRatio),
                ["truncatedDualCosine"] = JsonReport.Number(c.TruncatedDualSlope),
                ["relativeDifference"] = JsonReport.Number(c.RelativeDifference),
                ["primalIterations"] = c.PrimalIterations,
                ["dualIterations"] = c.DualIterations,
            });
        var crossoverNodes = new JsonArray();
        foreach (var c in crossovers)
            crossoverNodes.Add(new JsonObject
            {
                ["loss"] = DirectionSweep.Describe(c.Loss),
                ["parameters"] = c.Parameters,
                ["outputsPerParameter"] = JsonReport.Number(c.OutputsPerParameter),
                ["description"] = c.Description,
            });
        var runs = new JsonArray();
        foreach (var r in training.Runs)
            runs.Add(new JsonObject
            {
                ["method"] = r.Method,
                ["learningRate"] = r.LearningRate,
                ["iterations"] = JsonReport.Numbers(r.Iterations.Select(i => (double)i)),
                ["seconds"] = JsonReport.Numbers(r.Seconds),
                ["loss"] = JsonReport.Numbers(r.Loss),
            });
        return new JsonObject
        {
            ["sample"] = "DualGaussNewton",
            ["seed"] = seed,
            ["cgIterations"] = config.CgIterations,
            ["gamma"] = config.Gamma,
            ["cells"] = cellNodes,
            ["crossovers"] = crossoverNodes,
            ["training"] = new JsonObject
            {
                ["parameters"] = training.Parameters,
                ["miniBatchOutputs"] = training.Outputs,
                ["iterations"] = config.Training.Iterations,
                ["budgetSeconds"] = JsonReport.Number(training.BudgetSeconds),
                ["runs"] = runs,
            },
            ["claims"] = claims.ToJson(),
        };
    }
}
