using System.Text.Json;
using System.Text.Json.Nodes;

namespace NGGen.Samples;

/// <summary>Helpers for the <c>--json</c> output: JSON has no NaN or infinity, so non-finite numbers become null.</summary>
public static class JsonReport
{
    /// <summary>A number node, or null for NaN and ±∞.</summary>
    public static JsonNode? Number(double value) => double.IsFinite(value) ? JsonValue.Create(value) : null;

    /// <summary>An array of numbers (non-finite entries as null).</summary>
    public static JsonArray Numbers(IEnumerable<double> values)
    {
        var array = new JsonArray();
        foreach (double v in values)
            array.Add(Number(v));
        return array;
    }

    /// <summary>Writes <paramref name="root"/> indented to <paramref name="path"/> (creating its directory).</summary>
    public static void Write(string path, JsonNode root)
    {
        string? directory = Path.GetDirectoryName(Path.GetFullPath(path));
        if (directory is not null)
            Directory.CreateDirectory(directory);
        using var stream = File.Create(path);
        using var writer = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true });
        root.WriteTo(writer);
    }
}
