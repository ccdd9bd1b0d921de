using NGGen.Samples;
using NGGen.Samples.DeepLinear;

var options = SampleOptions.Parse("DeepLinear", args, Console.Error);
if (options is null)
    return 2;
var results = Experiment.Run(options.Full ? LogisticConfig.Full : LogisticConfig.Default,
    options.Full ? CompletionConfig.Full : CompletionConfig.Default, options.Seed, Console.Out);
var pi = SeparableLogistic.PseudoInverseDirection();
var mm = SeparableLogistic.MaxMarginDirection().W;
foreach (var r in results.Logistic)
    Console.WriteLine($"{r.Method} {r.Depth}: cos pinv {r.Trajectory.CosinePseudoInverse[^1]:F6} cos mm {r.Trajectory.CosineMaxMargin[^1]:F6} angles {r.AngleTo(pi):F2} {r.AngleTo(mm):F2} {r.Summary.Message}");
foreach (var r in results.CompletionRuns)
    Console.WriteLine($"{r.Method} {r.Depth}: test {r.TestError:E3} train {r.TrainError:E3} erank {r.EffectiveRank:F2} sv {string.Join(" ", r.SingularValues.Take(8).Select(s => s.ToString("E2")))}");
return 0;
