using NGGen.IO;

namespace NGGen.Tests.IO;

public class CsvTableTests
{
    [Fact]
    public void Reads_a_header_comments_and_rows_in_row_major_order()
    {
        using var dir = new TempDirectory();
        var table = CsvTable.Read(dir.Write("a.csv", "# source: hand-written\nx1, x2 ,y\n\n1,2,3\r\n-4.5,5e-1,6\n"));
        Assert.Equal(["x1", "x2", "y"], table.ColumnNames);
        Assert.Equal(2, table.Rows);
        Assert.Equal([1, 2, 3, -4.5, 0.5, 6], table.Values);
        // Feature-major, the generated models' batch layout: feature i of sample s at i·rows + s.
        Assert.Equal([1, -4.5, 2, 0.5], table.FeatureMajor(0, 2));
        Assert.Equal([3, 6], table.FeatureMajor(2, 1));
        Assert.Equal([2, 0.5], table.Column("x2"));
        Assert.Equal(["source: hand-written"], table.Comments);
        Assert.Contains("no column 'z' (the columns are 'x1', 'x2', 'y')", Assert.Throws<DataFileException>(() => table.Column("z")).Message);
    }

    [Fact]
    public void Write_round_trips_every_bit_through_Read()
    {
        using var dir = new TempDirectory();
        double[] values = [0.1 + 0.2, -1e-300, double.Epsilon, 1.0 / 3, 123456789.125, -0.0];
        CsvTable.Write(dir.File("w.csv"), ["a", "b"], 3, values);
        var table = CsvTable.Read(dir.File("w.csv"));
        Assert.Equal(["a", "b"], table.ColumnNames);
        Assert.Equal(values.Select(BitConverter.DoubleToInt64Bits), table.Values.Select(BitConverter.DoubleToInt64Bits));
        Assert.Equal(["w.csv"], dir.Names());
    }

    [Fact]
    public void A_first_row_of_numbers_is_data_not_a_header()
    {
        using var dir = new TempDirectory();
        var table = CsvTable.Read(dir.Write("a.csv", "1,2\n3,4\n"));
        Assert.Equal(["column 1", "column 2"], table.ColumnNames);
        Assert.Equal([1, 2, 3, 4], table.Values);
    }

    [Theory]
    [InlineData("", null, null, null, "the file is empty")]
    [InlineData("# only a comment\n\n", null, null, null, "only blank or comment lines")]
    [InlineData("x,y\n", null, null, null, "followed by no data rows")]
    [InlineData("x,y\n1,2\n3\n", 3, 2, null, "1 fields, but the header has 2")]
    [InlineData("x,y\n1,2\n3,abc\n", 3, 2, "2 ('y')", "'abc' is not a number")]
    [InlineData("x,y\n1,2\n3,\n", 3, 2, "2 ('y')", "the field is empty")]
    [InlineData("x,y\n1,NaN\n", 2, 1, "2 ('y')", "NaN is not a finite number")]
    [InlineData("1,2\n-Infinity,2\n", 2, 2, "1", "-Infinity is not a finite number")]
    [InlineData("x,,y\n1,2,3\n", 1, null, null, "field 2 is empty")]
    [InlineData("x,2,y\n1,2,3\n", 1, null, null, "mixes names and numbers")]
    public void Malformed_files_are_refused_with_their_place(string text, int? line, int? row, string? column, string problem)
    {
        using var dir = new TempDirectory();
        string path = dir.Write("bad.csv", text);
        var error = Assert.Throws<DataFileException>(() => CsvTable.Read(path));
        Assert.Equal(path, error.FilePath);
        Assert.Equal(line, error.Line);
        Assert.Equal(row, error.Row);
        Assert.Equal(column, error.Column);
        Assert.Contains(problem, error.Message);
        Assert.StartsWith(path, error.Message);
    }

    [Fact]
    public void A_missing_file_or_a_directory_is_named()
    {
        using var dir = new TempDirectory();
        Assert.Contains("no such file", Assert.Throws<DataFileException>(() => CsvTable.Read(dir.File("none.csv"))).Message);
        Assert.Contains("is a directory", Assert.Throws<DataFileException>(() => CsvTable.Read(dir.Path)).Message);
    }
}
