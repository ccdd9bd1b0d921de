using System.Diagnostics;

namespace NGGen.Samples.DeepLinear;

/// <summary>Prints a progress line for a long run at most every few seconds.</summary>
public sealed class Progress(TextWriter? writer, double intervalSeconds = 3)
{
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private double _last = double.NegativeInfinity;

    /// <summary>Writes the line from <paramref name="line"/> when the interval has passed since the last one.</summary>
    public void Report(Func<string> line)
    {
        if (writer is null)
            return;
        double now = _clock.Elapsed.TotalSeconds;
        if (now - _last < intervalSeconds)
            return;
        _last = now;
        writer.WriteLine($"    [{now,6:F1} s] {line()}");
    }
}
