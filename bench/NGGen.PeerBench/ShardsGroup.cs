using NGGen.Kernels;

namespace NGGen.PeerBench;

/// <summary>
/// The evidence for <see cref="ShardedBatch{TModel, T}.DefaultShards"/>, NGGen alone: the MLP's float32 gradient
/// (linearize, residual, loss, linearized VJP) on one shard, the whole batch with split products, against one shard
/// per kernel thread, at every width and batch of the MLP group. The two run alternately in one process, round after
/// round, and each reports the median of its rounds' medians, so the VM's drift falls on both alike.
/// </summary>
public static class ShardsGroup
{
    private const int Rounds = 7;

    public static void Run(PeerOptions options)
    {
        IReadOnlyList<int> widths = options.WidthsOr([64], MlpGroup.Widths);
        IReadOnlyList<int> batches = options.BatchesOr([256], MlpGroup.Batches);
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
        float[] x = Fill(n), y = Fill(n);
        var gradient = new float[p];
        int threads = KernelThreads.ThreadCount;
        var one = new ShardedBatch<TModel, float>(0, x, batch, y, shards: 1);
        var sharded = new ShardedBatch<TModel, float>(0, x, batch, y, shards: threads);
        int chosen = ShardedBatch<TModel, float>.DefaultShards(batch);

        var variants = new (string Name, int Shards, Action Call)[]
        {
            ("one_batch", 1, () => one.Gradient(theta, gradient)),
            ("sharded", sharded.ShardCount, () => sharded.Gradient(theta, gradient)),
        };
        var timings = Measure.Alternated(variants.Select(v => v.Call).ToArray(), Rounds);
        for (int v = 0; v < variants.Length; v++)
            ResultWriter.Write("shards", $"{variants[v].Name}/w{width}/b{batch}", timings[v],
                ("width", width), ("batch", batch), ("variant", variants[v].Name), ("shards", variants[v].Shards), ("default_shards", chosen));
    }
}
