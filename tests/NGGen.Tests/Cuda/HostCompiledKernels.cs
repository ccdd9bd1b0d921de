using System.Diagnostics;
using System.Numerics;
using System.Runtime.InteropServices;
using NGGen.Kernels;

namespace NGGen.Tests.Cuda;

/// <summary>
/// Runs a generated model's CUDA C on the CPU: the source is compiled as C++ by g++ behind a few definitions
/// (<c>__global__</c>, <c>blockIdx</c>, ...) so that each kernel is an ordinary function whose grid-stride loop, with
/// one block of one thread, walks every index (a reduction block of one thread sums its row alone). A plan run this
/// way checks what the kernels compute, their offsets
/// and the order of the steps, without a GPU; only the device's parallelism and cuBLAS are left for CudaCheck.
/// </summary>
internal static class HostCompiledKernels
{
    private const string Shim = """
        #include <cmath>
        using namespace std;
        struct nggen_dim3 { unsigned x, y, z; };
        static const nggen_dim3 blockIdx = { 0, 0, 0 }, threadIdx = { 0, 0, 0 }, blockDim = { 1, 1, 1 }, gridDim = { 1, 1, 1 };
        #define __global__
        #define __device__
        #define __forceinline__ inline
        #define __restrict__ __restrict
        #define __shared__ static
        #define __syncthreads()

        """;

    private static readonly Lock s_lock = new();
    private static readonly Dictionary<string, nint> s_libraries = [];

    /// <summary>Whether g++ can be run here.</summary>
    public static bool CompilerAvailable { get; } = File.Exists("/usr/bin/g++");

    /// <summary>Compiles (once per source hash and element type) and loads the source as a shared library.</summary>
    public static nint Load(DeviceCode code, string element)
    {
        string directory = Path.Combine(Path.GetTempPath(), "nggen-host-kernels");
        string library = Path.Combine(directory, $"{code.Hash}-{element}.so");
        lock (s_lock)
        {
            if (s_libraries.TryGetValue(library, out nint loaded))
                return loaded;
        }

        if (!File.Exists(library))
        {
            Directory.CreateDirectory(directory);
            string unique = $"{library}.{Environment.ProcessId}.{Environment.CurrentManagedThreadId}";
            File.WriteAllText(unique + ".cpp", Shim + code.Source);
            var start = new ProcessStartInfo("/usr/bin/g++", ["-O1", "-std=c++14", "-shared", "-fPIC", $"-DNGGEN_T={element}", "-o", unique + ".so", unique + ".cpp"])
            {
                RedirectStandardError = true,
                RedirectStandardOutput = true,
            };
            using var compiler = Process.Start(start)!;
            string errors = compiler.StandardError.ReadToEnd();
            compiler.WaitForExit();
            File.Delete(unique + ".cpp");
            if (compiler.ExitCode != 0)
                throw new InvalidOperationException($"g++ rejected the generated CUDA C ({element}):\n{errors}");
            File.Move(unique + ".so", library, overwrite: true);
        }

        nint handle = NativeLibrary.Load(library);
        lock (s_lock)
            s_libraries[library] = handle;
        return handle;
    }
}

/// <summary>An <see cref="IDevicePlanRunner"/> over host arrays: kernels from <see cref="HostCompiledKernels"/>,
/// matrix products by <see cref="Batched.MatMul{T}"/>.</summary>
internal sealed unsafe class HostPlanRunner<T>(nint library) : IDevicePlanRunner
    where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly Dictionary<DeviceRegion, T[]> _regions = [];

    public T[] this[DeviceRegion region]
    {
        get => _regions.TryGetValue(region, out var values) ? values : [];
        set => _regions[region] = value;
    }

    public int Batch { get; set; }

    public void Kernel(string name, long threads)
    {
        var kernel = (delegate* unmanaged<T*, T*, T*, T*, T*, T*, int, void>)NativeLibrary.GetExport(library, name);
        fixed (T* theta = this[DeviceRegion.Theta], inputs = this[DeviceRegion.Inputs], seed = this[DeviceRegion.Seed])
        fixed (T* result = this[DeviceRegion.Result], workspace = this[DeviceRegion.Workspace], linearization = this[DeviceRegion.Linearization])
            kernel(theta, inputs, seed, result, workspace, linearization, Batch);
    }

    // One block of one thread walks every entry, as in Kernel.
    public void Reduction(string name, long entries, long length) => Kernel(name, entries);

    public void MatMul(DeviceOperand a, bool aBatched, int aCols, bool transposeA, DeviceOperand b, bool bBatched, int bCols, bool transposeB,
        DeviceOperand c, bool cBatched, int m, int n, int k, int batch, bool accumulate)
        => Batched.MatMul<T>(Span(a), aBatched, aCols, transposeA, Span(b), bBatched, bCols, transposeB, Span(c), cBatched, m, n, k, batch, accumulate);

    private Span<T> Span(DeviceOperand operand) => this[operand.Region].AsSpan((int)operand.Offset);
}
