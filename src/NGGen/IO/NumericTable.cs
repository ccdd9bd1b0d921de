namespace NGGen.IO;

/// <summary>A rectangular table of finite numbers read from a data file: named columns, row-major values.</summary>
public sealed class NumericTable
{
    /// <summary>Wraps <paramref name="values"/> (row-major, <c>rows × columnNames.Length</c>).</summary>
    public NumericTable(string source, string[] columnNames, int rows, double[] values, string[]? comments = null)
    {
        if (values.Length != (long)rows * columnNames.Length)
            throw new ArgumentException($"{source}: {values.Length} values do not fill {rows} rows of {columnNames.Length} columns.", nameof(values));
        Source = source;
        ColumnNames = columnNames;
        Rows = rows;
        Values = values;
        Comments = comments ?? [];
    }

    /// <summary>A CSV file's comment lines, without the leading '#' (a data set can carry its source); empty for .npy.</summary>
    public string[] Comments { get; }

    /// <summary>The file (or description) the table came from, for messages.</summary>
    public string Source { get; }

    /// <summary>Column names: a CSV header's, or "column 1", "column 2", … when the file has none.</summary>
    public string[] ColumnNames { get; }

    /// <summary>Number of data rows.</summary>
    public int Rows { get; }

    /// <summary>Number of columns.</summary>
    public int Columns => ColumnNames.Length;

    /// <summary>Row-major values: row r, column c at <c>r * Columns + c</c>.</summary>
    public double[] Values { get; }

    /// <summary>The value at 0-based <paramref name="row"/> and <paramref name="column"/>.</summary>
    public double this[int row, int column] => Values[row * Columns + column];

    /// <summary>The values of the column called <paramref name="name"/>; a missing one is a <see cref="DataFileException"/>
    /// that lists the columns there are.</summary>
    public double[] Column(string name)
    {
        int index = Array.IndexOf(ColumnNames, name);
        if (index < 0)
            throw new DataFileException(Source, $"no column '{name}' (the columns are {string.Join(", ", ColumnNames.Select(c => $"'{c}'"))}).");
        return FeatureMajor(index, 1);
    }

    /// <summary>Columns <paramref name="first"/> .. first + count − 1 in NGGen's feature-major batch layout
    /// (feature i of sample s at <c>i * Rows + s</c>), the layout the generated model entry points take.</summary>
    public double[] FeatureMajor(int first, int count)
    {
        if (first < 0 || count < 0 || first + count > Columns)
            throw new ArgumentOutOfRangeException(nameof(count), $"{Source}: columns {first + 1}..{first + count} are outside the table's {Columns}.");
        var result = new double[count * Rows];
        for (int i = 0; i < count; i++)
            for (int s = 0; s < Rows; s++)
                result[i * Rows + s] = Values[s * Columns + first + i];
        return result;
    }

    /// <summary>Default names for a table without a header.</summary>
    public static string[] NumberedColumns(int count) => Enumerable.Range(1, count).Select(c => $"column {c}").ToArray();
}
