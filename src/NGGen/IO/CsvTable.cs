using System.Globalization;
using System.Text;

namespace NGGen.IO;

/// <summary>
/// Reads numeric CSV: comma-separated, an optional header row of column names (a first row whose fields are all
/// numbers is data), '#' comment lines kept in <see cref="NumericTable.Comments"/>, blank lines skipped. Every value
/// must be a finite number. Every problem is a <see cref="DataFileException"/> naming the file, line, data row and
/// column, and nothing is returned half-read.
/// </summary>
public static class CsvTable
{
    /// <summary>Reads <paramref name="path"/> into a table.</summary>
    public static NumericTable Read(string path)
    {
        if (!File.Exists(path))
            throw new DataFileException(path, Directory.Exists(path) ? "is a directory, not a data file." : "no such file.");
        string[]? columns = null;
        var values = new List<double>();
        var comments = new List<string>();
        int lineNumber = 0, rows = 0;
        bool sawContent = false;
        foreach (string raw in File.ReadLines(path))
        {
            lineNumber++;
            string line = raw.Trim();
            if (line.Length == 0)
                continue;
            if (line[0] == '#')
            {
                comments.Add(line[1..].Trim());
                continue;
            }
            sawContent = true;
            string[] fields = line.Split(',');
            if (columns is null)
            {
                // A first row of numbers (some possibly empty) is data; the empty field is then reported as one.
                if (fields.Any(IsNumber) && fields.All(f => f.Trim().Length == 0 || IsNumber(f)))
                    columns = NumericTable.NumberedColumns(fields.Length);
                else
                {
                    columns = fields.Select(f => f.Trim()).ToArray();
                    int empty = Array.FindIndex(columns, c => c.Length == 0);
                    if (empty >= 0)
                        throw new DataFileException(path, $"the header's field {empty + 1} is empty; name every column or leave the header out.", lineNumber);
                    int numeric = Array.FindIndex(columns, IsNumber);
                    if (numeric >= 0)
                        throw new DataFileException(path, $"the header mixes names and numbers (field {numeric + 1} is '{columns[numeric]}'); a header names every column.", lineNumber);
                    continue;
                }
            }
            rows++;
            if (fields.Length != columns.Length)
                throw new DataFileException(path, $"{fields.Length} fields, but the {(columns[0] == "column 1" ? "first row" : "header")} has {columns.Length}.", lineNumber, rows);
            for (int c = 0; c < fields.Length; c++)
            {
                string field = fields[c].Trim();
                if (!double.TryParse(field, NumberStyles.Float, CultureInfo.InvariantCulture, out double value) && !IsNonFiniteSpelling(field, out value))
                    throw new DataFileException(path, field.Length == 0 ? "the field is empty." : $"'{Shorten(field)}' is not a number.", lineNumber, rows, ColumnLabel(columns, c));
                if (!double.IsFinite(value))
                    throw new DataFileException(path, $"{field} is not a finite number.", lineNumber, rows, ColumnLabel(columns, c));
                values.Add(value);
            }
        }
        if (!sawContent)
            throw new DataFileException(path, lineNumber == 0 ? "the file is empty." : "the file has only blank or comment lines.");
        if (rows == 0)
            throw new DataFileException(path, $"the header ({string.Join(", ", columns!)}) is followed by no data rows.");
        return new NumericTable(path, columns!, rows, values.ToArray(), [.. comments]);
    }

    /// <summary>Writes a header of <paramref name="columnNames"/> and <paramref name="rows"/> rows of
    /// <paramref name="values"/> (row-major), each number in round-trip form so <see cref="Read"/> gets the same bits
    /// back, atomically (see <see cref="AtomicFile"/>).</summary>
    public static void Write(string path, IReadOnlyList<string> columnNames, int rows, ReadOnlySpan<double> values)
    {
        int columns = columnNames.Count;
        if (values.Length != (long)rows * columns)
            throw new ArgumentException($"{path}: {values.Length} values do not fill {rows} rows of {columns} columns.", nameof(values));
        var text = new StringBuilder();
        text.AppendJoin(',', columnNames).Append('\n');
        for (int r = 0; r < rows; r++)
        {
            for (int c = 0; c < columns; c++)
            {
                if (c > 0)
                    text.Append(',');
                text.Append(values[r * columns + c].ToString("R", CultureInfo.InvariantCulture));
            }
            text.Append('\n');
        }
        byte[] bytes = Encoding.UTF8.GetBytes(text.ToString());
        AtomicFile.Write(path, stream => stream.Write(bytes));
    }

    // NumPy's savetxt and many C libraries write "inf" and "nan", which .NET does not parse: report them as what they are.
    private static bool IsNonFiniteSpelling(string field, out double value)
    {
        value = field.TrimStart('+', '-').ToLowerInvariant() switch
        {
            "inf" or "infinity" => field.StartsWith('-') ? double.NegativeInfinity : double.PositiveInfinity,
            "nan" => double.NaN,
            _ => 0,
        };
        return !double.IsFinite(value);
    }

    private static bool IsNumber(string field) => double.TryParse(field.Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out _);

    private static string ColumnLabel(string[] columns, int c) => columns[c].StartsWith("column ", StringComparison.Ordinal) ? $"{c + 1}" : $"{c + 1} ('{columns[c]}')";

    private static string Shorten(string field) => field.Length <= 40 ? field : field[..37] + "...";
}
