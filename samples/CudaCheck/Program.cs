using System.Globalization;
using System.Text;
using NGGen;
using NGGen.Bench;
using NGGen.Cuda;
using NGGen.Samples.CudaCheck;
using NGGen.Tests.Models;

// CudaCheck: every test model's six passes on the CPU and the GPU, compared and timed, then the width-1024 MLP's
// gradient and GGN product against PyTorch on the same GPU. Without CUDA it prints why, once, and exits 0 (or 3 with
// --require-gpu). Exits 1 when any difference exceeds its bound: 1e-10 in double, 1e-4 in float.
var options = CheckOptions.Parse(args);
if (options is null)
    return 2;

var availability = CudaRuntime.Availability;
if (!availability.IsAvailable)
{
    Console.WriteLine(availability.FallbackMessage);
    return options.RequireGpu ? 3 : 0;
}

using var context = CudaContext.Create();
Console.WriteLine($"GPU: {context} — {availability.Reason}; NVRTC {Nvrtc.Version.Major}.{Nvrtc.Version.Minor}; CPU threads: {NGGen.Kernels.KernelThreads.ThreadCount}");
using var modules = new CudaModuleCache(context);
using var cublas = new Cublas();

var rows = new List<ComparisonRow>();
void Check<TModel>() where TModel : IModel<TModel>
{
    rows.AddRange(ModelComparison.Run<TModel, double>(context, modules, cublas, options.Batch, options.Repetitions));
    rows.AddRange(ModelComparison.Run<TModel, float>(context, modules, cublas, options.Batch, options.Repetitions));
    Console.Error.WriteLine($"checked {TModel.Name}");
}

Check<SoftmaxMlp>(); Check<LogisticMlp>(); Check<Exponential.Compiled>(); Check<Rat43.Compiled>(); Check<FloatDecay.Compiled>();
Check<Line.Compiled>(); Check<DeepLinear1>(); Check<DeepLinear2>(); Check<DeepLinear3>(); Check<DeepLinear4>();
Check<Rosenbrock.Compiled>(); Check<FreudensteinRoth.Compiled>(); Check<PowellSingular.Compiled>(); Check<BrownBadlyScaled.Compiled>();
Check<Box3D.Compiled>(); Check<Beale.Compiled>(); Check<DecayWithOffset.Compiled>(); Check<LossProbeNet>(); Check<LinearLogit>();
Check<SineWave>(); Check<Mlp3>(); Check<Recurrent>(); Check<TwoLayerWithHelper>(); Check<LaplacianProbe>(); Check<PoissonNet>();
Check<Poisson1D>(); Check<PrimitiveZoo>(); Check<WideDeepLinear1>(); Check<WideDeepLinear2>(); Check<WideDeepLinear3>();
Check<WideDeepLinear4>(); Check<Mlp256>();

static double Bound(string element) => element == "double" ? 1e-10 : 1e-4;

// The solver runs' curve bounds: 1e-8 over the first six steps, 1e-2 over all (CG and pseudo-inverses amplify rounding).
static bool WithinCurveBounds(double[] differences) => differences.Take(6).All(d => d <= 1e-8) && differences.All(d => d <= 1e-2);

// One comparison: the cost before each step on both sides, their relative difference, and an optional per-step note.
static void PrintCurves(double[] cpu, double[] gpu, double[] differences, Func<int, string>? note = null)
{
    for (int i = 0; i < cpu.Length; i++)
        Console.WriteLine($"  {i + 1,2}  CPU {cpu[i],-24:R} GPU {gpu[i],-24:R} rel diff {differences[i]:0.0e+00}{note?.Invoke(i)}");
}
var report = new StringBuilder();
report.AppendLine(CultureInfo.InvariantCulture, $"| model | type | fn | operation | max rel diff | bound | CPU µs | GPU µs | CPU/GPU |");
report.AppendLine("|---|---|---|---|---|---|---|---|---|");
foreach (var row in rows)
{
    string verdict = row.RelativeDifference <= Bound(row.Element) ? "ok" : "**EXCEEDED**";
    report.AppendLine(CultureInfo.InvariantCulture,
        $"| {row.Model} | {row.Element} | {row.Function} | {row.Operation} | {row.RelativeDifference:0.0e+00} | {verdict} | {row.CpuSeconds * 1e6:F1} | {row.GpuSeconds * 1e6:F1} | {row.CpuSeconds / row.GpuSeconds:F2} |");
}

Console.Write(report);
int exceeded = rows.Count(r => !(r.RelativeDifference <= Bound(r.Element)));
Console.WriteLine();
foreach (var group in rows.GroupBy(r => r.Element))
    Console.WriteLine($"{group.Key}: largest relative difference {group.Max(r => r.RelativeDifference):0.0e+00} over {group.Count()} operations (bound {Bound(group.Key):0e+00})");

