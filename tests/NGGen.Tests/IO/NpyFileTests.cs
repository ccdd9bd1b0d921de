using NGGen.IO;

namespace NGGen.Tests.IO;

/// <summary>The .npy reader on files NumPy wrote (IO/Fixtures/make_fixtures.py: a[r, c] = r + c/8), and the writer
/// checked by the reader and by the format's byte layout.</summary>
public class NpyFileTests
{
    private static string Fixture(string name) => Path.Combine(AppContext.BaseDirectory, "IO", "Fixtures", name);

    [Theory]
    [InlineData("c_order_f8.npy", 5, 3)]
    [InlineData("c_order_f4.npy", 4, 2)]
    [InlineData("big_endian_f8.npy", 3, 2)]
    [InlineData("fortran_order_f8.npy", 4, 3)]
    [InlineData("one_dimensional_f8.npy", 6, 1)]
    [InlineData("version2_f8.npy", 2, 2)]
    public void Reads_what_NumPy_wrote(string name, int rows, int columns)
    {
        var table = NpyFile.Read(Fixture(name));
        Assert.Equal(rows, table.Rows);
        Assert.Equal(columns, table.Columns);
        for (int r = 0; r < rows; r++)
            for (int c = 0; c < columns; c++)
                Assert.Equal(r + c / 8.0, table[r, c]);
    }

    [Theory]
    [InlineData("int32.npy", "dtype '<i4' is not supported")]
    [InlineData("three_dimensional_f8.npy", "has 3 dimensions")]
    [InlineData("nan_f8.npy", "row 2, column 2: NaN is not a finite number")]
    public void Refuses_NumPy_files_it_cannot_use(string name, string problem)
    {
        var error = Assert.Throws<DataFileException>(() => NpyFile.Read(Fixture(name)));
        Assert.Contains(problem, error.Message);
        Assert.StartsWith(Fixture(name), error.Message);
    }

    [Fact]
    public void Truncated_padded_empty_and_foreign_files_are_refused()
    {
        using var dir = new TempDirectory();
        byte[] good = File.ReadAllBytes(Fixture("c_order_f8.npy"));
        string Write(string name, byte[] bytes)
        {
            File.WriteAllBytes(dir.File(name), bytes);
            return dir.File(name);
        }
        Assert.Contains("truncated: shape (5, 3) of <f8 needs 120 bytes of data, the file has 119",
            Assert.Throws<DataFileException>(() => NpyFile.Read(Write("cut.npy", good[..^1]))).Message);
        Assert.Contains("truncated: the header says",
            Assert.Throws<DataFileException>(() => NpyFile.Read(Write("cut-header.npy", good[..40]))).Message);
        Assert.Contains("8 bytes follow the 120 bytes",
            Assert.Throws<DataFileException>(() => NpyFile.Read(Write("long.npy", [.. good, .. new byte[8]]))).Message);
        Assert.Contains("the file is empty", Assert.Throws<DataFileException>(() => NpyFile.Read(Write("empty.npy", []))).Message);
        Assert.Contains("not a NumPy .npy file", Assert.Throws<DataFileException>(() => NpyFile.Read(Write("text.npy", "x,y\n1,2\n"u8.ToArray()))).Message);
        byte[] brokenHeader = (byte[])good.Clone();
        brokenHeader[12] = (byte)'X'; // inside 'descr'
        Assert.Contains("header cannot be read", Assert.Throws<DataFileException>(() => NpyFile.Read(Write("header.npy", brokenHeader))).Message);
    }

    [Fact]
    public void Writes_the_format_NumPy_reads()
    {
        using var dir = new TempDirectory();
        double[] values = [1, 2.5, -3, 4e-300, 5, 6];
        NpyFile.Write<double>(dir.File("out.npy"), values, 3, 2);
        byte[] bytes = File.ReadAllBytes(dir.File("out.npy"));
        // Format 1.0: magic, version, 2-byte little-endian header length; magic + header a multiple of 64, ending in '\n'.
        Assert.Equal(new byte[] { 0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y', 1, 0 }, bytes[..8]);
        int headerLength = bytes[8] | bytes[9] << 8;
        Assert.Equal(0, (10 + headerLength) % 64);
        Assert.Equal((byte)'\n', bytes[10 + headerLength - 1]);
        Assert.Contains("'descr': '<f8', 'fortran_order': False, 'shape': (3, 2)", System.Text.Encoding.ASCII.GetString(bytes, 10, headerLength));
        Assert.Equal(10 + headerLength + 48, bytes.Length);
        var table = NpyFile.Read(dir.File("out.npy"));
        Assert.Equal(values, table.Values);
        Assert.Equal(["out.npy"], dir.Names());
    }
}
