using System.Globalization;
using System.Text;

namespace NGGen.Samples;

/// <summary>A plain-text table: the first column is left-aligned, the others right-aligned, widths fitted to the
/// content, a rule under the header.</summary>
public sealed class TextTable
{
    private readonly string[] _headers;
    private readonly List<string[]> _rows = [];

    public TextTable(params string[] headers) => _headers = headers;

    /// <summary>Adds a row; cells are strings already formatted by the caller.</summary>
    public TextTable AddRow(params string[] cells)
    {
        if (cells.Length != _headers.Length)
            throw new ArgumentException($"The table has {_headers.Length} columns ({string.Join(", ", _headers)}) but the row has {cells.Length} cells.", nameof(cells));
        _rows.Add(cells);
        return this;
    }

    /// <summary>Scientific notation with three significant digits, "—" for NaN.</summary>
    public static string Sci(double value) => double.IsNaN(value) ? "—" : value.ToString("0.00E+00", CultureInfo.InvariantCulture);

    /// <summary>Fixed notation with <paramref name="decimals"/> decimals, "—" for NaN.</summary>
    public static string Fixed(double value, int decimals = 2) =>
        double.IsNaN(value) ? "—" : value.ToString("F" + decimals.ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture);

    public override string ToString()
    {
        var widths = new int[_headers.Length];
        for (int c = 0; c < widths.Length; c++)
            widths[c] = Math.Max(_headers[c].Length, _rows.Count == 0 ? 0 : _rows.Max(r => r[c].Length));
        var text = new StringBuilder();
        AppendRow(text, _headers, widths);
        text.Append(new string('-', widths.Sum() + 2 * (widths.Length - 1))).Append('\n');
        foreach (var row in _rows)
            AppendRow(text, row, widths);
        return text.ToString();
    }

    public void Write(TextWriter writer) => writer.Write(ToString());

    private static void AppendRow(StringBuilder text, string[] cells, int[] widths)
    {
        for (int c = 0; c < cells.Length; c++)
        {
            if (c > 0)
                text.Append("  ");
            text.Append(c == 0 ? cells[c].PadRight(widths[c]) : cells[c].PadLeft(widths[c]));
        }
        text.Append('\n');
    }
}
