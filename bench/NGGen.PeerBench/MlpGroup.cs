using NGGen.IO;
using System.Globalization;
using NGGen.Bench;

namespace NGGen.PeerBench;

/// <summary>
/// MLP derivatives in float32: x ∈ Rʷ → tanh(W₁x + b₁) → tanh(W₂· + b₂) → W₃· + b₃, squared loss
/// L = ½ Σₛ ‖f(xₛ) − yₛ‖². Cases (bench/peers/torch_mlp.py times the same ones):
/// <list type="bullet">
/// <item>forward: f(x);</item>
/// <item>jvp: J·v for a parameter tangent v (runs its own forward);</item>
/// <item>jvp_linearized: the same J·v from a stored linearization, as every CG step of GN-CG runs it (NGGen only; one
/// whole-batch call like jvp, checked against it before timing);</item>
/// <item>vjp: Jᵀ·u for an output cotangent u (runs its own forward);</item>
/// <item>grad: L and ∇L (one forward that keeps activations, one backward), on a <see cref="ShardedBatch{TModel, T}"/> at
/// its default shards;</item>
/// <item>grad_one_batch: the same as one whole-batch call with split products, where the default is several shards (NGGen only);</item>
/// <item>ggn: G·v = Jᵀ(J v) from scratch (linearize, tangent, transpose), sharded like grad;</item>
/// <item>ggn_fused: G·v from a stored linearization, what every CG step of GN-CG runs (NGGen only), sharded like grad.</item>
/// </list>
/// </summary>
public static class MlpGroup
{
    public static readonly int[] Widths = [16, 64, 256, 1024];
    public static readonly int[] Batches = [32, 256, 2048];

    public static void Run(PeerOptions options)
    {
        IReadOnlyList<int> widths = options.WidthsOr([16, 64], Widths);
        IReadOnlyList<int> batches = options.BatchesOr([32, 256], Batches);
        foreach (int width in widths)
            foreach (int batch in batches)
            {
                string directory = options.GroupDirectory(Path.Combine("mlp", $"w{width}_b{batch}"));
                switch (width)
                {
                    case 16: RunCase<Mlp16>(batch, directory); break;
                    case 64: RunCase<Mlp64>(batch, directory); break;
                    case 256: RunCase<Mlp256>(batch, directory); break;
                    case 1024: RunCase<Mlp1024>(batch, directory); break;
                    default: throw new ArgumentOutOfRangeException(nameof(options), width, "No benchmark MLP of this width.");
                }
            }
    }

