namespace NGGen.Samples.SobolevRegression;

/// <summary>The regression target: a smooth wave plus a sharp step, f(x) = sin(2πx) + tanh(S(x − 0.3)), S = 15.</summary>
public static class Target
{
    /// <summary>The steepness S of the step.</summary>
    public const double Sharpness = 15;

    /// <summary>Where the step sits.</summary>
    public const double StepAt = 0.3;

    /// <summary>f(x).</summary>
    public static double Value(double x) => Math.Sin(2 * Math.PI * x) + Math.Tanh(Sharpness * (x - StepAt));

    /// <summary>f'(x) = 2π cos(2πx) + S sech²(S(x − 0.3)).</summary>
    public static double Derivative(double x)
    {
        double t = Math.Tanh(Sharpness * (x - StepAt));
        return 2 * Math.PI * Math.Cos(2 * Math.PI * x) + Sharpness * (1 - t * t);
    }
}

/// <summary>Feature-major inputs with their targets.</summary>
/// <param name="Inputs">Input size × count, feature-major.</param>
/// <param name="Targets">One target per sample (a value, or a 0/1 label).</param>
/// <param name="Count">Number of samples.</param>
public sealed record Dataset(double[] Inputs, double[] Targets, int Count);

/// <summary>Deterministic data sets from a seed.</summary>
public static class DataSets
{
    /// <summary><paramref name="count"/> points drawn uniformly in [−1, 1] (sorted) with f(x) as targets.</summary>
    public static Dataset RegressionTrain(int count, int seed)
    {
        if (count < 2)
            throw new ArgumentOutOfRangeException(nameof(count), count, "The regression needs at least two training points.");
        var random = new Random(seed);
        var x = Enumerable.Range(0, count).Select(_ => 2 * random.NextDouble() - 1).Order().ToArray();
        return new Dataset(x, x.Select(Target.Value).ToArray(), count);
    }

    /// <summary>A uniform grid of <paramref name="count"/> points on [−1, 1] with f(x) as targets.</summary>
    public static Dataset Grid(int count)
    {
        if (count < 2)
            throw new ArgumentOutOfRangeException(nameof(count), count, "A grid needs at least two points.");
        var x = Enumerable.Range(0, count).Select(i => -1 + 2.0 * i / (count - 1)).ToArray();
        return new Dataset(x, x.Select(Target.Value).ToArray(), count);
    }

    /// <summary>
    /// Two interleaved half circles ("two moons"): class 0 on (cos t, sin t), class 1 on (1 − cos t, 0.5 − sin t),
    /// t uniform in [0, π], plus Gaussian noise of standard deviation <paramref name="noise"/>; classes alternate.
    /// </summary>
    public static Dataset Moons(int count, double noise, int seed)
    {
        if (count < 2)
            throw new ArgumentOutOfRangeException(nameof(count), count, "Two moons need at least two points.");
        if (!(noise >= 0) || double.IsInfinity(noise))
            throw new ArgumentOutOfRangeException(nameof(noise), noise, "The noise must be finite and ≥ 0.");
        var random = new Random(seed);
        var inputs = new double[2 * count];
        var labels = new double[count];
        for (int s = 0; s < count; s++)
        {
            double t = Math.PI * random.NextDouble();
            int label = s % 2;
            double x = label == 0 ? Math.Cos(t) : 1 - Math.Cos(t);
            double y = label == 0 ? Math.Sin(t) : 0.5 - Math.Sin(t);
            inputs[s] = x + noise * Gaussian(random);
            inputs[count + s] = y + noise * Gaussian(random);
            labels[s] = label;
        }
        return new Dataset(inputs, labels, count);
    }

    private static double Gaussian(Random random) =>
        Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
}
