namespace NGGen.Solvers;

/// <summary>
/// Per-iteration progress in the layout of <see cref="SolverSummary.FullReport"/> (Ceres' table): pass
/// <see cref="Print"/> as a solver's callback to watch a long run as it goes.
/// </summary>
public static class SolverProgress
{
    /// <summary>The column header of the iteration table.</summary>
    public const string Header = "iter      cost          cost_change   |gradient|    |step|        damping       ratio     accepted  time(s)";

    /// <summary>One iteration as a table row.</summary>
    public static string Row(IterationSummary it) => FormattableString.Invariant(
        $"{it.Iteration,4}  {it.Cost,13:E6}  {it.CostChange,12:E4}  {it.GradientMaxNorm,12:E4}  {it.StepNorm,12:E4}  {it.Damping,12:E4}  {it.Ratio,8:F4}  {(it.StepAccepted ? "yes" : "no"),8}  {it.Seconds,7:F4}");

    /// <summary>A callback that writes the header once and then every <paramref name="every"/>-th iteration
    /// (and the first) to <paramref name="writer"/> (standard output by default); it never stops the solver.</summary>
    public static Func<IterationSummary, bool> Print(TextWriter? writer = null, int every = 1)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(every, 1);
        bool headerWritten = false;
        return it =>
        {
            var target = writer ?? Console.Out;
            if (!headerWritten)
            {
                target.WriteLine(Header);
                headerWritten = true;
            }
            if (it.Iteration == 1 || it.Iteration % every == 0)
                target.WriteLine(Row(it));
            return true;
        };
    }
}
