using System.Diagnostics;
using NGGen.Samples;
using NGGen.Samples.SobolevRegression;

// Bai, Rosenberg and Xu (2022): the Sobolev natural gradient against the L² natural gradient, Adam and SGD.
var options = SampleOptions.Parse("SobolevRegression", args, Console.Error);
if (options is null)
    return 2;
var config = options.Full ? ExperimentConfig.Full(options.Seed) : ExperimentConfig.Default(options.Seed);
var clock = Stopwatch.StartNew();

Console.WriteLine($"SobolevRegression ({(options.Full ? "full" : "default")} run, seed {options.Seed})");
Console.WriteLine($"Regression of f(x) = sin(2πx) + tanh(15(x − 0.3)) with a 1-32-1 tanh network ({RegressionNet.ParameterCount} parameters), " +
    $"{config.Regression.TrainPoints} training points, test grid of {config.Regression.TestPoints}:");
var regression = RegressionExperiment.Run(config.Regression, config.Seed);
Console.WriteLine();
Console.WriteLine($"Two moons (noise {config.Classification.MoonNoise}) with a 2-20-1 tanh network ({MoonsNet.ParameterCount} parameters), " +
    $"{config.Classification.TrainPoints} training / {config.Classification.TestPoints} test points, logistic loss:");
var classification = ClassificationExperiment.Run(config.Classification, config.Seed);
double seconds = clock.Elapsed.TotalSeconds;

Console.WriteLine();
Console.WriteLine("Regression (time = training wall time, evaluation excluded):");
Report.RegressionTable(regression).Write(Console.Out);
Console.WriteLine();
Console.WriteLine("Two moons:");
Report.ClassificationTable(classification).Write(Console.Out);
Console.WriteLine();
var claims = Report.Claims(regression, classification);
claims.Write(Console.Out);
Console.WriteLine();
foreach (var path in Report.WritePlots(options, regression, classification))
    Console.WriteLine($"plot: {path}");
if (options.JsonPath is { } json)
{
    JsonReport.Write(json, Report.ToJson(config, regression, classification, claims, seconds));
    Console.WriteLine($"json: {json}");
}
Console.WriteLine($"total wall time {seconds:F0} s");
return 0;
