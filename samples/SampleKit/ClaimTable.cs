using System.Text.Json.Nodes;

namespace NGGen.Samples;

/// <summary>A paper's claims next to what this run measured, and whether each held: the table a reader checks first.</summary>
public sealed class ClaimTable
{
    private readonly List<Claim> _claims = [];
    private readonly string _header;

    /// <summary>A table whose first column is headed <paramref name="header"/> (a sample that reproduces no paper
    /// states its own expectations).</summary>
    public ClaimTable(string header = "paper's claim") => _header = header;

    /// <summary>One claim: what the paper says, what was measured (with figures), whether it held.</summary>
    public sealed record Claim(string Statement, string Measured, bool Held);

    public IReadOnlyList<Claim> Claims => _claims;

    public bool AllHeld => _claims.All(c => c.Held);

    public ClaimTable Add(string statement, string measured, bool held)
    {
        _claims.Add(new Claim(statement, measured, held));
        return this;
    }

    public void Write(TextWriter writer)
    {
        // Both text columns are left-aligned (TextTable right-aligns all but the first).
        int statementWidth = Math.Max(_header.Length, _claims.Count == 0 ? 0 : _claims.Max(c => c.Statement.Length));
        int measuredWidth = Math.Max(8, _claims.Count == 0 ? 0 : _claims.Max(c => c.Measured.Length));
        writer.WriteLine($"{_header.PadRight(statementWidth)}  {"measured".PadRight(measuredWidth)}  held");
        writer.WriteLine(new string('-', statementWidth + measuredWidth + 8));
        foreach (var c in _claims)
            writer.WriteLine($"{c.Statement.PadRight(statementWidth)}  {c.Measured.PadRight(measuredWidth)}  {(c.Held ? "yes" : "NO")}");
    }

    public JsonArray ToJson()
    {
        var array = new JsonArray();
        foreach (var c in _claims)
            array.Add((JsonNode)new JsonObject { ["claim"] = c.Statement, ["measured"] = c.Measured, ["held"] = c.Held });
        return array;
    }
}
