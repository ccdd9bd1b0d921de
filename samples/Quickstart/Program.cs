using System.Text.Json;
using NGGen;
using NGGen.Checking;
using NGGen.Solvers;
using Quickstart;

// NGGen quickstart: (1) check the generated derivatives of two models against independent references;
// (2) train the 2D Poisson PINN by energy natural gradient next to Adam, one core each, same wall time.
// Usage: dotnet run -c Release --project samples/Quickstart [-- --json PATH] [--iterations N]
string? jsonPath = null;
int engdIterations = 250;
for (int i = 0; i < args.Length; i++)
{
    if (args[i] == "--json" && i + 1 < args.Length)
        jsonPath = args[++i];
    else if (args[i] == "--iterations" && i + 1 < args.Length && int.TryParse(args[i + 1], out int n) && n > 0)
        engdIterations = int.Parse(args[++i]);
    else
    {
        Console.Error.WriteLine($"Unknown or incomplete argument '{args[i]}'. Usage: Quickstart [--json PATH] [--iterations N (positive)]");
        return 2;
    }
}

Console.WriteLine("1. Generated Forward / JVP / VJP against independent references");
Console.WriteLine();
var checks = new List<GradientCheckResult>();
checks.AddRange(GradientChecker.CheckModel<Exponential.Compiled>(batch: 64, seed: 1, inputLow: 0, inputHigh: 5));
checks.AddRange(GradientChecker.CheckModel<PoissonNet>(batch: 64, seed: 2, inputLow: 0, inputHigh: 1));
// The interior residual contains a Laplacian, whose eager oracle differentiates numerically.
static double ForwardTolerance(GradientCheckResult r) => r.Function == "Interior" ? 1e-7 : 1e-12;
const double JvpTolerance = 1e-7, DotTolerance = 1e-12, FloatTolerance = 1e-4;
Console.WriteLine($"{"function",-26} {"fwd vs eager",13} {"JVP vs FD",11} {"<Jv,u>-<v,J'u>",15} {"float vs dbl",13}  verdict");
Console.WriteLine(new string('-', 90));
bool checksPassed = true;
foreach (var r in checks)
{
    bool ok = r.ForwardVsReference <= ForwardTolerance(r) && r.JvpVsFiniteDifferences <= JvpTolerance
        && r.DotProductTest <= DotTolerance && r.FloatVsDouble <= FloatTolerance;
    checksPassed &= ok;
    Console.WriteLine($"{r.Model + "." + r.Function,-26} {r.ForwardVsReference,13:E2} {r.JvpVsFiniteDifferences,11:E2} {r.DotProductTest,15:E2} {r.FloatVsDouble,13:E2}  {(ok ? "ok" : "FAILED")}");
}
Console.WriteLine();

var setup = new PoissonSetup();
Console.WriteLine($"2. −Δu = 2π² sin(πx) sin(πy) on the unit square, u = 0 on the boundary; tanh network [2, 32, 1] ({PoissonNet.ParameterCount} parameters),");
Console.WriteLine($"   {setup.InteriorPoints} interior + {setup.BoundaryPoints} boundary points. Energy natural gradient and Adam run side by side, one core each;");
Console.WriteLine("   Adam stops when ENGD does, so both get the same wall time.");
Console.WriteLine();

// One core each: the two trainers run on their own threads, so NGGen's kernels must not take the other core too
// (with two kernel threads, each problem would split its 784 interior points into two shards, one per core).
NGGen.Kernels.KernelThreads.ThreadCount = 1;

var start = new double[PoissonNet.ParameterCount];
PoissonNet.InitializeParameters<double>(start, seed: 0);
var engdTheta = (double[])start.Clone();
var adamTheta = (double[])start.Clone();
var engdFinished = new ManualResetEventSlim(false);
var progressLock = new object();
SolverSummary? engdSummary = null, adamSummary = null;

var engdThread = new Thread(() =>
{
    var engdSetup = new PoissonSetup();
    engdSummary = EnergyNaturalGradient.Solve(engdSetup.Problem, engdTheta, new EnergyNaturalGradientOptions
    {
        MaxIterations = engdIterations,
        Callback = it =>
        {
            if (it.Iteration % 25 == 0)
                lock (progressLock)
                    Console.WriteLine($"   ENGD iteration {it.Iteration,4}: loss {it.Cost:E3}, step {it.StepNorm:E2}, {it.Seconds,5:F1} s");
            return true;
        },
    });
    engdFinished.Set();
});
var adamThread = new Thread(() =>
{
    var adamSetup = new PoissonSetup();
    adamSummary = Adam.Solve(adamSetup.Problem, adamTheta, new AdamOptions
    {
        MaxIterations = int.MaxValue,
        LearningRate = 1e-3,
        RecordEvery = 50,
        Callback = _ => !engdFinished.IsSet,
    });
});
engdThread.Start();
adamThread.Start();
engdThread.Join();
adamThread.Join();

double engdError = setup.RelativeL2Error(engdTheta), adamError = setup.RelativeL2Error(adamTheta);
Console.WriteLine();
Console.WriteLine($"   {"solver",-26} {"iterations",10} {"wall s",8} {"final loss",12} {"relative L2 error",18}");
Console.WriteLine($"   {"energy natural gradient",-26} {engdSummary!.Iterations,10} {engdSummary.TotalSeconds,8:F1} {engdSummary.FinalCost,12:E3} {engdError,18:E3}");
Console.WriteLine($"   {"Adam (lr 1e-3)",-26} {adamSummary!.Iterations,10} {adamSummary.TotalSeconds,8:F1} {adamSummary.FinalCost,12:E3} {adamError,18:E3}");
Console.WriteLine();
Console.WriteLine($"   ENGD stopped: {engdSummary.Message}.");

if (jsonPath is not null)
{
    WriteJson(jsonPath, checks, checksPassed, (engdSummary, engdError), (adamSummary, adamError));
    Console.WriteLine($"   figures written to {jsonPath}");
}
return checksPassed ? 0 : 1;

static void WriteJson(string path, List<GradientCheckResult> checks, bool checksPassed,
    (SolverSummary Summary, double Error) engd, (SolverSummary Summary, double Error) adam)
{
    using var stream = File.Create(path);
    using var json = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true });
    json.WriteStartObject();
    json.WriteBoolean("gradientChecksPassed", checksPassed);
    json.WriteStartArray("gradientChecks");
    foreach (var r in checks)
    {
        json.WriteStartObject();
        json.WriteString("model", r.Model);
        json.WriteString("function", r.Function);
        json.WriteNumber("forwardVsReference", r.ForwardVsReference);
        json.WriteNumber("jvpVsFiniteDifferences", r.JvpVsFiniteDifferences);
        json.WriteNumber("dotProductTest", r.DotProductTest);
        json.WriteNumber("floatVsDouble", r.FloatVsDouble);
        json.WriteEndObject();
    }
    json.WriteEndArray();
    json.WriteStartArray("poisson");
    foreach (var (name, run) in new[] { ("EnergyNaturalGradient", engd), ("Adam", adam) })
    {
        json.WriteStartObject();
        json.WriteString("solver", name);
        json.WriteNumber("relativeL2Error", run.Error);
        json.WriteNumber("iterations", run.Summary.Iterations);
        json.WriteNumber("wallSeconds", run.Summary.TotalSeconds);
        json.WriteNumber("finalLoss", run.Summary.FinalCost);
        json.WriteString("termination", run.Summary.Termination.ToString());
        json.WriteEndObject();
    }
    json.WriteEndArray();
    json.WriteEndObject();
}
