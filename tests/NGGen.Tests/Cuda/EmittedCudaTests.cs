using System.Reflection;
using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using NGGen.Cuda;
using Xunit;

namespace NGGen.Tests.Cuda;

/// <summary>
/// The CUDA C the generator emits for every model in this test assembly: it compiles with NVRTC for float and
/// double, every kernel its plans launch exists, its hash is its SHA-256, and every matrix product of every plan
/// stays inside the buffers the CPU code sizes (the device buffers are sized the same way).
/// </summary>
public partial class EmittedCudaTests
{
    private const int Batch = 3;

    private static readonly EvaluationKind[] s_kinds =
    [
        EvaluationKind.Forward, EvaluationKind.Jvp, EvaluationKind.Vjp,
        EvaluationKind.Linearize, EvaluationKind.LinearizedJvp, EvaluationKind.LinearizedVjp,
    ];

    /// <summary>Every generated model type of this assembly (static models' nested Compiled types included).</summary>
    internal static IReadOnlyList<Type> ModelTypes { get; } = typeof(EmittedCudaTests).Assembly.GetTypes()
        .Where(t => t.GetField("CudaSource", BindingFlags.Public | BindingFlags.Static) is { IsLiteral: true })
        .OrderBy(t => t.FullName, StringComparer.Ordinal)
        .ToList();