    private static void RunCase<TModel>(int batch, string directory) where TModel : IModel<TModel>
    {
        int width = TModel.Functions[0].OutputSize;
        int p = TModel.ParameterCount;
        int n = width * batch;
        var random = new Random(width * 7919 + batch);
        float Uniform() => (float)(2 * random.NextDouble() - 1);

        // Every buffer starts on a 64-byte line, as PyTorch's allocator places tensors: a product split across the
        // cores whose output starts inside a line runs up to a third slower (AlignedMemory).
        Memory<float> theta = AlignedMemory.Allocate<float>(p);
        TModel.InitializeParameters<float>(theta.Span, 1);
        Memory<float> x = Fill(n, Uniform), y = Fill(n, Uniform), u = Fill(n, Uniform), v = Fill(p, Uniform);

        int workspaceLength = Enum.GetValues<EvaluationKind>().Max(k => TModel.WorkspaceLength(0, k, batch));
        Memory<float> workspace = AlignedMemory.Allocate<float>(workspaceLength);
        Memory<float> linearization = AlignedMemory.Allocate<float>(TModel.LinearizationLength(0, batch));
        Memory<float> outputs = AlignedMemory.Allocate<float>(n);
        Memory<float> tangentOut = AlignedMemory.Allocate<float>(n);
        Memory<float> linearizedTangentOut = AlignedMemory.Allocate<float>(n);
        Memory<float> residual = AlignedMemory.Allocate<float>(n);
        Memory<float> gradient = AlignedMemory.Allocate<float>(p);
        Memory<float> product = AlignedMemory.Allocate<float>(p);
        Memory<float> vjp = AlignedMemory.Allocate<float>(p);
        float loss = 0;

        void Forward() => TModel.Forward<float>(0, theta.Span, x.Span, batch, outputs.Span, workspace.Span);
        void Jvp() => TModel.Jvp<float>(0, theta.Span, x.Span, batch, v.Span, tangentOut.Span, workspace.Span);
        void LinearizedJvp() => TModel.LinearizedJvp<float>(0, theta.Span, x.Span, batch, linearization.Span, v.Span, linearizedTangentOut.Span, workspace.Span);
        void Vjp() => TModel.Vjp<float>(0, theta.Span, x.Span, batch, u.Span, vjp.Span, workspace.Span, GradientWrite.Overwrite);
        // The training calls (gradient, GGN products) run on a ShardedBatch, as a training loop would: at its default
        // shard count (one per kernel thread from 128 samples per shard and one sample per 16 KiB of θ), else the whole batch.
        var sharded = new ShardedBatch<TModel, float>(0, x.Span, batch, y.Span);
        void Gradient() => loss = sharded.Gradient(theta.Span, gradient.Span);
        void FusedProduct() => sharded.GaussNewtonProduct(theta.Span, v.Span, product.Span);
        void Product()
        {
            sharded.Linearize(theta.Span, outputs.Span);
            FusedProduct();
        }

        // The gradient as one whole-batch call with split products, timed next to the sharded one where they differ.
        void OneBatchGradient()
        {
            TModel.Linearize<float>(0, theta.Span, x.Span, batch, linearization.Span, residual.Span, workspace.Span);
            System.Numerics.Tensors.TensorPrimitives.Subtract(residual.Span, y.Span, residual.Span);
            loss = 0.5f * System.Numerics.Tensors.TensorPrimitives.Dot(residual.Span, residual.Span);
            TModel.LinearizedVjp<float>(0, theta.Span, x.Span, batch, linearization.Span, residual.Span, gradient.Span, workspace.Span, GradientWrite.Overwrite);
        }

        // Reference outputs for the peers' agreement check, computed once before timing.
        NpyFile.Write<float>(Path.Combine(directory, "theta.npy"), theta.Span, p);
        NpyFile.Write<float>(Path.Combine(directory, "x.npy"), x.Span, width, batch);
        NpyFile.Write<float>(Path.Combine(directory, "y.npy"), y.Span, width, batch);
        NpyFile.Write<float>(Path.Combine(directory, "u.npy"), u.Span, width, batch);
        NpyFile.Write<float>(Path.Combine(directory, "v.npy"), v.Span, p);
        WriteLayout<TModel>(Path.Combine(directory, "layout.json"));
        Forward();
        NpyFile.Write<float>(Path.Combine(directory, "out_forward.npy"), outputs.Span, width, batch);
        Jvp();
        NpyFile.Write<float>(Path.Combine(directory, "out_jvp.npy"), tangentOut.Span, width, batch);
        TModel.Linearize<float>(0, theta.Span, x.Span, batch, linearization.Span, residual.Span, workspace.Span);
        LinearizedJvp();
        RequireAgreement(linearizedTangentOut.Span, tangentOut.Span, $"jvp_linearized against jvp at w{width} b{batch}");
        Vjp();
        NpyFile.Write<float>(Path.Combine(directory, "out_vjp.npy"), vjp.Span, p);
        Gradient();
        NpyFile.Write<float>(Path.Combine(directory, "out_grad.npy"), gradient.Span, p);
        NpyFile.Write<float>(Path.Combine(directory, "out_loss.npy"), [loss], 1);
        Product();
        NpyFile.Write<float>(Path.Combine(directory, "out_ggn.npy"), product.Span, p);

        var cases = new List<(string, Action)> { ("forward", Forward), ("jvp", Jvp), ("jvp_linearized", LinearizedJvp), ("vjp", Vjp), ("grad", Gradient), ("ggn", Product), ("ggn_fused", FusedProduct) };
        if (sharded.ShardCount > 1)
            cases.Insert(5, ("grad_one_batch", OneBatchGradient));
        foreach (var (op, call) in cases)
        {
            // ggn_fused reads the linearization the previous Product call left at θ.
            var timing = Measure.Median(call);
            ResultWriter.Write("mlp", $"{op}/w{width}/b{batch}", timing,
                ("op", op), ("width", width), ("batch", batch), ("flops", Flops(op, width, batch)), ("shards", sharded.ShardCount));
        }
    }

