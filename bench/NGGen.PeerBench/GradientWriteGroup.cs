
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
        IReadOnlyList<int> widths = options.WidthsOr([256], [64, 256, 1024]);
        IReadOnlyList<int> batches = options.BatchesOr([32], [32, 256, 2048]);
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
        var timings = Measure.Alternated(variants.Select(v => v.Call).ToArray(), Rounds);
        for (int v = 0; v < variants.Length; v++)
            ResultWriter.Write("writes", $"{variants[v].Name}/w{width}/b{batch}", timings[v],
                ("width", width), ("batch", batch), ("variant", variants[v].Name));
    }
}