    [Fact]
    public void EveryTestModelCarriesItsSourceAndItsHash()
    {
        Assert.True(ModelTypes.Count >= 25, $"only {ModelTypes.Count} generated models found");
        foreach (var type in ModelTypes)
        {
            string source = Constant(type, "CudaSource");
            string hash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(source)));
            Assert.True(hash == Constant(type, "CudaSourceHash"), $"{type.FullName}: CudaSourceHash is not the SHA-256 of CudaSource");
        }
    }

    [NvrtcFact]
    public void EveryKernelOfEveryTestModelCompilesToPtxForFloatAndDouble()
    {
        // NVRTC programs are independent, so the 60-odd compilations run on every core.
        var failures = new System.Collections.Concurrent.ConcurrentBag<string>();
        int kernels = 0;
        var launchedByModel = ModelTypes.ToDictionary(t => t, t => Plans(t).SelectMany(p => p.Steps).OfType<KernelStep>().Select(k => k.Name).ToHashSet());
        Parallel.ForEach(ModelTypes.SelectMany(t => new[] { (Type: t, Element: "float"), (Type: t, Element: "double") }), item =>
        {
            var (type, element) = item;
            string source = Constant(type, "CudaSource");
            var launched = launchedByModel[type];
            string ptx;
            try
            {
                ptx = Nvrtc.CompileToPtx(source, type.Name + ".cu", 80, $"-DNGGEN_T={element}");
            }
            catch (NvrtcCompilationException error)
            {
                failures.Add($"{type.FullName} ({element}): {error.Log}");
                return;
            }

            var entries = EntryPattern().Matches(ptx).Select(m => m.Groups[1].Value).ToHashSet();
            foreach (string name in launched.Where(name => !entries.Contains(name)))
                failures.Add($"{type.FullName} ({element}): the plan launches {name}, which the PTX lacks");
            Interlocked.Add(ref kernels, entries.Count);
        });

        Assert.Empty(failures);
        Assert.True(kernels > 200, $"only {kernels} kernels compiled");
    }

    [Fact]
    public void EveryMatrixProductOfEveryPlanStaysInsideItsBuffers()
    {
        var failures = new List<string>();
        int products = 0;
        foreach (var type in ModelTypes)
        {
            foreach (var plan in Plans(type))
            {
                foreach (var product in plan.Steps.OfType<MatMulStep>())
                {
                    products++;
                    int aRows = product.TransposeA ? product.K : product.M, aCols = product.TransposeA ? product.M : product.K;
                    int bRows = product.TransposeB ? product.N : product.K, bCols = product.TransposeB ? product.K : product.N;
                    Check(plan, "A", product.A, (aRows - 1L) * product.ACols + aCols, product.ABatched, failures);
                    Check(plan, "B", product.B, (bRows - 1L) * product.BCols + bCols, product.BBatched, failures);
                    Check(plan, "C", product.C, (long)product.M * product.N, product.CBatched, failures);
                    if (product.ACols < aCols || product.BCols < bCols)
                        failures.Add($"{plan}: a row stride is shorter than its row");
                }
            }
        }

        Assert.Empty(failures);
        Assert.True(products > 50, $"only {products} products checked");
    }

    private static void Check(Plan plan, string name, NGGen.DeviceOperand operand, long perSample, bool batched, List<string> failures)
    {
        long extent = perSample * (batched ? Batch : 1);
        long length = plan.RegionLengths[operand.Region];
        if (operand.Offset < 0 || operand.Offset + extent > length)
            failures.Add($"{plan}: {name} spans [{operand.Offset}, {operand.Offset + extent}) of {operand.Region}, which holds {length}");
    }

    internal static string Constant(Type type, string name) => (string)type.GetField(name)!.GetRawConstantValue()!;

    private sealed record Plan(string Model, int Function, EvaluationKind Kind, List<object> Steps, Dictionary<NGGen.DeviceRegion, long> RegionLengths)
    {
        public override string ToString() => $"{Model} function {Function} {Kind}";
    }

    private sealed record KernelStep(string Name, long Threads);

    private sealed record MatMulStep(NGGen.DeviceOperand A, bool ABatched, int ACols, bool TransposeA,
        NGGen.DeviceOperand B, bool BBatched, int BCols, bool TransposeB,
        NGGen.DeviceOperand C, bool CBatched, int M, int N, int K, bool Accumulate);

    private sealed class Recorder : IDevicePlanRunner
    {
        public List<object> Steps { get; } = [];

        public void Kernel(string name, long threads) => Steps.Add(new KernelStep(name, threads));

        public void Reduction(string name, long entries, long length) => Steps.Add(new KernelStep(name, entries));

        public void MatMul(NGGen.DeviceOperand a, bool aBatched, int aCols, bool transposeA, NGGen.DeviceOperand b, bool bBatched, int bCols, bool transposeB,
            NGGen.DeviceOperand c, bool cBatched, int m, int n, int k, int batch, bool accumulate)
            => Steps.Add(new MatMulStep(a, aBatched, aCols, transposeA, b, bBatched, bCols, transposeB, c, cBatched, m, n, k, accumulate));
    }

    private static IEnumerable<Plan> Plans(Type type)
    {
        int parameters = (int)type.GetProperty("ParameterCount")!.GetValue(null)!;
        var functions = (IReadOnlyList<FunctionInfo>)type.GetProperty("Functions")!.GetValue(null)!;
        var plan = type.GetMethod("CudaPlan")!;
        var workspace = type.GetMethod("WorkspaceLength")!;
        var linearization = type.GetMethod("LinearizationLength")!;
        for (int f = 0; f < functions.Count; f++)
        {
            foreach (var kind in s_kinds)
            {
                var recorder = new Recorder();
                plan.Invoke(null, [f, kind, Batch, recorder]);
                bool reverse = kind is EvaluationKind.Vjp or EvaluationKind.LinearizedVjp;
                bool tangent = kind is EvaluationKind.Jvp or EvaluationKind.LinearizedJvp;
                var lengths = new Dictionary<NGGen.DeviceRegion, long>
                {
                    [NGGen.DeviceRegion.Theta] = parameters,
                    [NGGen.DeviceRegion.Inputs] = (long)functions[f].InputSize * Batch,
                    [NGGen.DeviceRegion.Seed] = reverse ? (long)functions[f].OutputSize * Batch : tangent ? parameters : 0,
                    [NGGen.DeviceRegion.Result] = reverse ? parameters : (long)functions[f].OutputSize * Batch,
                    [NGGen.DeviceRegion.Workspace] = (int)workspace.Invoke(null, [f, kind, Batch])!,
                    [NGGen.DeviceRegion.Linearization] = kind is EvaluationKind.Forward or EvaluationKind.Jvp or EvaluationKind.Vjp
                        ? 0 : (int)linearization.Invoke(null, [f, Batch])!,
                };
                yield return new Plan(type.FullName!, f, kind, recorder.Steps, lengths);
            }
        }
    }

    [GeneratedRegex(@"\.entry (\w+)\(")]
    private static partial Regex EntryPattern();
}