    /// <summary>One benchmark case at a width the caller picks as <typeparamref name="TModel"/>'s.</summary>
    internal interface ICase
    {
        void Run<TModel>(int batch) where TModel : IModel<TModel>;
    }

    /// <summary>Runs <paramref name="runner"/> on the benchmark MLP of every width, at every batch.</summary>
    internal static void ForEachCase<TCase>(IReadOnlyList<int> widths, IReadOnlyList<int> batches, TCase runner)
        where TCase : ICase
    {
        foreach (int width in widths)
            foreach (int batch in batches)
            {
                switch (width)
                {
                    case 16: runner.Run<Mlp16>(batch); break;
                    case 64: runner.Run<Mlp64>(batch); break;
                    case 256: runner.Run<Mlp256>(batch); break;
                    case 1024: runner.Run<Mlp1024>(batch); break;
                    default: throw new ArgumentOutOfRangeException(nameof(widths), width, "No benchmark MLP of this width.");
                }
            }
    }

    /// <summary>Multiply-add flops of the matrix products in one call (2 per multiply-add), for GFLOP/s columns.</summary>
    public static double Flops(string op, int width, int batch)
    {
        double product = 2.0 * width * width * batch;
        return op switch
        {
            "forward" => 3 * product,
            // Primal z₁, z₂ (the output layer's is not needed for J·v), tangent: dW₁x, dW₂h₁ + W₂dh₁, dW₃h₂ + W₃dh₂.
            "jvp" => 7 * product,
            // Tangent only: dW₁x, dW₂h₁ + W₂dh₁, dW₃h₂ + W₃dh₂ (the activations come from the linearization).
            "jvp_linearized" => 5 * product,
            // Forward 2 (the output layer's primal is not needed for Jᵀu), backward: 3 weight gradients, 2 input
            // cotangents (none needed for x).
            "vjp" => 7 * product,
            // The same with the output layer's primal, which the loss needs.
            "grad" or "grad_one_batch" => 8 * product,
            // Linearize 3 + tangent 5 + transpose 5.
            "ggn" => 13 * product,
            "ggn_fused" => 10 * product,
            _ => throw new ArgumentOutOfRangeException(nameof(op), op, "Unknown MLP case."),
        };
    }

    // The two JVPs compute the same products in different orders; float32 rounding differs by a few ulps of the
    // largest entry, far below the 1e-3 that a wrong tangent (a missing or doubled term) would exceed.
    private static void RequireAgreement(ReadOnlySpan<float> actual, ReadOnlySpan<float> expected, string what)
    {
        float scale = Math.Abs(System.Numerics.Tensors.TensorPrimitives.MaxMagnitude(expected));
        float difference = 0;
        for (int i = 0; i < actual.Length; i++)
            difference = Math.Max(difference, Math.Abs(actual[i] - expected[i]));
        if (!(difference <= 1e-3f * scale))
            throw new InvalidOperationException($"{what}: max difference {difference:G3} against max |J·v| {scale:G3}.");
    }

    /// <summary><paramref name="length"/> values from <paramref name="next"/> in a buffer on a cache line.</summary>
    internal static Memory<float> Fill(int length, Func<float> next)
    {
        Memory<float> values = AlignedMemory.Allocate<float>(length);
        var span = values.Span;
        for (int i = 0; i < length; i++)
            span[i] = next();
        return values;
    }

    /// <summary>The parameter layout (name, shape, offset into θ) as JSON, so a peer can slice θ like NGGen.</summary>
    internal static void WriteLayout<TModel>(string path) where TModel : IModel<TModel>
    {
        var entries = TModel.Parameters.Select(q =>
            string.Create(CultureInfo.InvariantCulture, $"{{\"name\":\"{q.Name}\",\"shape\":[{string.Join(",", q.Shape)}],\"offset\":{q.Offset}}}"));
        File.WriteAllText(path, "[" + string.Join(",", entries) + "]\n");
    }
}
