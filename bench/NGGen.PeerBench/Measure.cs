using System.Diagnostics;

namespace NGGen.PeerBench;

/// <summary>One timed case: its median wall time per call and the bytes it allocated per call.</summary>
/// <param name="Seconds">Median wall time of one call.</param>
/// <param name="Repetitions">Timed calls.</param>
/// <param name="BytesPerCall">Managed bytes allocated per timed call, all threads (0 is the target).</param>
public readonly record struct Timing(double Seconds, int Repetitions, double BytesPerCall);

/// <summary>
/// The timing rule every implementation in bench/run-peers.sh follows (bench/peers/timing.py is its twin): warm up
/// for <see cref="WarmupSeconds"/> (at least two calls), then time calls one by one until both
/// <see cref="MinRepetitions"/> calls and <see cref="MinSeconds"/> have passed; report the median.
/// </summary>
public static class Measure
{
    public static double WarmupSeconds { get; set; } = 0.3;
    public static double MinSeconds { get; set; } = 1.0;
    public static int MinRepetitions { get; set; } = 5;
    public const int MaxRepetitions = 2000;

    private static readonly double[] s_samples = new double[MaxRepetitions];

    /// <summary>Median seconds per call over at least three calls and <paramref name="seconds"/>, no warm-up.</summary>
    public static double MedianOver(Action call, double seconds)
    {
        var total = Stopwatch.StartNew();
        int reps = 0;
        while (reps < MaxRepetitions && (reps < 3 || total.Elapsed.TotalSeconds < seconds))
        {
            long start = Stopwatch.GetTimestamp();
            call();
            s_samples[reps++] = Stopwatch.GetElapsedTime(start).TotalSeconds;
        }
        return MedianOfSamples(reps);
    }

    /// <summary>
    /// Times <paramref name="calls"/> alternately in one process, round after round (a short warm-up each first),
    /// and returns each call's median over its <paramref name="rounds"/> rounds' medians, so the VM's drift falls on
    /// all of them alike.
    /// </summary>
    public static Timing[] Alternated(IReadOnlyList<Action> calls, int rounds)
    {
        var medians = calls.Select(_ => new double[rounds]).ToArray();
        foreach (var call in calls)
            MedianOver(call, WarmupSeconds / 4);
        for (int round = 0; round < rounds; round++)
            for (int c = 0; c < calls.Count; c++)
                medians[c][round] = MedianOver(calls[c], MinSeconds / 4);
        return medians.Select(m =>
        {
            Array.Sort(m);
            return new Timing(m[rounds / 2], rounds, 0);
        }).ToArray();
    }

    public static Timing Median(Action call)
    {
        var warmup = Stopwatch.StartNew();
        for (int i = 0; i < 2 || warmup.Elapsed.TotalSeconds < WarmupSeconds; i++)
            call();

        long allocatedBefore = GC.GetTotalAllocatedBytes(precise: true);
        var total = Stopwatch.StartNew();
        int reps = 0;
        while (reps < MaxRepetitions && (reps < MinRepetitions || total.Elapsed.TotalSeconds < MinSeconds))
        {
            long start = Stopwatch.GetTimestamp();
            call();
            s_samples[reps++] = Stopwatch.GetElapsedTime(start).TotalSeconds;
        }
        long allocated = GC.GetTotalAllocatedBytes(precise: true) - allocatedBefore;

        return new Timing(MedianOfSamples(reps), reps, (double)allocated / reps);
    }

    private static double MedianOfSamples(int reps)
    {
        Array.Sort(s_samples, 0, reps);
        return reps % 2 == 1 ? s_samples[reps / 2] : 0.5 * (s_samples[reps / 2 - 1] + s_samples[reps / 2]);
    }
}
