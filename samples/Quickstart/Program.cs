using System.Diagnostics;
using System.Text.Json;
using NGGen;
using NGGen.Checking;
using Quickstart;

// Quickstart: build generated models and check their derivatives against independent references.
// Usage: dotnet run -c Release --project samples/Quickstart [-- --json PATH]
string? jsonPath = null;
for (int i = 0; i < args.Length; i++)
{
    if (args[i] == "--json" && i + 1 < args.Length)
        jsonPath = args[++i];
    else
    {
        Console.Error.WriteLine($"Unknown argument '{args[i]}'. Usage: Quickstart [--json PATH]");
        return 2;
    }
}

Console.WriteLine("NGGen quickstart: generated Forward / JVP / VJP checked against independent references");
Console.WriteLine();
var results = new List<GradientCheckResult>();
results.AddRange(GradientChecker.CheckModel<Exponential.Compiled>(batch: 64, seed: 1, inputLow: 0, inputHigh: 5));
results.AddRange(GradientChecker.CheckModel<PoissonNet>(batch: 64, seed: 2, inputLow: 0, inputHigh: 1));

// The Poisson interior residual contains a Laplacian; its eager oracle uses finite differences.
static double ForwardTolerance(GradientCheckResult r) => r.Function == "Interior" ? 1e-7 : 1e-12;
const double JvpTolerance = 1e-7, DotTolerance = 1e-12, FloatTolerance = 1e-4;

Console.WriteLine($"{"function",-26} {"fwd vs eager",13} {"JVP vs FD",11} {"<Jv,u>-<v,J'u>",15} {"float vs dbl",13}  verdict");
Console.WriteLine(new string('-', 90));
bool allPassed = true;
foreach (var r in results)
{
    bool ok = r.ForwardVsReference <= ForwardTolerance(r) && r.JvpVsFiniteDifferences <= JvpTolerance
        && r.DotProductTest <= DotTolerance && r.FloatVsDouble <= FloatTolerance;
    allPassed &= ok;
    Console.WriteLine($"{r.Model + "." + r.Function,-26} {r.ForwardVsReference,13:E2} {r.JvpVsFiniteDifferences,11:E2} {r.DotProductTest,15:E2} {r.FloatVsDouble,13:E2}  {(ok ? "ok" : "FAILED")}");
}
Console.WriteLine();
Console.WriteLine($"tolerances: forward 1e-12 (1e-7 where the oracle differentiates numerically), JVP {JvpTolerance:E0}, dot {DotTolerance:E0}, float {FloatTolerance:E0}");

// A taste of speed: the Poisson residuals on the paper's 784 interior points.
const int batch = 784;
var theta = new double[PoissonNet.ParameterCount];
PoissonNet.InitializeParameters<double>(theta, seed: 7);
var points = GradientChecker.RandomInputs<PoissonNet>(new Random(3), PoissonNet.InteriorFunction, batch, 0, 1);
var residual = new double[batch];
var gradient = new double[PoissonNet.ParameterCount];
var workspace = new double[Math.Max(PoissonNet.WorkspaceLength(PoissonNet.InteriorFunction, EvaluationKind.Forward, batch),
    PoissonNet.WorkspaceLength(PoissonNet.InteriorFunction, EvaluationKind.Vjp, batch))];
double forwardMicroseconds = Time(() => PoissonNet.Forward<double>(PoissonNet.InteriorFunction, theta, points, batch, residual, workspace));
double vjpMicroseconds = Time(() => PoissonNet.Vjp<double>(PoissonNet.InteriorFunction, theta, points, batch, residual, gradient, workspace));
Console.WriteLine();
Console.WriteLine($"Poisson interior residual (−Δu − f) on {batch} points, double: forward {forwardMicroseconds:F1} µs, VJP {vjpMicroseconds:F1} µs");

if (jsonPath is not null)
{
    WriteJson(jsonPath, results, forwardMicroseconds, vjpMicroseconds, allPassed);
    Console.WriteLine($"figures written to {jsonPath}");
}
return allPassed ? 0 : 1;

static double Time(Action action)
{
    // Warm up long enough for tiered compilation to reach optimised code in the runtime kernels
    // (after the gradient checks have just compiled hundreds of methods, that takes over 300 ms).
    var warmup = Stopwatch.StartNew();
    while (warmup.ElapsedMilliseconds < 1500)
        action();
    const int runs = 200;
    var watch = Stopwatch.StartNew();
    for (int i = 0; i < runs; i++)
        action();
    return watch.Elapsed.TotalMicroseconds / runs;
}

static void WriteJson(string path, List<GradientCheckResult> results, double forwardMicroseconds, double vjpMicroseconds, bool allPassed)
{
    using var stream = File.Create(path);
    using var json = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true });
    json.WriteStartObject();
    json.WriteBoolean("allPassed", allPassed);
    json.WriteStartArray("checks");
    foreach (var r in results)
    {
        json.WriteStartObject();
        json.WriteString("model", r.Model);
        json.WriteString("function", r.Function);
        json.WriteNumber("batch", r.Batch);
        json.WriteNumber("forwardVsReference", r.ForwardVsReference);
        json.WriteNumber("jvpVsFiniteDifferences", r.JvpVsFiniteDifferences);
        json.WriteNumber("dotProductTest", r.DotProductTest);
        json.WriteNumber("floatVsDouble", r.FloatVsDouble);
        json.WriteEndObject();
    }
    json.WriteEndArray();
    json.WriteNumber("poissonInteriorForwardMicroseconds", forwardMicroseconds);
    json.WriteNumber("poissonInteriorVjpMicroseconds", vjpMicroseconds);
    json.WriteEndObject();
}
