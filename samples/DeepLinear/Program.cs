using System.Diagnostics;
using NGGen.Samples;
using NGGen.Samples.DeepLinear;

// Kerekes, Mészáros and Huszár (2021), "Depth Without the Magic: Inductive Bias of Natural Gradient Descent":
// NGD against GD on deep linear networks (separable logistic regression) and deep matrix factorisations (completion).
// Usage: dotnet run -c Release --project samples/DeepLinear [-- --full] [--json PATH] [--plots DIR] [--seed N]
var options = SampleOptions.Parse("DeepLinear", args, Console.Error);
if (options is null)
    return 2;
var clock = Stopwatch.StartNew();
var results = Experiment.Run(options.Full ? LogisticConfig.Full : LogisticConfig.Default,
    options.Full ? CompletionConfig.Full : CompletionConfig.Default, options.Seed, Console.Out);

Console.WriteLine();
Console.WriteLine("Separable logistic regression (w = end-to-end weights; outputs vs depth 1 = max |f_L − f_1| / max |f_1| along the run):");
Report.LogisticTable(results).Write(Console.Out);
Console.WriteLine();
Console.WriteLine("Deep matrix completion (errors are relative RMSE; effective rank = Roy-Vetterli entropy rank of the singular values):");
Report.CompletionTable(results).Write(Console.Out);
Console.WriteLine();
var claims = Report.Claims(results);
claims.Write(Console.Out);
Console.WriteLine();
Console.WriteLine("NGD uses the Fisher of the whole matrix (the parameterisation-invariant metric); 'NGD (observed Fisher)' uses the loss's");
Console.WriteLine("Gauss-Newton matrix on the observed entries only, which is not invariant for held-out entries: see samples/DeepLinear/README.md.");

var plots = Report.Plots(results, options);
Console.WriteLine();
Console.WriteLine($"Plots: {string.Join(", ", plots)}");
Console.WriteLine($"Wall time {clock.Elapsed.TotalSeconds:F1} s.");
if (options.JsonPath is not null)
{
    JsonReport.Write(options.JsonPath, Report.Json(results, claims, clock.Elapsed.TotalSeconds));
    Console.WriteLine($"Figures written to {options.JsonPath}");
}
return 0;
