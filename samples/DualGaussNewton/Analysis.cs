namespace NGGen.Samples.DualGaussNewton;

/// <summary>Where the primal/dual time ratio crosses 1 along one network's batch sweep.</summary>
/// <param name="Loss">The loss.</param>
/// <param name="Parameters">p of the network.</param>
/// <param name="OutputsPerParameter">m/p at the crossing (log-interpolated between the two cells around it);
/// NaN when the ratio never crosses 1 in the swept range.</param>
/// <param name="Description">"m/p ≈ …", "dual faster throughout (m/p ≤ …)" or "primal faster throughout (m/p ≥ …)".</param>
public sealed record Crossover(LossKind Loss, int Parameters, double OutputsPerParameter, string Description);

/// <summary>t ≈ c·m^a·p^b fitted by least squares on log t.</summary>
/// <param name="OutputExponent">a, the exponent of m = batch × outputs.</param>
/// <param name="ParameterExponent">b, the exponent of p.</param>
public sealed record ScalingFit(double OutputExponent, double ParameterExponent);

/// <summary>The figures the claims are judged on, computed from the sweep.</summary>
public static class Analysis
{
    /// <summary>The first crossing of ratio = 1 along each (loss, network) batch sweep, from small m upwards.</summary>
    public static IReadOnlyList<Crossover> Crossovers(IReadOnlyList<TimingCell> cells)
    {
        var result = new List<Crossover>();
        foreach (var group in cells.GroupBy(c => (c.Loss, c.Parameters)))
        {
            var sweep = group.OrderBy(c => c.Outputs).ToArray();
            int first = Array.FindIndex(sweep, c => c.Ratio <= 1);
            if (first < 0)
                result.Add(new Crossover(group.Key.Loss, group.Key.Parameters, double.NaN, $"dual faster throughout (m/p ≤ {sweep[^1].OutputsPerParameter:G2})"));
            else if (first == 0)
                result.Add(new Crossover(group.Key.Loss, group.Key.Parameters, double.NaN, $"primal at least as fast from m/p = {sweep[0].OutputsPerParameter:G2}"));
            else
            {
                // ratio(x) is interpolated linearly in log ratio against log(m/p) between the cells around 1.
                var (a, b) = (sweep[first - 1], sweep[first]);
                double la = Math.Log(a.Ratio), lb = Math.Log(b.Ratio), t = la / (la - lb);
                double x = Math.Exp(Math.Log(a.OutputsPerParameter) + t * (Math.Log(b.OutputsPerParameter) - Math.Log(a.OutputsPerParameter)));
                result.Add(new Crossover(group.Key.Loss, group.Key.Parameters, x, $"m/p ≈ {x:G2}"));
            }
        }
        return result;
    }

    /// <summary>Fits t ≈ c·m^a·p^b to the given times over the cells.</summary>
    public static ScalingFit Fit(IReadOnlyList<TimingCell> cells, Func<TimingCell, double> seconds)
    {
        // Normal equations of log t = c + a log m + b log p.
        var normal = new double[3, 3];
        var right = new double[3];
        foreach (var cell in cells)
        {
            double[] row = [1, Math.Log(cell.Outputs), Math.Log(cell.Parameters)];
            double y = Math.Log(seconds(cell));
            for (int i = 0; i < 3; i++)
            {
                right[i] += row[i] * y;
                for (int j = 0; j < 3; j++)
                    normal[i, j] += row[i] * row[j];
            }
        }
        var x = Solve3(normal, right);
        return new ScalingFit(x[1], x[2]);
    }

    /// <summary>The geometric mean of the primal/dual ratio over <paramref name="cells"/>.</summary>
    public static double GeometricMeanRatio(IEnumerable<TimingCell> cells)
    {
        var ratios = cells.Select(c => Math.Log(c.Ratio)).ToArray();
        return ratios.Length == 0 ? double.NaN : Math.Exp(ratios.Average());
    }

    // Gaussian elimination with partial pivoting on a 3×3 system.
    private static double[] Solve3(double[,] a, double[] b)
    {
        int n = 3;
        var m = (double[,])a.Clone();
        var x = (double[])b.Clone();
        for (int k = 0; k < n; k++)
        {
            int pivot = k;
            for (int i = k + 1; i < n; i++)
                if (Math.Abs(m[i, k]) > Math.Abs(m[pivot, k]))
                    pivot = i;
            if (Math.Abs(m[pivot, k]) < 1e-300)
                throw new InvalidOperationException("The scaling fit needs cells with at least two batch sizes and two networks.");
            for (int j = 0; j < n; j++)
                (m[k, j], m[pivot, j]) = (m[pivot, j], m[k, j]);
            (x[k], x[pivot]) = (x[pivot], x[k]);
            for (int i = k + 1; i < n; i++)
            {
                double f = m[i, k] / m[k, k];
                for (int j = k; j < n; j++)
                    m[i, j] -= f * m[k, j];
                x[i] -= f * x[k];
            }
        }
        for (int i = n - 1; i >= 0; i--)
        {
            for (int j = i + 1; j < n; j++)
                x[i] -= m[i, j] * x[j];
            x[i] /= m[i, i];
        }
        return x;
    }
}
