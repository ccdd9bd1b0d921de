
namespace NGGen.PeerBench;

/// <summary>
/// What a buffer's place in memory costs, NGGen alone: the MLP's VJP (its own forward, then the backward products,
/// split across the kernel threads at these batches) with every buffer on a 64-byte line (<see cref="AlignedMemory"/>)
/// against the same buffers with the gradient, which the weight-gradient products write, 8 bytes past a line (as seven
/// .NET arrays in eight start). The two run alternately in one process, round after round, each reporting the median of
/// its rounds' medians. Both compute the same values; the check before timing says so.
/// </summary>
public static class AlignmentGroup
{
    private const int Rounds = 9;

    public static void Run(PeerOptions options)
    {
        IReadOnlyList<int> widths = options.WidthsOr([256], [64, 256, 1024]);
        IReadOnlyList<int> batches = options.BatchesOr([32], [32, 256]);
        MlpGroup.ForEachCase(widths, batches, default(Case));
    }

    private readonly struct Case : MlpGroup.ICase
    {
        public void Run<TModel>(int batch) where TModel : IModel<TModel> => RunCase<TModel>(batch);
    }

    private static void RunCase<TModel>(int batch) where TModel : IModel<TModel>
    {
        int width = TModel.Functions[0].OutputSize, p = TModel.ParameterCount, n = width * batch;
        var random = new Random(width * 7919 + batch);
        Memory<float> theta = AlignedMemory.Allocate<float>(p);
        TModel.InitializeParameters<float>(theta.Span, 1);
        float Uniform() => (float)((2 * random.NextDouble()) - 1);
        Memory<float> x = MlpGroup.Fill(n, Uniform), u = MlpGroup.Fill(n, Uniform);
        Memory<float> workspace = AlignedMemory.Allocate<float>(Enum.GetValues<EvaluationKind>().Max(k => TModel.WorkspaceLength(0, k, batch)));
        Memory<float> onLine = AlignedMemory.Allocate<float>(p);
        // Two floats past the line: the gradient's rows (whole lines long at these widths) all start 8 bytes in.
        Memory<float> offLine = AlignedMemory.Allocate<float>(p + 2)[2..];

        void Vjp(Memory<float> gradient)
            => TModel.Vjp<float>(0, theta.Span, x.Span, batch, u.Span, gradient.Span, workspace.Span, GradientWrite.Overwrite);
        Vjp(onLine);
        Vjp(offLine);
        if (!onLine.Span.SequenceEqual(offLine.Span))
            throw new InvalidOperationException($"alignment w{width} b{batch}: the VJP differs with the gradient off a line.");

        var variants = new (string Name, Action Call)[]
        {
            ("on_line", () => Vjp(onLine)),
            ("off_line_8_bytes", () => Vjp(offLine)),
        };
        var timings = Measure.Alternated(variants.Select(v => v.Call).ToArray(), Rounds);
        for (int v = 0; v < variants.Length; v++)
            ResultWriter.Write("alignment", $"{variants[v].Name}/w{width}/b{batch}", timings[v],
                ("width", width), ("batch", batch), ("variant", variants[v].Name));
    }
}
