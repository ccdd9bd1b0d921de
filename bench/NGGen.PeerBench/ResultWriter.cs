using System.Globalization;
using System.Text;

namespace NGGen.PeerBench;

/// <summary>
/// Writes one JSON object per line to stdout, the format bench/peers/report.py reads from every implementation:
/// <c>{"group":…,"case":…,"impl":"nggen","seconds":…,"reps":…,"bytes_per_call":…, extra fields…}</c>.
/// Progress and diagnostics go to stderr so stdout stays machine-readable.
/// </summary>
public static class ResultWriter
{
    public static void Write(string group, string caseName, Timing timing, params (string Key, object? Value)[] extra)
    {
        var line = new StringBuilder();
        line.Append('{');
        Append(line, "group", group);
        Append(line, "case", caseName);
        Append(line, "impl", "nggen");
        Append(line, "seconds", timing.Seconds);
        Append(line, "reps", timing.Repetitions);
        Append(line, "bytes_per_call", timing.BytesPerCall);
        foreach (var (key, value) in extra)
            Append(line, key, value);
        line.Length--; // trailing comma
        line.Append('}');
        Console.Out.WriteLine(line.ToString());
        Console.Out.Flush();
        Console.Error.WriteLine($"  nggen  {group,-5} {caseName,-24} {timing.Seconds * 1e3,10:F4} ms  ({timing.Repetitions} reps, {timing.BytesPerCall:F0} B/call)");
    }

    private static void Append(StringBuilder line, string key, object? value)
    {
        line.Append('"').Append(key).Append("\":");
        switch (value)
        {
            case null:
                line.Append("null");
                break;
            case string s:
                line.Append('"').Append(s.Replace("\\", "\\\\").Replace("\"", "\\\"")).Append('"');
                break;
            case bool b:
                line.Append(b ? "true" : "false");
                break;
            case double d:
                line.Append(double.IsFinite(d) ? d.ToString("R", CultureInfo.InvariantCulture) : "null");
                break;
            case IFormattable f:
                line.Append(f.ToString(null, CultureInfo.InvariantCulture));
                break;
            default:
                throw new ArgumentException($"Unsupported JSON value type {value.GetType()} for '{key}'.", nameof(value));
        }
        line.Append(',');
    }
}
