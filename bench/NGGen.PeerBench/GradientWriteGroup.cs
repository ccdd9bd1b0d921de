using NGGen.Bench;

namespace NGGen.PeerBench;

/// <summary>
/// What <see cref="GradientWrite.Overwrite"/> saves, NGGen alone: the MLP's linearized VJP (the backward half of
/// the gradient) timed as the benchmark timed it before the twelfth session, clearing the gradient and then adding
/// into it, against overwriting it. The two run alternately in one process, round after round, and each reports the
/// median of its rounds' medians, so the VM's drift falls on both alike.
/// </summary>
public static class GradientWriteGroup
{
    private const int Rounds = 7;

    public static void Run(PeerOptions options)
    {
        IReadOnlyList<int> widths = options.Widths.Count > 0 ? options.Widths : options.Quick ? [256] : [64, 256, 1024];
        IReadOnlyList<int> batches = options.Batches.Count > 0 ? options.Batches : options.Quick ? [32] : [32, 256, 2048];
        foreach (int width in widths)
            foreach (int batch in batches)
            {
                switch (width)
                {
                    case 16: RunCase<Mlp16>(batch); break;
                    case 64: RunCase<Mlp64>(batch); break;
                    case 256: RunCase<Mlp256>(batch); break;
                    case 1024: RunCase<Mlp1024>(batch); break;
                    default: throw new ArgumentOutOfRangeException(nameof(options), width, "No benchmark MLP of this width.");
                }
            }
    }

    private static void RunCase<TModel>(int batch) where TModel : IModel<TModel>
    {
        int width = TModel.Functions[0].OutputSize, p = TModel.ParameterCount, n = width * batch;
        var random = new Random(width * 7919 + batch);
        float[] Fill(int length) => Enumerable.Range(0, length).Select(_ => (float)(2 * random.NextDouble() - 1)).ToArray();
        var theta = new float[p];
        TModel.InitializeParameters<float>(theta, 1);
        float[] x = Fill(n), u = Fill(n);
        var workspace = new float[Enum.GetValues<EvaluationKind>().Max(k => TModel.WorkspaceLength(0, k, batch))];
        var linearization = new float[TModel.LinearizationLength(0, batch)];
        TModel.Linearize<float>(0, theta, x, batch, linearization, new float[n], workspace);
        var gradient = new float[p];

        var variants = new (string Name, Action Call)[]
        {
            ("clear_then_accumulate", () =>
            {
                Array.Clear(gradient);
                TModel.LinearizedVjp<float>(0, theta, x, batch, linearization, u, gradient, workspace);
            }),
            ("overwrite", () => TModel.LinearizedVjp<float>(0, theta, x, batch, linearization, u, gradient, workspace, GradientWrite.Overwrite)),
        };
        var medians = variants.Select(_ => new double[Rounds]).ToArray();
        foreach (var (_, call) in variants)
            Measure.MedianOver(call, Measure.WarmupSeconds / 4);
        for (int round = 0; round < Rounds; round++)
            for (int v = 0; v < variants.Length; v++)
                medians[v][round] = Measure.MedianOver(variants[v].Call, Measure.MinSeconds / 4);
        for (int v = 0; v < variants.Length; v++)
        {
            Array.Sort(medians[v]);
            ResultWriter.Write("writes", $"{variants[v].Name}/w{width}/b{batch}", new Timing(medians[v][Rounds / 2], Rounds, 0),
                ("width", width), ("batch", batch), ("variant", variants[v].Name));
        }
    }
}
