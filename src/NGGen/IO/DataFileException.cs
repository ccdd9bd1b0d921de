namespace NGGen.IO;

/// <summary>A data file that cannot be used, with where the problem is: the file, and where it applies the
/// 1-based line (CSV) or data row, and the column. The message names all of them.</summary>
public sealed class DataFileException : IOException
{
    /// <summary>Creates the error; the message is prefixed with the location.</summary>
    public DataFileException(string path, string problem, int? line = null, int? row = null, string? column = null)
        : base(Locate(path, line, row, column) + problem)
    {
        FilePath = path;
        Line = line;
        Row = row;
        Column = column;
    }

    /// <summary>The file.</summary>
    public string FilePath { get; }

    /// <summary>The 1-based line of a text file, when the problem is on one line.</summary>
    public int? Line { get; }

    /// <summary>The 1-based data row (header and comments not counted), when the problem is in one row.</summary>
    public int? Row { get; }

    /// <summary>The column name (or "column k", 1-based), when the problem is in one column.</summary>
    public string? Column { get; }

    private static string Locate(string path, int? line, int? row, string? column)
    {
        var where = path;
        if (line is { } l)
            where += $", line {l}";
        if (row is { } r)
            where += $", row {r}";
        if (column is not null)
            where += $", column {column}";
        return where + ": ";
    }
}
