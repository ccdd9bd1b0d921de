namespace NGGen.Samples.DeepLinear;

/// <summary>The figures the claims are judged on, computed from the run records.</summary>
public static class Analysis
{
    /// <summary>
    /// How far the output trajectory of <paramref name="run"/> strays from <paramref name="reference"/>'s (same method,
    /// same step, same sampled iterations): max over samples and sampled iterations of |f_run − f_ref|, relative to the
    /// largest |f_ref| on the trajectory.
    /// </summary>
    public static double OutputDeviation(LogisticRun run, LogisticRun reference)
    {
        var a = run.Trajectory;
        var b = reference.Trajectory;
        if (!a.Iterations.SequenceEqual(b.Iterations))
            throw new ArgumentException($"{run.Method} depth {run.Depth} and depth {reference.Depth} were sampled at different iterations.");
        double deviation = 0, scale = 0;
        for (int k = 0; k < a.Outputs.Length; k++)
            for (int s = 0; s < a.Outputs[k].Length; s++)
            {
                deviation = Math.Max(deviation, Math.Abs(a.Outputs[k][s] - b.Outputs[k][s]));
                scale = Math.Max(scale, Math.Abs(b.Outputs[k][s]));
            }
        return deviation / scale;
    }

    /// <summary>The largest <see cref="OutputDeviation"/> of any depth from depth 1 among <paramref name="runs"/> of one method.</summary>
    public static double LargestDeviationFromDepthOne(IEnumerable<LogisticRun> runs, string method)
    {
        var ofMethod = runs.Where(r => r.Method == method).ToList();
        var depthOne = ofMethod.Single(r => r.Depth == 1);
        return ofMethod.Where(r => r.Depth != 1).Max(r => OutputDeviation(r, depthOne));
    }

    /// <summary>The cosine to w_mm one decade of iterations before the end (the last sample at or below a tenth of the
    /// final iteration), to tell whether GD is still turning towards it.</summary>
    public static double CosineMaxMarginDecadeEarlier(LogisticRun run)
    {
        var t = run.Trajectory;
        int last = t.Iterations[^1], index = 0;
        for (int k = 0; k < t.Iterations.Length; k++)
            if (t.Iterations[k] <= last / 10)
                index = k;
        return t.CosineMaxMargin[index];
    }

    /// <summary>σ_{r+1}/σ₁: how much of the spectrum lies beyond the true rank r.</summary>
    public static double TailRatio(CompletionRun run, int rank) =>
        run.SingularValues.Length > rank ? run.SingularValues[rank] / run.SingularValues[0] : 0;
}
