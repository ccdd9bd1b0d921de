using System.Buffers.Binary;
using System.Text.Json;
using NGGen.IO;

namespace NGGen.Tests.IO;

/// <summary>The safetensors reader on a file Python's json/struct wrote from the specification, and the writer's
/// bytes checked against the specification with System.Text.Json's DOM (not the reader under test).</summary>
public class SafeTensorsTests
{
    [Fact]
    public void Reads_a_file_written_from_the_specification_by_python()
    {
        var file = SafeTensorsFile.Read(Path.Combine(AppContext.BaseDirectory, "IO", "Fixtures", "python_written.safetensors"));
        Assert.Equal("make_fixtures.py", file.Metadata["written_by"]);
        var weights = file.Find("weights")!;
        Assert.Equal("F32", weights.DType);
        Assert.Equal([2L, 3L], weights.Shape);
        Assert.Equal([0, 0.125, 0.25, 1, 1.125, 1.25], file.ReadDoubles(weights));
        Assert.Equal([0.0, 1, 2], file.ReadDoubles(file.Find("bias")!));
    }

    [Fact]
    public void Writes_the_layout_of_the_specification()
    {
        var writer = new SafeTensorsWriter();
        writer.Metadata["note"] = "x";
        writer.AddDoubles("a", [1.5, -2], 2);
        writer.AddSingles("b", [3f, 4f, 5f, 6f], 2, 2);
        writer.AddDoubles("s", [7], []);
        byte[] bytes = writer.ToBytes();
        long headerLength = (long)BinaryPrimitives.ReadUInt64LittleEndian(bytes);
        Assert.Equal(0, (8 + headerLength) % 8);
        using var header = JsonDocument.Parse(bytes.AsMemory(8, (int)headerLength));
        var root = header.RootElement;
        Assert.Equal("x", root.GetProperty("__metadata__").GetProperty("note").GetString());
        Assert.Equal("[0,16]", root.GetProperty("a").GetProperty("data_offsets").GetRawText());
        Assert.Equal("[16,32]", root.GetProperty("b").GetProperty("data_offsets").GetRawText());
        Assert.Equal("[2,2]", root.GetProperty("b").GetProperty("shape").GetRawText());
        Assert.Equal("[]", root.GetProperty("s").GetProperty("shape").GetRawText());
        var data = bytes.AsSpan(8 + (int)headerLength);
        Assert.Equal(40, data.Length);
        Assert.Equal(-2.0, BinaryPrimitives.ReadDoubleLittleEndian(data[8..]));
        Assert.Equal(6f, BinaryPrimitives.ReadSingleLittleEndian(data[28..]));
        Assert.Equal(7.0, BinaryPrimitives.ReadDoubleLittleEndian(data[32..]));
    }

    public static TheoryData<string, Func<byte[], byte[]>, string> Corruptions => new()
    {
        { "too short", b => b[..5], "too short" },
        { "truncated data", b => b[..^1], "truncated: tensor 'b' ends at byte 24" },
        { "trailing bytes", b => [.. b, 0, 0, 0, 0], "4 bytes after the last tensor" },
        { "huge header length", b => { var c = (byte[])b.Clone(); c[7] = 0x7f; return c; }, "over the 100000000-byte limit" },
        { "header past the end", b => { var c = (byte[])b.Clone(); BinaryPrimitives.WriteUInt64LittleEndian(c, 4096); return c; }, "truncated: the header length is 4096" },
        { "not JSON", b => { var c = (byte[])b.Clone(); c[8] = (byte)'x'; return c; }, "not valid JSON" },
    };

    [Theory]
    [MemberData(nameof(Corruptions))]
    public void Refuses_corrupt_files_and_says_why(string what, Func<byte[], byte[]> corrupt, string problem)
    {
        var writer = new SafeTensorsWriter();
        writer.AddDoubles("a", [1, 2], 2);
        writer.AddDoubles("b", [3], 1);
        var error = Assert.Throws<SafeTensorsFormatException>(() => SafeTensorsFile.Parse("f.safetensors", corrupt(writer.ToBytes())));
        Assert.True(error.Message.Contains(problem), $"{what}: {error.Message}");
        Assert.StartsWith("f.safetensors: ", error.Message);
    }

    [Theory]
    [InlineData("""{"a":{"dtype":"F64","shape":[2],"data_offsets":[0,8]}}""", 8, "needs 16 bytes")]
    [InlineData("""{"a":{"dtype":"F64","shape":[1],"data_offsets":[8,16]}}""", 16, "hole before tensor 'a'")]
    [InlineData("""{"a":{"dtype":"F64","shape":[1],"data_offsets":[0,8]},"b":{"dtype":"F64","shape":[1],"data_offsets":[0,8]}}""", 8, "overlaps")]
    [InlineData("""{"a":{"dtype":"Q7","shape":[1],"data_offsets":[0,8]}}""", 8, "unknown dtype 'Q7'")]
    [InlineData("""{"a":{"dtype":"F64","shape":[-1],"data_offsets":[0,8]}}""", 8, "non-negative integers")]
    [InlineData("""{"a":{"dtype":"F64","shape":[1]}}""", 8, "lacks data_offsets")]
    [InlineData("""{"a":{"dtype":"F64","shape":[1],"data_offsets":[0,8]},"a":{"dtype":"F64","shape":[1],"data_offsets":[0,8]}}""", 8, "'a' appears twice")]
    [InlineData("""[1,2]""", 0, "the header should be an object")]
    [InlineData("""{"\ud800":{"dtype":"F64","shape":[1],"data_offsets":[0,8]}}""", 8, "not valid UTF-8")]
    [InlineData("""{"a":{"dtype":"F64","shape":[2305843009213693952],"data_offsets":[8,8]}}""", 8, "more bytes than any file holds")]
    [InlineData("""{"a":{"dtype":"F64","shape":[4294967296,4294967296],"data_offsets":[0,0]}}""", 0, "more bytes than any file holds")]
    public void Refuses_headers_that_break_the_specification(string json, int dataBytes, string problem)
    {
        byte[] header = System.Text.Encoding.UTF8.GetBytes(json);
        var bytes = new byte[8 + header.Length + dataBytes];
        BinaryPrimitives.WriteUInt64LittleEndian(bytes, (ulong)header.Length);
        header.CopyTo(bytes, 8);
        var error = Assert.Throws<SafeTensorsFormatException>(() => SafeTensorsFile.Parse("h.safetensors", bytes));
        Assert.Contains(problem, error.Message);
    }
}
