using System.Diagnostics;
using NGGen.Samples;
using NGGen.Samples.DualGaussNewton;

// Roulet & Blondel (2023), "Dual Gauss-Newton Directions for Deep Learning": primal GN-CG against dual GN
// directions over a sweep of batch × outputs against parameters, and dual directions inside SGD momentum and Adam.
var options = SampleOptions.Parse("DualGaussNewton", args, Console.Error);
if (options is null)
    return 2;
var config = options.Full ? ExperimentConfig.Full : ExperimentConfig.Default;
config.Validate();
var clock = Stopwatch.StartNew();

Console.WriteLine($"Dual Gauss-Newton directions (Roulet & Blondel 2023), {(options.Full ? "full" : "default")} run, seed {options.Seed}.");
Console.WriteLine($"1. Time per direction: tanh MLPs 8 → w → w → 10 (w = {string.Join(", ", config.Widths)}), batches {string.Join(", ", config.Batches)}");
Console.WriteLine($"   (cells with batch × p > {config.MaxWork:G3} skipped), squared and softmax cross-entropy losses. Both solve the");
Console.WriteLine($"   γ = {config.Gamma} subproblem by CG from zero for exactly {config.CgIterations} iterations; time = fastest of ≥ {config.TimingRepeats} alternating calls.");
Console.WriteLine($"   Then both CGs to relative residual {config.AgreementTolerance:G1} to compare the directions.");
var cells = DirectionSweep.Run(config, options.Seed, Console.Out);
var crossovers = Analysis.Crossovers(cells);
Console.WriteLine($"   ({clock.Elapsed.TotalSeconds:F0} s)");
Console.WriteLine();

var t = config.Training;
Console.WriteLine($"2. Training: {t.Samples} samples of a 10-class teacher, width-{t.Width} network, mini-batches of {t.MiniBatch}; dual GN runs do");
Console.WriteLine($"   {t.Iterations} iterations ({t.CgIterations} CG iterations, γ = {t.Gamma} per direction), gradient runs get the same training time.");
var training = Training.Run(t, options.Seed, Console.Out);
Console.WriteLine($"   ({clock.Elapsed.TotalSeconds:F0} s)");
Console.WriteLine();

Console.WriteLine("Time per direction (ratio = primal / dual; cos(∇L, v) of the truncated dual direction; ‖Δv‖/‖v‖ and CG iterations of the converged pair):");
Report.TimingTable(cells).Write(Console.Out);
Console.WriteLine();
Console.WriteLine("Crossover along each network's batch sweep:");
Report.CrossoverTable(crossovers).Write(Console.Out);
Console.WriteLine();
Console.WriteLine("Training (full-data cross-entropy; evaluation time not counted):");
Report.TrainingTable(training, t.Iterations).Write(Console.Out);
Console.WriteLine();
var claims = Report.Claims(config, cells, crossovers, training);
claims.Write(Console.Out);
Console.WriteLine();

foreach (string path in Report.Plots(options, cells, training, t.Iterations))
    Console.WriteLine($"Plot: {path}");
if (options.JsonPath is { } json)
{
    JsonReport.Write(json, Report.Json(config, options.Seed, cells, crossovers, training, claims));
    Console.WriteLine($"JSON: {json}");
}
Console.WriteLine($"Total {clock.Elapsed.TotalSeconds:F0} s.");
return 0;
