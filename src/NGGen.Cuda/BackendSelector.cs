namespace NGGen.Cuda;

/// <summary>Where a model's passes run.</summary>
public enum ComputeBackend
{
    /// <summary>The generated C# on the CPU.</summary>
    Cpu,

    /// <summary>The generated CUDA C on a GPU.</summary>
    Cuda,
}

/// <summary>What the caller asks for.</summary>
public enum BackendPreference
{
    /// <summary>The GPU when CUDA is available and a forward pass is large enough to gain from it, else the CPU.</summary>
    Auto,

    /// <summary>Always the CPU.</summary>
    Cpu,

    /// <summary>The GPU; the CPU, with the reason, when CUDA is unavailable.</summary>
    Cuda,
}

/// <summary>The backend chosen and why, in one line.</summary>
/// <param name="Backend">Where the passes run.</param>
/// <param name="Reason">Why, in one line (printed once per process when a log is given).</param>
/// <param name="ForwardWork">Multiply-adds and elementwise entries of one forward pass over the batch.</param>
public sealed record BackendChoice(ComputeBackend Backend, string Reason, long ForwardWork);

/// <summary>
/// Chooses CPU or GPU for a model and batch: explicit, or automatic by the size of a forward pass (small models stay
/// on the CPU, where launch latency does not dominate). Without CUDA the answer is the CPU with one line saying why.
/// </summary>
public static class BackendSelector
{
    /// <summary>
    /// Work of one forward pass (multiply-adds plus elementwise entries over the batch) from which
    /// <see cref="BackendPreference.Auto"/> picks the GPU: 2²⁶, about 10 ms of one CPU core, where a GPU pass of a
    /// few dozen kernel launches (5-10 µs each) is well ahead.
    /// </summary>
    public const long DefaultGpuMinimumWork = 1L << 26;

    private static readonly HashSet<string> s_printed = [];

    /// <summary>Chooses for the process's CUDA availability and writes the reason to <paramref name="log"/> once per process.</summary>
    public static BackendChoice Choose<TModel>(BackendPreference preference, int function, int batch, TextWriter? log = null, long gpuMinimumWork = DefaultGpuMinimumWork)
        where TModel : IModel<TModel>
    {
        var choice = Choose<TModel>(preference, function, batch, CudaRuntime.Availability, gpuMinimumWork);
        if (log is not null)
        {
            lock (s_printed)
            {
                if (s_printed.Add(choice.Reason))
                    log.WriteLine(choice.Reason);
            }
        }

        return choice;
    }

    /// <summary>Chooses for a given availability (no output).</summary>
    public static BackendChoice Choose<TModel>(BackendPreference preference, int function, int batch, CudaAvailability availability, long gpuMinimumWork = DefaultGpuMinimumWork)
        where TModel : IModel<TModel>
    {
        long work = ForwardWork<TModel>(function, batch);
        return preference switch
        {
            BackendPreference.Cpu => new(ComputeBackend.Cpu, $"{TModel.Name}: running on the CPU (requested).", work),
            _ when !availability.IsAvailable => new(ComputeBackend.Cpu, $"{TModel.Name}: {availability.FallbackMessage}", work),
            BackendPreference.Cuda => new(ComputeBackend.Cuda, $"{TModel.Name}: running on the GPU (requested).", work),
            _ when work < gpuMinimumWork => new(ComputeBackend.Cpu,
                $"{TModel.Name}: running on the CPU: a forward pass at batch {batch} is {work:N0} operations, below the GPU threshold of {gpuMinimumWork:N0}.", work),
            _ => new(ComputeBackend.Cuda, $"{TModel.Name}: running on the GPU: a forward pass at batch {batch} is {work:N0} operations.", work),
        };
    }

    /// <summary>Multiply-adds of the products plus entries of the kernels in one forward pass, read off its CUDA plan.</summary>
    public static long ForwardWork<TModel>(int function, int batch)
        where TModel : IModel<TModel>
    {
        var counter = new WorkCounter();
        TModel.CudaPlan(function, EvaluationKind.Forward, batch, counter);
        return counter.Work;
    }

    private sealed class WorkCounter : IDevicePlanRunner
    {
        public long Work { get; private set; }

        public void Kernel(string name, long threads) => Work += threads;

        public void Reduction(string name, long entries, long length) => Work += entries * length;

        public void MatMul(DeviceOperand a, bool aBatched, int aCols, bool transposeA, DeviceOperand b, bool bBatched, int bCols, bool transposeB,
            DeviceOperand c, bool cBatched, int m, int n, int k, int batch, bool accumulate)
            => Work += (long)m * n * k * (aBatched || bBatched ? batch : 1);
    }
}
