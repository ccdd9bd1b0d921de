using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using NGGen.Kernels;

namespace NGGen;

/// <summary>
/// One model function's batch split into shards of whole samples, each evaluated from end to end on its own kernel
/// thread (data parallelism), with the parameter-space results summed over the shards.
/// </summary>
/// <remarks>
/// <para>
/// The generated entry points split each matrix product and elementwise pass across the kernel threads, which pays
/// for large layers. Narrow layers lose there: a 64-wide layer's products are too small to split (the threads then
/// exchange each product's result through their caches) and the passes between them are short. A shard keeps its
/// samples' activations on one core for the whole forward and backward pass, and the threads meet once per call.
/// On the two-core VM the MLP gradient ran 1.4–1.8× faster this way at width 64 and batches of 256 and more, 1.1–1.3×
/// at width 256 and batch 2048, and 1.1× at width 1024 and batch 2048; with too few samples per shard it is slower,
/// which <see cref="DefaultShards"/> avoids (bench/RESULTS.md, "Fourteenth session: sharded batches").
/// </para>
/// <para>
/// The inputs (and targets) are copied into per-shard feature-major arrays once, at construction. Results are
/// deterministic: the shard count is fixed, and shard sums are added in shard order whether or not the shards ran
/// in parallel; they differ from one whole-batch call only by the order of the sums over samples. Nothing
/// allocates after construction. One call at a time: an instance holds the linearization of its last
/// <see cref="Gradient"/> or <see cref="Linearize"/>.
/// </para>
/// </remarks>
/// <typeparam name="TModel">The generated model.</typeparam>
/// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
public sealed unsafe class ShardedBatch<TModel, T>
    where TModel : IModel<TModel>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly Shard[] _shards;
    private readonly int _inputSize;
    private readonly int _outputSize;

    /// <summary>Copies <paramref name="inputs"/> (and <paramref name="targets"/>) into <paramref name="shards"/>
    /// shards of near-equal sample counts.</summary>
    /// <param name="function">The model function id.</param>
    /// <param name="inputs">Feature-major inputs, input size × <paramref name="batch"/>.</param>
    /// <param name="batch">Samples.</param>
    /// <param name="targets">Feature-major targets y for <see cref="Gradient"/> (output size × batch), or empty for zero targets.</param>
    /// <param name="shards">Shards, never more than the samples; 0 (the default) takes <see cref="DefaultShards"/>.</param>
    /// <exception cref="ArgumentOutOfRangeException">The function id is unknown, or the batch or shard count is out of range.</exception>
    /// <exception cref="ArgumentException">The inputs or targets do not have the function's sizes times the batch.</exception>
    public ShardedBatch(int function, ReadOnlySpan<T> inputs, int batch, ReadOnlySpan<T> targets = default, int shards = 0)
    {
        if ((uint)function >= (uint)TModel.Functions.Count)
            throw new ArgumentOutOfRangeException(nameof(function), function, $"{TModel.Name} has no function {function}.");
        ArgumentOutOfRangeException.ThrowIfLessThan(batch, 1);
        ArgumentOutOfRangeException.ThrowIfNegative(shards);
        var info = TModel.Functions[function];
        if (inputs.Length != info.InputSize * batch)
            throw new ArgumentException($"{info.Name}: the inputs have {inputs.Length} entries, expected {info.InputSize} × {batch}.", nameof(inputs));
        if (!targets.IsEmpty && targets.Length != info.OutputSize * batch)
            throw new ArgumentException($"{info.Name}: the targets have {targets.Length} entries, expected {info.OutputSize} × {batch} (or none).", nameof(targets));

        Function = function;
        Batch = batch;
        _inputSize = info.InputSize;
        _outputSize = info.OutputSize;
        int count = Math.Min(shards == 0 ? DefaultShards(batch) : shards, batch);
        _shards = new Shard[count];
        for (int s = 0; s < count; s++)
        {
            var (start, end) = KernelThreads.Share(batch, s, count);
            var shard = new Shard(function, start, end - start, _inputSize, _outputSize);
            Gather(inputs, batch, _inputSize, shard.Start, shard.Count, shard.Inputs);
            if (!targets.IsEmpty)
                Gather(targets, batch, _outputSize, shard.Start, shard.Count, shard.Targets);
            _shards[s] = shard;
        }
    }

    // Samples per shard from which sharding paid on the two-core VM (bench/RESULTS.md, "Fourteenth session: sharded
    // batches"): w64 b256 (128 per shard) 0.149 → 0.084 ms and w16 b256 0.019 → 0.014 ms, but at 16 per shard the b32
    // gradients were 1.0-1.9x slower at every width.
    private const int MinSamplesPerShard = 128;

    // Parameter bytes per sample a shard must have: each shard reads all of θ on every pass, where split products
    // read each weight once, so a shard needs enough samples to pay for that traffic. Measured on the VM (float32
    // MLP gradient, alternated): w1024 (12.6 MB) at 1024 samples per shard 150 → 137 ms, at 512 71.0 → 68.7 ms, at
    // 128 16.1 → 16.6 ms (slower); w256 in double (1.6 MB) at 128 samples per shard 3.26 → 3.17 ms. One sample per
    // 16 KiB puts the bound between 512 and 1024 at w1024 and below the 128-sample floor at w256.
    private const int ParameterBytesPerSample = 16 << 10;

    /// <summary>
    /// The shard count a batch of <paramref name="batch"/> samples gets by default: one per kernel thread when every
    /// shard gets at least 128 samples and at least one sample per 16 KiB of θ (so that each shard reading all the
    /// weights pays off), else 1 (the whole batch, with split products). Never a count between: each shard's products
    /// run on its own thread alone, so fewer shards than threads would leave threads idle that split products use.
    /// </summary>
    public static int DefaultShards(int batch)
    {
        int threads = KernelThreads.ThreadCount;
        long parameterBytes = (long)TModel.ParameterCount * Unsafe.SizeOf<T>();
        long minSamples = Math.Max(MinSamplesPerShard, parameterBytes / ParameterBytesPerSample);
        return threads > 1 && batch / minSamples >= threads ? threads : 1;
    }

    /// <summary>The model function id.</summary>
    public int Function { get; }

    /// <summary>Samples in the whole batch.</summary>
    public int Batch { get; }

    /// <summary>Shards the batch is split into.</summary>
    public int ShardCount => _shards.Length;

    /// <summary>outputs = F(θ, inputs), feature-major over the whole batch.</summary>
    public void Forward(ReadOnlySpan<T> theta, Span<T> outputs)
    {
        RequireLength(theta, TModel.ParameterCount, nameof(theta));
        RequireLength(outputs, _outputSize * Batch, nameof(outputs));
        var call = new Call { Batch = this, Pass = Pass.Forward, Theta = theta, Result = outputs };
        RunShards(ref call);
    }

    /// <summary>outputs = F(θ, inputs), keeping each shard's linearization for <see cref="LinearizedJvp"/>,
    /// <see cref="LinearizedVjp"/> and <see cref="GaussNewtonProduct"/>.</summary>
    public void Linearize(ReadOnlySpan<T> theta, Span<T> outputs)
    {
        RequireLength(theta, TModel.ParameterCount, nameof(theta));
        RequireLength(outputs, _outputSize * Batch, nameof(outputs));
        var call = new Call { Batch = this, Pass = Pass.Linearize, Theta = theta, Result = outputs };
        RunShards(ref call);
    }

    /// <summary>
    /// The squared loss ½‖F(θ) − y‖² over the whole batch, returned, and its gradient Jᵀ(F(θ) − y) written to
    /// <paramref name="gradient"/>. Linearizes at θ, as <see cref="Linearize"/> does; the residuals stay in the shards.
    /// </summary>
    public T Gradient(ReadOnlySpan<T> theta, Span<T> gradient)
    {
        RequireLength(theta, TModel.ParameterCount, nameof(theta));
        RequireLength(gradient, TModel.ParameterCount, nameof(gradient));
        var call = new Call { Batch = this, Pass = Pass.Gradient, Theta = theta, Result = gradient, Write = GradientWrite.Overwrite };
        RunShards(ref call);
        SumGradients(gradient);
        T loss = T.Zero;
        foreach (var shard in _shards)
            loss += shard.Loss;
        return loss;
    }

    /// <summary>result = JᵀJ·v, the Gauss-Newton product of the squared loss at the last linearization; the
    /// tangent outputs J·v stay in the shards.</summary>
    public void GaussNewtonProduct(ReadOnlySpan<T> theta, ReadOnlySpan<T> v, Span<T> result)
    {
        RequireLength(theta, TModel.ParameterCount, nameof(theta));
        RequireLength(v, TModel.ParameterCount, nameof(v));
        RequireLength(result, TModel.ParameterCount, nameof(result));
        var call = new Call { Batch = this, Pass = Pass.GaussNewtonProduct, Theta = theta, Vector = v, Result = result, Write = GradientWrite.Overwrite };
        RunShards(ref call);
        SumGradients(result);
    }

    /// <summary>jvp = J·tangent at the last linearization, feature-major over the whole batch.</summary>
    public void LinearizedJvp(ReadOnlySpan<T> theta, ReadOnlySpan<T> tangent, Span<T> jvp)
    {
        RequireLength(theta, TModel.ParameterCount, nameof(theta));
        RequireLength(tangent, TModel.ParameterCount, nameof(tangent));
        RequireLength(jvp, _outputSize * Batch, nameof(jvp));
        var call = new Call { Batch = this, Pass = Pass.LinearizedJvp, Theta = theta, Vector = tangent, Result = jvp };
        RunShards(ref call);
    }

    /// <summary>gradient = Jᵀ·cotangent (or += with <see cref="GradientWrite.Accumulate"/>) at the last
    /// linearization, the cotangent feature-major over the whole batch.</summary>
    public void LinearizedVjp(ReadOnlySpan<T> theta, ReadOnlySpan<T> cotangent, Span<T> gradient, GradientWrite write = GradientWrite.Overwrite)
    {
        RequireLength(theta, TModel.ParameterCount, nameof(theta));
        RequireLength(cotangent, _outputSize * Batch, nameof(cotangent));
        RequireLength(gradient, TModel.ParameterCount, nameof(gradient));
        var call = new Call { Batch = this, Pass = Pass.LinearizedVjp, Theta = theta, Vector = cotangent, Result = gradient, Write = write };
        RunShards(ref call);
        SumGradients(gradient);
    }

    private enum Pass
    {
        Forward,
        Linearize,
        Gradient,
        GaussNewtonProduct,
        LinearizedJvp,
        LinearizedVjp,
        SumGradients,
    }

    // One call's arguments, on the caller's stack for the duration of the fork-join.
    private ref struct Call
    {
        public ShardedBatch<TModel, T> Batch;
        public Pass Pass;
        public ReadOnlySpan<T> Theta;
        public ReadOnlySpan<T> Vector;
        public Span<T> Result;
        public GradientWrite Write;
    }

    // Each shard on its own kernel thread when the workers are free; otherwise (one thread, or a call from inside a
    // part) one after another on this thread, with the same results.
    private void RunShards(ref Call call)
    {
        if (_shards.Length > 1 && KernelThreads.TryRun(&RunPart, Unsafe.AsPointer(ref call), _shards.Length))
            return;
        for (int s = 0; s < _shards.Length; s++)
            RunPart(s, _shards.Length, Unsafe.AsPointer(ref call));
    }

    private static void RunPart(int part, int parts, void* state)
    {
        ref Call call = ref Unsafe.AsRef<Call>(state);
        call.Batch.RunShard(part, parts, ref call);
    }

    private void RunShard(int part, int parts, ref Call call)
    {
        if (call.Pass == Pass.SumGradients)
        {
            AddGradientSlice(part, parts, call.Result);
            return;
        }

        var shard = _shards[part];
        int fn = Function, b = shard.Count;
        // A lone shard holds the whole batch in the caller's layout, so it reads and writes the caller's spans.
        bool whole = _shards.Length == 1;
        Span<T> outputs = whole && call.Pass is Pass.Forward or Pass.Linearize or Pass.LinearizedJvp ? call.Result : shard.Outputs;
        // Shard 0 writes the caller's gradient as asked; the others' sums are added to it afterwards.
        Span<T> gradient = part == 0 ? call.Result : shard.Gradient;
        GradientWrite write = part == 0 ? call.Write : GradientWrite.Overwrite;
        switch (call.Pass)
        {
            case Pass.Forward:
                TModel.Forward(fn, call.Theta, shard.Inputs, b, outputs, shard.Workspace);
                break;
            case Pass.Linearize:
                TModel.Linearize(fn, call.Theta, shard.Inputs, b, shard.Linearization, outputs, shard.Workspace);
                break;
            case Pass.LinearizedJvp:
                TModel.LinearizedJvp(fn, call.Theta, shard.Inputs, b, shard.Linearization, call.Vector, outputs, shard.Workspace);
                break;
            case Pass.Gradient:
                TModel.Linearize(fn, call.Theta, shard.Inputs, b, shard.Linearization, shard.Outputs, shard.Workspace);
                shard.Loss = T.CreateTruncating(0.5) * SubtractAndSquaredNorm(shard.Outputs, shard.Targets);
                TModel.LinearizedVjp(fn, call.Theta, shard.Inputs, b, shard.Linearization, shard.Outputs, gradient, shard.Workspace, write);
                break;
            case Pass.GaussNewtonProduct:
                TModel.LinearizedJvp(fn, call.Theta, shard.Inputs, b, shard.Linearization, call.Vector, shard.Outputs, shard.Workspace);
                TModel.LinearizedVjp(fn, call.Theta, shard.Inputs, b, shard.Linearization, shard.Outputs, gradient, shard.Workspace, write);
                break;
            case Pass.LinearizedVjp:
                ReadOnlySpan<T> cotangent = call.Vector;
                if (!whole)
                {
                    Gather(call.Vector, Batch, _outputSize, shard.Start, shard.Count, shard.Outputs);
                    cotangent = shard.Outputs;
                }
                TModel.LinearizedVjp(fn, call.Theta, shard.Inputs, b, shard.Linearization, cotangent, gradient, shard.Workspace, write);
                break;
        }

        if (!whole && call.Pass is Pass.Forward or Pass.Linearize or Pass.LinearizedJvp)
            Scatter(shard.Outputs, call.Result, shard);
    }

    // values −= targets, returning ‖values‖² afterwards: one pass instead of a subtraction and a dot product.
    private static T SubtractAndSquaredNorm(Span<T> values, ReadOnlySpan<T> targets)
    {
        int n = values.Length, i = 0;
        ref T v = ref MemoryMarshal.GetReference(values);
        ref T y = ref MemoryMarshal.GetReference(targets);
        T sum = T.Zero;
        if (Vector512.IsHardwareAccelerated && Vector512<T>.IsSupported)
        {
            int width = Vector512<T>.Count;
            Vector512<T> s0 = Vector512<T>.Zero, s1 = Vector512<T>.Zero;
            for (; i <= n - (2 * width); i += 2 * width)
            {
                var r0 = Vector512.LoadUnsafe(ref v, (nuint)i) - Vector512.LoadUnsafe(ref y, (nuint)i);
                var r1 = Vector512.LoadUnsafe(ref v, (nuint)(i + width)) - Vector512.LoadUnsafe(ref y, (nuint)(i + width));
                r0.StoreUnsafe(ref v, (nuint)i);
                r1.StoreUnsafe(ref v, (nuint)(i + width));
                s0 += r0 * r0;
                s1 += r1 * r1;
            }
            sum = Vector512.Sum(s0 + s1);
        }
        else if (Vector256.IsHardwareAccelerated && Vector256<T>.IsSupported)
        {
            int width = Vector256<T>.Count;
            Vector256<T> s0 = Vector256<T>.Zero;
            for (; i <= n - width; i += width)
            {
                var r0 = Vector256.LoadUnsafe(ref v, (nuint)i) - Vector256.LoadUnsafe(ref y, (nuint)i);
                r0.StoreUnsafe(ref v, (nuint)i);
                s0 += r0 * r0;
            }
            sum = Vector256.Sum(s0);
        }
        else if (Vector128.IsHardwareAccelerated && Vector128<T>.IsSupported)
        {
            int width = Vector128<T>.Count;
            Vector128<T> s0 = Vector128<T>.Zero;
            for (; i <= n - width; i += width)
            {
                var r0 = Vector128.LoadUnsafe(ref v, (nuint)i) - Vector128.LoadUnsafe(ref y, (nuint)i);
                r0.StoreUnsafe(ref v, (nuint)i);
                s0 += r0 * r0;
            }
            sum = Vector128.Sum(s0);
        }
        for (; i < n; i++)
        {
            T r = Unsafe.Add(ref v, i) - Unsafe.Add(ref y, i);
            Unsafe.Add(ref v, i) = r;
            sum += r * r;
        }
        return sum;
    }

    // gradient += Σ gradients of shards 1, 2, … (shard 0 wrote the caller's gradient), in shard order, each thread
    // summing its own slice of the parameters.
    private void SumGradients(Span<T> gradient)
    {
        if (_shards.Length == 1)
            return;
        var call = new Call { Batch = this, Pass = Pass.SumGradients, Result = gradient };
        RunShards(ref call);
    }

    private void AddGradientSlice(int part, int parts, Span<T> gradient)
    {
        var (start, end) = KernelThreads.Share(gradient.Length, part, parts);
        var slice = gradient[start..end];
        // Not TensorPrimitives.Add: from 256 KiB it stores past the caches, and the caller reads the gradient next.
        for (int s = 1; s < _shards.Length; s++)
            CachedArithmetic.Add(slice, _shards[s].Gradient.Slice(start, end - start));
    }

    // The shard's own feature-major copy of columns [start, start + count) of a rows × batch array.
    private static void Gather(ReadOnlySpan<T> whole, int batch, int rows, int start, int count, Span<T> shard)
    {
        for (int i = 0; i < rows; i++)
            whole.Slice((i * batch) + start, count).CopyTo(shard.Slice(i * count, count));
    }

    private void Scatter(ReadOnlySpan<T> shardValues, Span<T> whole, Shard shard)
    {
        for (int i = 0; i < _outputSize; i++)
            shardValues.Slice(i * shard.Count, shard.Count).CopyTo(whole.Slice((i * Batch) + shard.Start, shard.Count));
    }

    private static void RequireLength(ReadOnlySpan<T> span, int length, string name)
    {
        if (span.Length != length)
            throw new ArgumentException($"{name} has {span.Length} entries, expected {length}.", name);
    }

    // Every buffer starts on a cache line (AlignedMemory): with one shard, its products are split across the threads,
    // which ran up to a third slower with an output that starts inside a line.
    private sealed class Shard
    {
        private readonly Memory<T> _inputs, _targets, _outputs, _linearization, _workspace, _gradient;

        public Shard(int function, int start, int count, int inputSize, int outputSize)
        {
            Start = start;
            Count = count;
            _inputs = AlignedMemory.Allocate<T>(inputSize * count);
            _targets = AlignedMemory.Allocate<T>(outputSize * count);
            _outputs = AlignedMemory.Allocate<T>(outputSize * count);
            _linearization = AlignedMemory.Allocate<T>(TModel.LinearizationLength(function, count));
            _workspace = AlignedMemory.Allocate<T>(Enum.GetValues<EvaluationKind>().Max(kind => TModel.WorkspaceLength(function, kind, count)));
            _gradient = AlignedMemory.Allocate<T>(TModel.ParameterCount);
        }

        public int Start { get; }
        public int Count { get; }
        public Span<T> Inputs => _inputs.Span;
        public Span<T> Targets => _targets.Span;
        public Span<T> Outputs => _outputs.Span;
        public Span<T> Linearization => _linearization.Span;
        public Span<T> Workspace => _workspace.Span;
        public Span<T> Gradient => _gradient.Span;
        public T Loss { get; set; }
    }
}
