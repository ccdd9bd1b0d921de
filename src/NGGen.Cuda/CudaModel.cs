using System.Numerics;

namespace NGGen.Cuda;

/// <summary>
/// A generated model's passes on a GPU for one function and batch size: the model's <c>CudaSource</c> compiled
/// for <typeparamref name="T"/> (once per content hash, through <see cref="CudaModuleCache"/>), its plans run with
/// kernels and cuBLAS, and the workspace and linearization kept on the device. Buffers are laid out exactly as the
/// CPU spans of the same names, so results can be compared entry by entry.
/// </summary>
/// <typeparam name="TModel">The generated model.</typeparam>
/// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
public sealed class CudaModel<TModel, T> : IDevicePlanRunner, IDisposable
    where TModel : IModel<TModel>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    private const int ThreadsPerBlock = 256;
    private const long MaxBlocks = 1 << 16;

    private readonly CudaModule _module;
    private readonly CudaModule _runtime;
    private readonly Cublas _cublas;
    private readonly bool _ownsCublas;
    private readonly Dictionary<string, CudaKernel> _kernels = [];
    private readonly DeviceBuffer<T> _workspace;
    private readonly DeviceBuffer<T> _linearization;
    private readonly ulong[] _regions = new ulong[6];

    /// <summary>Compiles and loads the model for <paramref name="function"/> at <paramref name="batch"/> samples.</summary>
    /// <exception cref="NotSupportedException"><typeparamref name="T"/> is neither float nor double.</exception>
    public CudaModel(CudaContext context, CudaModuleCache modules, int function, int batch, Cublas? cublas = null)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(modules);
        if (typeof(T) != typeof(float) && typeof(T) != typeof(double))
            throw new NotSupportedException($"CudaModel supports float and double, not {typeof(T)}.");
        ArgumentOutOfRangeException.ThrowIfNegative(function);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(function, TModel.Functions.Count);
        ArgumentOutOfRangeException.ThrowIfLessThan(batch, 1);

        Function = function;
        Batch = batch;
        string element = $"-DNGGEN_T={(typeof(T) == typeof(float) ? "float" : "double")}";
        _module = modules.Load(TModel.Cuda.Source, TModel.Name + ".cu", element);
        _runtime = modules.Load(RuntimeKernels.Source, "nggen_runtime.cu", element);
        _ownsCublas = cublas is null;
        _cublas = cublas ?? new Cublas();
        int workspace = 0;
        foreach (var kind in Enum.GetValues<EvaluationKind>())
            workspace = Math.Max(workspace, TModel.WorkspaceLength(function, kind, batch));
        _workspace = new DeviceBuffer<T>(workspace);
        _linearization = new DeviceBuffer<T>(TModel.LinearizationLength(function, batch));
    }

    /// <summary>Gets the function id.</summary>
    public int Function { get; }

    /// <summary>Gets the batch size every buffer is laid out for.</summary>
    public int Batch { get; }

    /// <summary>Gets the device linearization (filled by <see cref="Linearize"/>).</summary>
    public DeviceBuffer<T> Linearization => _linearization;

    /// <summary>outputs = F(θ, inputs).</summary>
    public void Forward(DeviceBuffer<T> theta, DeviceBuffer<T> inputs, DeviceBuffer<T> outputs)
        => Run(EvaluationKind.Forward, theta, inputs, null, outputs, OutputLength, OutputLength);

    /// <summary>jvp = (∂F/∂θ)·tangent.</summary>
    public void Jvp(DeviceBuffer<T> theta, DeviceBuffer<T> inputs, DeviceBuffer<T> tangent, DeviceBuffer<T> jvp)
        => Run(EvaluationKind.Jvp, theta, inputs, tangent, jvp, TModel.ParameterCount, OutputLength);

    /// <summary>gradient += (∂F/∂θ)ᵀ·cotangent, summed over samples.</summary>
    public void Vjp(DeviceBuffer<T> theta, DeviceBuffer<T> inputs, DeviceBuffer<T> cotangent, DeviceBuffer<T> gradient)
        => Run(EvaluationKind.Vjp, theta, inputs, cotangent, gradient, OutputLength, TModel.ParameterCount);

    /// <summary>outputs = F(θ, inputs), keeping the linearization on the device.</summary>
    public void Linearize(DeviceBuffer<T> theta, DeviceBuffer<T> inputs, DeviceBuffer<T> outputs)
        => Run(EvaluationKind.Linearize, theta, inputs, null, outputs, OutputLength, OutputLength);

    /// <summary>jvp = (∂F/∂θ)·tangent at the last <see cref="Linearize"/>.</summary>
    public void LinearizedJvp(DeviceBuffer<T> theta, DeviceBuffer<T> inputs, DeviceBuffer<T> tangent, DeviceBuffer<T> jvp)
        => Run(EvaluationKind.LinearizedJvp, theta, inputs, tangent, jvp, TModel.ParameterCount, OutputLength);

    /// <summary>gradient += (∂F/∂θ)ᵀ·cotangent at the last <see cref="Linearize"/>.</summary>
    public void LinearizedVjp(DeviceBuffer<T> theta, DeviceBuffer<T> inputs, DeviceBuffer<T> cotangent, DeviceBuffer<T> gradient)
        => Run(EvaluationKind.LinearizedVjp, theta, inputs, cotangent, gradient, OutputLength, TModel.ParameterCount);

    private int OutputLength => TModel.Functions[Function].OutputSize * Batch;

    private void Run(EvaluationKind kind, DeviceBuffer<T> theta, DeviceBuffer<T> inputs, DeviceBuffer<T>? seed, DeviceBuffer<T> result, int seedLength, int resultLength)
    {
        Require(theta, TModel.ParameterCount, "theta");
        Require(inputs, TModel.Functions[Function].InputSize * Batch, "inputs");
        if (seed is not null)
            Require(seed, seedLength, kind is EvaluationKind.Jvp or EvaluationKind.LinearizedJvp ? "tangent" : "cotangent");
        Require(result, resultLength, "result");
        _regions[(int)DeviceRegion.Theta] = theta.Pointer;
        _regions[(int)DeviceRegion.Inputs] = inputs.Pointer;
        _regions[(int)DeviceRegion.Seed] = seed?.Pointer ?? 0;
        _regions[(int)DeviceRegion.Result] = result.Pointer;
        _regions[(int)DeviceRegion.Workspace] = _workspace.Pointer;
        _regions[(int)DeviceRegion.Linearization] = _linearization.Pointer;
        TModel.CudaPlan(Function, kind, Batch, this);
    }

    private static void Require(DeviceBuffer<T> buffer, int length, string name)
    {
        ArgumentNullException.ThrowIfNull(buffer, name);
        if (buffer.Length != length)
            throw new ArgumentException($"{TModel.Name}: {name} holds {buffer.Length} entries on the device, expected {length}.", name);
    }

    /// <inheritdoc/>
    void IDevicePlanRunner.Kernel(string name, long threads)
    {
        Kernel(_module, name).Launch(Blocks(threads), ThreadsPerBlock, 0,
            _regions[0], _regions[1], _regions[2], _regions[3], _regions[4], _regions[5], Batch);
    }

    /// <inheritdoc/>
    void IDevicePlanRunner.Reduction(string name, long entries, long length)
    {
        // ThreadsPerBlock (256) is the NGGEN_REDUCTION_THREADS the source was compiled with.
        Kernel(_module, name).Launch((uint)Math.Clamp(entries, 1, MaxBlocks), ThreadsPerBlock, 0,
            _regions[0], _regions[1], _regions[2], _regions[3], _regions[4], _regions[5], Batch);
    }

    /// <inheritdoc/>
    void IDevicePlanRunner.MatMul(DeviceOperand a, bool aBatched, int aCols, bool transposeA, DeviceOperand b, bool bBatched, int bCols, bool transposeB,
        DeviceOperand c, bool cBatched, int m, int n, int k, int batch, bool accumulate)
    {
        ulong pa = Address(a), pb = Address(b), pc = Address(c);
        T beta = accumulate ? T.One : T.Zero;
        // The three layouts Batched.MatMul hands to one GEMM go to cuBLAS the same way.
        if (!aBatched && !bBatched && !cBatched)
            Gemm(transposeA, transposeB, m, n, k, pa, aCols, pb, bCols, beta, pc, n);
        else if (!aBatched && bBatched && cBatched && !transposeB)
            Gemm(transposeA, false, m, n * batch, k, pa, aCols, pb, n * batch, beta, pc, n * batch);
        else if (aBatched && bBatched && !cBatched && !transposeA && transposeB)
            Gemm(false, true, m, n, k * batch, pa, k * batch, pb, k * batch, beta, pc, n);
        else
        {
            var general = Kernel(_runtime, RuntimeKernels.GeneralMatMul);
            long entries = (long)m * n * (cBatched ? batch : 1);
            general.Launch(Blocks(entries), ThreadsPerBlock, 0, pa, aBatched ? 1 : 0, aCols, transposeA ? 1 : 0,
                pb, bBatched ? 1 : 0, bCols, transposeB ? 1 : 0, pc, cBatched ? 1 : 0, m, n, k, batch, accumulate ? 1 : 0);
        }
    }

    // Kernels are looked up once per name (the model's and the runtime's names never collide: ours start "nggen_").
    private CudaKernel Kernel(CudaModule module, string name)
    {
        if (!_kernels.TryGetValue(name, out var kernel))
        {
            kernel = module.GetKernel(name);
            _kernels[name] = kernel;
        }

        return kernel;
    }

    private void Gemm(bool transposeA, bool transposeB, int m, int n, int k, ulong a, int lda, ulong b, int ldb, T beta, ulong c, int ldc)
    {
        if (typeof(T) == typeof(float))
            _cublas.Gemm(transposeA, transposeB, m, n, k, 1f, a, lda, b, ldb, float.CreateTruncating(beta), c, ldc);
        else
            _cublas.Gemm(transposeA, transposeB, m, n, k, 1d, a, lda, b, ldb, double.CreateTruncating(beta), c, ldc);
    }

    private unsafe ulong Address(DeviceOperand operand) => _regions[(int)operand.Region] + (ulong)operand.Offset * (ulong)sizeof(T);

    private static uint Blocks(long threads) => (uint)Math.Clamp((threads + ThreadsPerBlock - 1) / ThreadsPerBlock, 1, MaxBlocks);

    /// <inheritdoc/>
    public void Dispose()
    {
        _workspace.Dispose();
        _linearization.Dispose();
        if (_ownsCublas)
            _cublas.Dispose();
    }
}