// GN-CG on the GPU against the CPU: the loss curves of 20 iterations from the same θ. CG amplifies rounding: on the
// CPU alone, θ₀ perturbed by 1e-15 gives costs that differ by < 1e-12 over the first 6 iterations, 2e-8 by the 12th
// and 3e-4 by the 20th. So the GPU curve must match to 1e-8 over the first 6 and to 1% throughout.
var (cpuCurve, gpuCurve, curveDifferences) = GaussNewtonRun.Run(256, 20);
Console.WriteLine();
Console.WriteLine("GN-CG, Mlp3 teacher-student, batch 256, 20 iterations (cost before each):");
PrintCurves(cpuCurve, gpuCurve, curveDifferences);
bool curvesAgree = WithinCurveBounds(curveDifferences);
Console.WriteLine($"  loss curves {(curvesAgree ? "agree" : "**DISAGREE**")} (bounds: 1e-8 over iterations 1-6, 1e-2 over all)");
if (!curvesAgree)
    exceeded++;

// Dual GN on the GPU against the CPU: θ ← θ + v for 10 directions from the same θ. The first direction must agree to
// 1e-8 (CG of 20 iterations in another summation order); the curves under the same bounds as GN-CG's.
var dual = DualGaussNewtonRun.Run(context, modules, cublas, 256, 10);
Console.WriteLine();
Console.WriteLine("Dual GN, Mlp3 teacher-student, batch 256, 10 directions (cost before each, CG iterations CPU/GPU):");
PrintCurves(dual.Curves.Cpu, dual.Curves.Gpu, dual.Curves.RelativeDifferences, i => $"  CG {dual.CpuIterations[i]}/{dual.GpuIterations[i]}");
bool dualAgrees = dual.FacadeMatchesGpu && dual.Curves.FirstDirectionDifference <= 1e-8 && WithinCurveBounds(dual.Curves.RelativeDifferences);
Console.WriteLine($"  first direction rel diff {dual.Curves.FirstDirectionDifference:0.0e+00}; LeastSquaresTraining on the GPU {(dual.FacadeMatchesGpu ? "takes the same steps" : "**DIFFERS**")}; dual GN curves {(dualAgrees ? "agree" : "**DISAGREE**")} (bounds: 1e-8 for the first direction and iterations 1-6, 1e-2 over all)");
if (!dualAgrees)
    exceeded++;

// Natural gradient on the GPU (Jacobian, JᵀJ and ∇L on the device; the p×p solve on the host) against the CPU.
var natural = NaturalGradientRun.Run(context, modules, cublas, 256, 10);
Console.WriteLine();
Console.WriteLine("Natural gradient, Mlp3 teacher-student, batch 256, 10 steps of η = 0.5, λ = 1e-6 (cost before each):");
PrintCurves(natural.Curves.Cpu, natural.Curves.Gpu, natural.Curves.RelativeDifferences);
bool naturalAgrees = natural.FacadeMatchesGpu && natural.Curves.FirstDirectionDifference <= 1e-8 && WithinCurveBounds(natural.Curves.RelativeDifferences);
Console.WriteLine($"  first direction rel diff {natural.Curves.FirstDirectionDifference:0.0e+00} (rank {natural.Rank}); LeastSquaresTraining on the GPU {(natural.FacadeMatchesGpu ? "takes the same steps" : "**DIFFERS**")}; natural-gradient curves {(naturalAgrees ? "agree" : "**DISAGREE**")} (bounds as for dual GN)");
if (!naturalAgrees)
    exceeded++;

// The Sobolev natural gradient on the GPU (the H¹ metric's Jacobian on the device) against the CPU.
var (sobolevCpu, sobolevGpu, sobolevDifferences, sobolevFirst) = SobolevRun.Run(context, modules, cublas, 10);
Console.WriteLine();
Console.WriteLine("Sobolev natural gradient (H¹, β = 0.5), SineWave fit to 25 points, 10 steps of η = 0.5 (cost before each):");
PrintCurves(sobolevCpu, sobolevGpu, sobolevDifferences);
bool sobolevAgrees = sobolevFirst <= 1e-10 && sobolevDifferences.All(d => d <= 1e-10);
Console.WriteLine($"  first direction rel diff {sobolevFirst:0.0e+00}; Sobolev curves {(sobolevAgrees ? "agree" : "**DISAGREE**")} (bound 1e-10: three parameters, a well-conditioned metric)");
if (!sobolevAgrees)
    exceeded++;

// The kernel natural gradient (M = K⁻¹) on the GPU (J, JJᵀ and Jᵀc on the device) against the CPU.
var (kernelCpu, kernelGpu, kernelDifferences, kernelFirst) = KernelNaturalGradientRun.Run(context, modules, cublas, 8);
Console.WriteLine();
Console.WriteLine("Kernel natural gradient (M = K⁻¹, Matérn-1), Poisson1D's u fit to sin(πx) at 10 points, 8 steps of η = 0.2, ε = 1e-3 (cost before each):");
PrintCurves(kernelCpu, kernelGpu, kernelDifferences);
bool kernelAgrees = kernelFirst <= 1e-8 && WithinCurveBounds(kernelDifferences);
Console.WriteLine($"  first direction rel diff {kernelFirst:0.0e+00}; kernel natural-gradient curves {(kernelAgrees ? "agree" : "**DISAGREE**")} (bounds as for dual GN)");
if (!kernelAgrees)
    exceeded++;

