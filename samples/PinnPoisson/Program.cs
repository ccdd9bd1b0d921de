using System.Diagnostics;
using NGGen.Samples;
using NGGen.Samples.PinnPoisson;

// Müller and Zeinhofer (2023), "Achieving High Accuracy with PINNs via Energy Natural Gradients": energy natural
// gradient against Adam, gradient descent and L-BFGS on 2D Poisson, the 1D heat equation and 5D Poisson.
// Usage: dotnet run -c Release --project samples/PinnPoisson [-- --full] [--json PATH] [--plots DIR] [--seed N]
var options = SampleOptions.Parse("PinnPoisson", args, Console.Error);
if (options is null)
    return 2;
var config = options.Full ? PinnConfig.Full : PinnConfig.Default;
var clock = Stopwatch.StartNew();
Console.WriteLine($"PinnPoisson ({(options.Full ? "full" : "default")} run, seed {options.Seed}): per problem, energy natural gradient (ENGD) runs a fixed");
Console.WriteLine("number of iterations (or until its time cap) next to Adam, which stops when ENGD does; then gradient descent and L-BFGS");
Console.WriteLine("each get ENGD's wall time. Errors are relative L2 errors against the exact solution on a test set.");
Console.WriteLine();
// Solvers run side by side one core each: NGGen's kernels must not take a second core (with two kernel threads, the
// problems' larger blocks would be split into one shard per core).
if (config.Concurrency >= 2)
    NGGen.Kernels.KernelThreads.ThreadCount = 1;
var results = PinnExperiment.RunAll(config, options.Seed, Console.Out);

Console.WriteLine();
PinnReport.ResultsTable(results).Write(Console.Out);
Console.WriteLine();
var claims = PinnReport.Claims(results);
claims.Write(Console.Out);
Console.WriteLine();

string plotPath = options.PlotPath("PinnPoisson.svg");
PlotGrid.Save(plotPath, PinnReport.Plots(results), columns: 2, title: "Relative L2 error: energy natural gradient against Adam, GD and L-BFGS");
Console.WriteLine($"Plot written to {plotPath}");
if (options.JsonPath is { } json)
{
    JsonReport.Write(json, PinnReport.ToJson(config, options.Seed, results, claims, clock.Elapsed.TotalSeconds));
    Console.WriteLine($"Figures written to {json}");
}
Console.WriteLine($"Total wall time {clock.Elapsed.TotalSeconds:F0} s.");
return 0;
