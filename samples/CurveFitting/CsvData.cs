using System.Globalization;

namespace NGGen.Samples.CurveFitting;

/// <summary>A numeric CSV table: one header row of column names, then rows of finite numbers. Lines starting with
/// '#' are comments (kept, so a dataset can carry its source); blank lines are skipped.</summary>
public sealed class CsvData
{
    private CsvData(string path, string[] columns, double[][] values, string[] comments)
    {
        Path = path;
        Columns = columns;
        Values = values;
        Comments = comments;
    }

    /// <summary>The file the data came from.</summary>
    public string Path { get; }

    /// <summary>Column names from the header.</summary>
    public string[] Columns { get; }

    /// <summary>Column-major values: Values[column][row].</summary>
    public double[][] Values { get; }

    /// <summary>The comment lines, without the leading '#'.</summary>
    public string[] Comments { get; }

    /// <summary>The column called <paramref name="name"/>.</summary>
    public double[] Column(string name)
    {
        int index = Array.IndexOf(Columns, name);
        if (index < 0)
            throw new InvalidDataException($"{Path}: no column '{name}' (the header has {string.Join(", ", Columns.Select(c => $"'{c}'"))}).");
        return Values[index];
    }

    /// <summary>Reads <paramref name="path"/>. Every problem is an <see cref="InvalidDataException"/> naming the file,
    /// the line and, for a bad value, the column: a missing header, a row with the wrong number of fields, a field
    /// that is not a number, NaN or infinity, or a file with no data rows.</summary>
    public static CsvData Read(string path)
    {
        if (!File.Exists(path))
            throw new FileNotFoundException($"{path}: no such data file.", path);
        string[]? columns = null;
        var rows = new List<double[]>();
        var comments = new List<string>();
        int lineNumber = 0;
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
            string[] fields = line.Split(',');
            if (columns is null)
            {
                columns = fields.Select(f => f.Trim()).ToArray();
                if (columns.Any(c => c.Length == 0 || double.TryParse(c, NumberStyles.Float, CultureInfo.InvariantCulture, out _)))
                    throw new InvalidDataException($"{path}, line {lineNumber}: expected a header of column names before the data, got '{line}'.");
                continue;
            }
            if (fields.Length != columns.Length)
                throw new InvalidDataException($"{path}, line {lineNumber}: {fields.Length} fields, but the header has {columns.Length} ({string.Join(", ", columns)}).");
            var row = new double[fields.Length];
            for (int c = 0; c < fields.Length; c++)
            {
                string field = fields[c].Trim();
                if (!double.TryParse(field, NumberStyles.Float, CultureInfo.InvariantCulture, out row[c]))
                    throw new InvalidDataException($"{path}, line {lineNumber}, column '{columns[c]}': '{field}' is not a number.");
                if (!double.IsFinite(row[c]))
                    throw new InvalidDataException($"{path}, line {lineNumber}, column '{columns[c]}': {field} is not a finite number.");
            }
            rows.Add(row);
        }
        if (columns is null)
            throw new InvalidDataException($"{path}: the file has no header and no data.");
        if (rows.Count == 0)
            throw new InvalidDataException($"{path}: the header ({string.Join(", ", columns)}) is followed by no data rows.");
        var values = new double[columns.Length][];
        for (int c = 0; c < columns.Length; c++)
            values[c] = rows.Select(r => r[c]).ToArray();
        return new CsvData(path, columns, values, [.. comments]);
    }
}
