namespace NGGen.Samples.PinnPoisson;

/// <summary>The paper's initialisation (its <c>init_params</c>, from the JAX documentation): every weight and bias
/// drawn from 0.1·N(0, 1). NGGen's default (Glorot weights, zero biases) starts the 2D Poisson ENGD run on a long
/// plateau; this start is the paper's and leaves it sooner.</summary>
public static class PaperInitialization
{
    /// <summary>The standard deviation of every parameter.</summary>
    public const double Scale = 0.1;

    /// <summary>Fills <paramref name="theta"/> with independent 0.1·N(0, 1) draws (Box–Muller on a seeded generator).</summary>
    public static void Fill(Span<double> theta, int seed)
    {
        var random = new Random(seed);
        for (int j = 0; j < theta.Length; j++)
        {
            // 1 − U lies in (0, 1], so the logarithm is finite.
            double radius = Math.Sqrt(-2 * Math.Log(1 - random.NextDouble()));
            theta[j] = Scale * radius * Math.Cos(2 * Math.PI * random.NextDouble());
        }
    }
}