// ENGD on the GPU (residuals, Jacobian, Gramian and line search on the device) against the CPU stepper.
var (engdCpu, engdGpu, engdDifferences, engdPredicted) = EnergyNaturalGradientRun.Run(context, modules, cublas, 12);
Console.WriteLine();
Console.WriteLine("ENGD, Poisson1D (30 interior points, 2 boundary points), pseudo-inverse cutoff 1e-8, 12 iterations (loss before each):");
PrintCurves(engdCpu, engdGpu, engdDifferences);
bool engdAgrees = WithinCurveBounds(engdDifferences);
Console.WriteLine($"  ENGD curves {(engdAgrees ? "agree" : "**DISAGREE**")} (bounds: 1e-8 over iterations 1-6, 1e-2 over all)");
if (!engdAgrees)
    exceeded++;
// The share is a quotient of sums over the residuals, summed in another order on the device; the solver compares it
// with 1e-6, so agreement to a relative 1e-6 is what matters.
double predictedDifference = Math.Abs(engdPredicted.Gpu - engdPredicted.Cpu) / Math.Abs(engdPredicted.Cpu);
bool predictedAgrees = predictedDifference <= 1e-6;
Console.WriteLine($"  first iteration's predicted relative decrease: CPU {engdPredicted.Cpu:E10}, GPU {engdPredicted.Gpu:E10}, "
    + $"relative difference {predictedDifference:E2} ({(predictedAgrees ? "agree" : "**DISAGREE**")}; bound 1e-6)");
if (!predictedAgrees)
    exceeded++;

if (!options.SkipMlp)
{
    var timing = MlpTiming.Run(context, modules, cublas, options.MlpBatch, options.Repetitions, Console.Out);
    Console.WriteLine();
    Console.WriteLine($"MLP width {MlpTiming.Width}, batch {options.MlpBatch}, float, on the GPU (median of {options.Repetitions}):");
    foreach (var (name, value) in timing.OrderBy(pair => pair.Key, StringComparer.Ordinal))
        Console.WriteLine($"  {name,-22} {value,10:F3}");
    if (timing.TryGetValue("torch_grad_ms", out double torchGrad) && timing.TryGetValue("torch_ggn_ms", out double torchGgn)
        && timing.TryGetValue("torch_ggn_fused_ms", out double torchFused))
    {
        Console.WriteLine($"  gradient: NGGen/PyTorch = {timing["nggen_grad_ms"] / torchGrad:F2} (target ≤ 1.2)");
        Console.WriteLine($"  GGN product from a stored linearization: NGGen/PyTorch = {timing["nggen_ggn_fused_ms"] / torchFused:F2}; from scratch: {timing["nggen_ggn_ms"] / torchGgn:F2} (target ≤ 1.2)");
    }

    if (options.JsonPath is { } json)
    {
        File.WriteAllText(json, "{" + string.Join(", ", timing.Select(pair => $"\"{pair.Key}\": {pair.Value.ToString("R", CultureInfo.InvariantCulture)}"))
            + $", \"exceeded\": {exceeded}, \"operations\": {rows.Count}, \"device\": \"{context.DeviceName}\"}}\n");
    }
}

if (exceeded > 0)
{
    Console.WriteLine($"{exceeded} operation(s) exceeded their bound.");
    return 1;
}

return 0;

/// <summary>Command-line options.</summary>
internal sealed record CheckOptions(int Batch, int Repetitions, int MlpBatch, bool SkipMlp, bool RequireGpu, string? JsonPath)
{
    private const string Usage = "usage: CudaCheck [--batch N] [--repetitions N] [--mlp-batch N] [--skip-mlp] [--require-gpu] [--json PATH]";

    public static CheckOptions? Parse(string[] args)
    {
        int batch = 256, repetitions = 5, mlpBatch = 4096;
        bool skipMlp = false, requireGpu = false;
        string? json = null;
        for (int i = 0; i < args.Length; i++)
        {
            string? Next() => i + 1 < args.Length ? args[++i] : null;
            switch (args[i])
            {
                case "--batch" or "--repetitions" or "--mlp-batch":
                {
                    string option = args[i];
                    if (!int.TryParse(Next(), NumberStyles.None, CultureInfo.InvariantCulture, out int value) || value < 1 || value > 1 << 20)
                        return Fail($"{option} needs an integer from 1 to {1 << 20}");
                    if (option == "--batch") batch = value;
                    else if (option == "--repetitions") repetitions = value;
                    else mlpBatch = value;
                    break;
                }
                case "--skip-mlp": skipMlp = true; break;
                case "--require-gpu": requireGpu = true; break;
                case "--json":
                    json = Next();
                    if (json is null)
                        return Fail("--json needs a path");
                    break;
                default:
                    return Fail($"unknown argument '{args[i]}'");
            }
        }

        return new CheckOptions(batch, repetitions, mlpBatch, skipMlp, requireGpu, json);
    }

    private static CheckOptions? Fail(string message)
    {
        Console.Error.WriteLine($"CudaCheck: {message}");
        Console.Error.WriteLine(Usage);
        return null;
    }
}
