using System.Buffers.Binary;
using System.Text;
using System.Text.Json;

namespace NGGen.IO;

/// <summary>A safetensors file that breaks the format, with the file named in the message.</summary>
public sealed class SafeTensorsFormatException(string path, string problem) : IOException($"{path}: {problem}")
{
    /// <summary>The file.</summary>
    public string FilePath { get; } = path;
}

/// <summary>One tensor of a safetensors file: its dtype, shape and byte range within the data section.</summary>
public sealed record SafeTensor(string Name, string DType, long[] Shape, long Begin, long End)
{
    /// <summary>Number of elements (1 for a scalar of shape []).</summary>
    public long ElementCount => Shape.Aggregate(1L, (n, d) => n * d);
}

/// <summary>
/// The safetensors format (Hugging Face): an 8-byte little-endian header length N, N bytes of UTF-8 JSON mapping each
/// tensor name to its dtype, shape and data offsets (plus an optional string-to-string <c>__metadata__</c>), then the
/// tensor bytes, little-endian, covering the data section without holes or overlaps. Any safetensors reader
/// (Python's <c>safetensors</c>, Rust's crate) reads what <see cref="SafeTensorsWriter"/> writes.
/// </summary>
public sealed class SafeTensorsFile
{
    /// <summary>The largest header accepted (the reference implementation's limit).</summary>
    public const long MaxHeaderBytes = 100_000_000;

    private readonly byte[] _bytes;
    private readonly int _dataStart;
    private readonly Dictionary<string, SafeTensor> _byName;

    private SafeTensorsFile(string path, byte[] bytes, int dataStart, Dictionary<string, string> metadata, List<SafeTensor> tensors)
    {
        Path = path;
        _bytes = bytes;
        _dataStart = dataStart;
        Metadata = metadata;
        Tensors = tensors;
        _byName = tensors.ToDictionary(t => t.Name);
    }

    /// <summary>The file read.</summary>
    public string Path { get; }

    /// <summary>The <c>__metadata__</c> entries (empty when the file has none).</summary>
    public IReadOnlyDictionary<string, string> Metadata { get; }

    /// <summary>The tensors in data order.</summary>
    public IReadOnlyList<SafeTensor> Tensors { get; }

    /// <summary>The bytes of the data section (all tensors).</summary>
    public ReadOnlySpan<byte> Data => _bytes.AsSpan(_dataStart);

    /// <summary>The data section as memory: the tensors' bytes in data order, back to back (no holes, as validated).</summary>
    public ReadOnlyMemory<byte> DataMemory => _bytes.AsMemory(_dataStart);

    /// <summary>The tensor called <paramref name="name"/>, or null.</summary>
    public SafeTensor? Find(string name) => _byName.GetValueOrDefault(name);

    /// <summary>The raw little-endian bytes of <paramref name="tensor"/>.</summary>
    public ReadOnlySpan<byte> Bytes(SafeTensor tensor) => Data[(int)tensor.Begin..(int)tensor.End];

    /// <summary>The values of an F64 or F32 tensor as doubles.</summary>
    public double[] ReadDoubles(SafeTensor tensor)
    {
        var bytes = Bytes(tensor);
        var values = new double[tensor.ElementCount];
        switch (tensor.DType)
        {
            case "F64":
                for (int i = 0; i < values.Length; i++)
                    values[i] = BinaryPrimitives.ReadDoubleLittleEndian(bytes[(i * 8)..]);
                break;
            case "F32":
                for (int i = 0; i < values.Length; i++)
                    values[i] = BinaryPrimitives.ReadSingleLittleEndian(bytes[(i * 4)..]);
                break;
            default:
                throw new SafeTensorsFormatException(Path, $"tensor '{tensor.Name}' has dtype {tensor.DType}; NGGen reads F64 and F32.");
        }
        return values;
    }

    /// <summary>Reads and validates <paramref name="path"/>.</summary>
    public static SafeTensorsFile Read(string path)
    {
        if (!File.Exists(path))
            throw new FileNotFoundException($"{path}: no such file.", path);
        return Parse(path, File.ReadAllBytes(path));
    }

    /// <summary>Validates <paramref name="bytes"/> as a safetensors file (<paramref name="path"/> names it in errors).</summary>
    public static SafeTensorsFile Parse(string path, byte[] bytes)
    {
        if (bytes.Length < 8)
            throw new SafeTensorsFormatException(path, $"{bytes.Length} bytes is too short for a safetensors file (the header length alone is 8).");
        ulong headerLength = BinaryPrimitives.ReadUInt64LittleEndian(bytes);
        if (headerLength > MaxHeaderBytes)
            throw new SafeTensorsFormatException(path, $"the header length {headerLength} is over the {MaxHeaderBytes}-byte limit: not a safetensors file, or a corrupt one.");
        if (8 + (long)headerLength > bytes.Length)
            throw new SafeTensorsFormatException(path, $"truncated: the header length is {headerLength} bytes, but only {bytes.Length - 8} follow it.");
        int dataStart = 8 + (int)headerLength;
        var metadata = new Dictionary<string, string>(StringComparer.Ordinal);
        var tensors = new List<SafeTensor>();
        try
        {
            ParseHeader(bytes.AsSpan(8, (int)headerLength), metadata, tensors);
        }
        catch (JsonException e)
        {
            throw new SafeTensorsFormatException(path, $"the header is not valid JSON ({e.Message}).");
        }
        catch (FormatException e)
        {
            throw new SafeTensorsFormatException(path, $"the header is malformed: {e.Message}");
        }
        catch (InvalidOperationException e)
        {
            // Utf8JsonReader.GetString on invalid UTF-8 or a lone surrogate escape.
            throw new SafeTensorsFormatException(path, $"the header holds text that is not valid UTF-8 ({e.Message}).");
        }
        long dataLength = bytes.Length - dataStart, expected = 0;
        foreach (var tensor in tensors.OrderBy(t => t.Begin).ThenBy(t => t.End))
        {
            long size = CheckedSize(tensor);
            if (size < 0)
                throw new SafeTensorsFormatException(path, $"tensor '{tensor.Name}' has shape [{string.Join(", ", tensor.Shape)}], more bytes than any file holds.");
            if (tensor.End - tensor.Begin != size)
                throw new SafeTensorsFormatException(path, $"tensor '{tensor.Name}' ({tensor.DType}, shape [{string.Join(", ", tensor.Shape)}]) needs {size} bytes, its offsets [{tensor.Begin}, {tensor.End}] span {tensor.End - tensor.Begin}.");
            if (tensor.Begin != expected)
                throw new SafeTensorsFormatException(path, tensor.Begin > expected
                    ? $"the data section has a hole before tensor '{tensor.Name}' (bytes {expected}..{tensor.Begin})."
                    : $"tensor '{tensor.Name}' overlaps the tensor before it (it begins at byte {tensor.Begin}, the previous one ends at {expected}).");
            if (tensor.End > dataLength)
                throw new SafeTensorsFormatException(path, $"truncated: tensor '{tensor.Name}' ends at byte {tensor.End} of the data section, which has {dataLength}.");
            expected = tensor.End;
        }
        if (expected != dataLength)
            throw new SafeTensorsFormatException(path, $"{dataLength - expected} bytes after the last tensor belong to none; the file is not what its header describes.");
        tensors.Sort((a, b) => a.Begin.CompareTo(b.Begin));
        return new SafeTensorsFile(path, bytes, dataStart, metadata, tensors);
    }

    // The tensor's byte size, or −1 when it does not fit in a long: shapes come from the file and may be hostile.
    private static long CheckedSize(SafeTensor tensor)
    {
        try
        {
            long size = ItemSize(tensor.DType);
            foreach (long d in tensor.Shape)
                size = checked(size * d);
            return size;
        }
        catch (OverflowException)
        {
            return -1;
        }
    }

    /// <summary>Bytes per element of a safetensors dtype.</summary>
    public static int ItemSize(string dtype) => dtype switch
    {
        "F64" or "I64" or "U64" => 8,
        "F32" or "I32" or "U32" => 4,
        "F16" or "BF16" or "I16" or "U16" => 2,
        "I8" or "U8" or "BOOL" or "F8_E4M3" or "F8_E5M2" => 1,
        _ => throw new FormatException($"unknown dtype '{dtype}'")
    };

    private static void ParseHeader(ReadOnlySpan<byte> json, Dictionary<string, string> metadata, List<SafeTensor> tensors)
    {
        var reader = new Utf8JsonReader(json.TrimEnd((byte)' '), new JsonReaderOptions { MaxDepth = 8 });
        Expect(ref reader, JsonTokenType.StartObject, "the header");
        var seen = new HashSet<string>(StringComparer.Ordinal);
        while (Next(ref reader) != JsonTokenType.EndObject)
        {
            if (reader.TokenType != JsonTokenType.PropertyName)
                throw new FormatException("expected a tensor name");
            string name = reader.GetString()!;
            if (!seen.Add(name))
                throw new FormatException($"'{name}' appears twice");
            if (name == "__metadata__")
            {
                Expect(ref reader, JsonTokenType.StartObject, "__metadata__");
                while (Next(ref reader) != JsonTokenType.EndObject)
                {
                    string key = reader.GetString()!;
                    Expect(ref reader, JsonTokenType.String, $"__metadata__ entry '{key}'");
                    metadata[key] = reader.GetString()!;
                }
                continue;
            }
            tensors.Add(ParseTensor(ref reader, name));
        }
        if (reader.Read())
            throw new FormatException("text follows the header object");
    }

    private static SafeTensor ParseTensor(ref Utf8JsonReader reader, string name)
    {
        Expect(ref reader, JsonTokenType.StartObject, $"tensor '{name}'");
        string? dtype = null;
        long[]? shape = null, offsets = null;
        while (Next(ref reader) != JsonTokenType.EndObject)
        {
            string field = reader.GetString()!;
            switch (field)
            {
                case "dtype":
                    Expect(ref reader, JsonTokenType.String, $"tensor '{name}' dtype");
                    dtype = reader.GetString()!;
                    ItemSize(dtype);
                    break;
                case "shape":
                    shape = ReadIntegers(ref reader, $"tensor '{name}' shape");
                    break;
                case "data_offsets":
                    offsets = ReadIntegers(ref reader, $"tensor '{name}' data_offsets");
                    if (offsets.Length != 2 || offsets[1] < offsets[0])
                        throw new FormatException($"tensor '{name}' data_offsets must be [begin, end] with begin ≤ end");
                    break;
                default:
                    throw new FormatException($"tensor '{name}' has an unknown field '{field}'");
            }
        }
        if (dtype is null || shape is null || offsets is null)
            throw new FormatException($"tensor '{name}' lacks {(dtype is null ? "dtype" : shape is null ? "shape" : "data_offsets")}");
        return new SafeTensor(name, dtype, shape, offsets[0], offsets[1]);
    }

    private static long[] ReadIntegers(ref Utf8JsonReader reader, string what)
    {
        Expect(ref reader, JsonTokenType.StartArray, what);
        var values = new List<long>();
        while (Next(ref reader) != JsonTokenType.EndArray)
        {
            if (reader.TokenType != JsonTokenType.Number || !reader.TryGetInt64(out long value) || value < 0)
                throw new FormatException($"{what} must hold non-negative integers");
            values.Add(value);
        }
        return [.. values];
    }

    private static JsonTokenType Next(ref Utf8JsonReader reader)
    {
        if (!reader.Read())
            throw new FormatException("the header ends early");
        return reader.TokenType;
    }

    private static void Expect(ref Utf8JsonReader reader, JsonTokenType type, string what)
    {
        if (Next(ref reader) != type)
            throw new FormatException($"{what} should be {Describe(type)}, not {Describe(reader.TokenType)}");
    }

    private static string Describe(JsonTokenType type) => type switch
    {
        JsonTokenType.StartObject => "an object",
        JsonTokenType.StartArray => "an array",
        JsonTokenType.String => "a string",
        JsonTokenType.Number => "a number",
        _ => type.ToString(),
    };
}

/// <summary>Builds a safetensors file: tensors in the order added, F64 or F32, and string metadata.</summary>
public sealed class SafeTensorsWriter
{
    private readonly List<(string Name, string DType, long[] Shape, byte[] Bytes)> _tensors = [];

    /// <summary>The <c>__metadata__</c> entries, written in key order.</summary>
    public SortedDictionary<string, string> Metadata { get; } = new(StringComparer.Ordinal);

    /// <summary>Adds an F64 tensor of <paramref name="shape"/> (empty for a scalar).</summary>
    public void AddDoubles(string name, ReadOnlySpan<double> values, params ReadOnlySpan<int> shape)
    {
        var bytes = new byte[values.Length * 8];
        for (int i = 0; i < values.Length; i++)
            BinaryPrimitives.WriteDoubleLittleEndian(bytes.AsSpan(i * 8), values[i]);
        Add(name, "F64", shape, values.Length, bytes);
    }

    /// <summary>Adds an F32 tensor of <paramref name="shape"/>.</summary>
    public void AddSingles(string name, ReadOnlySpan<float> values, params ReadOnlySpan<int> shape)
    {
        var bytes = new byte[values.Length * 4];
        for (int i = 0; i < values.Length; i++)
            BinaryPrimitives.WriteSingleLittleEndian(bytes.AsSpan(i * 4), values[i]);
        Add(name, "F32", shape, values.Length, bytes);
    }

    /// <summary>The tensors added so far: name, dtype, shape and the little-endian bytes.</summary>
    public IEnumerable<(string Name, string DType, long[] Shape, byte[] Bytes)> Tensors => _tensors;

    private void Add(string name, string dtype, ReadOnlySpan<int> shape, int count, byte[] bytes)
    {
        if (name == "__metadata__" || _tensors.Any(t => t.Name == name))
            throw new ArgumentException($"tensor name '{name}' is reserved or already used.", nameof(name));
        long elements = 1;
        foreach (int d in shape)
            elements *= d;
        if (elements != count)
            throw new ArgumentException($"tensor '{name}': shape [{string.Join(", ", shape.ToArray())}] holds {elements} values, {count} were given.", nameof(shape));
        _tensors.Add((name, dtype, shape.ToArray().Select(d => (long)d).ToArray(), bytes));
    }

    /// <summary>The file's bytes.</summary>
    public byte[] ToBytes()
    {
        var json = new MemoryStream();
        using (var writer = new Utf8JsonWriter(json))
        {
            writer.WriteStartObject();
            if (Metadata.Count > 0)
            {
                writer.WriteStartObject("__metadata__");
                foreach (var (key, value) in Metadata)
                    writer.WriteString(key, value);
                writer.WriteEndObject();
            }
            long offset = 0;
            foreach (var (name, dtype, shape, bytes) in _tensors)
            {
                writer.WriteStartObject(name);
                writer.WriteString("dtype", dtype);
                writer.WriteStartArray("shape");
                foreach (long d in shape)
                    writer.WriteNumberValue(d);
                writer.WriteEndArray();
                writer.WriteStartArray("data_offsets");
                writer.WriteNumberValue(offset);
                writer.WriteNumberValue(offset + bytes.Length);
                writer.WriteEndArray();
                writer.WriteEndObject();
                offset += bytes.Length;
            }
            writer.WriteEndObject();
        }
        // The header is padded with spaces so the data starts 8-byte aligned, as the reference writer does.
        int headerLength = (int)(json.Length + 7) / 8 * 8;
        long total = 8 + headerLength + _tensors.Sum(t => (long)t.Bytes.Length);
        var file = new byte[total];
        BinaryPrimitives.WriteUInt64LittleEndian(file, (ulong)headerLength);
        json.GetBuffer().AsSpan(0, (int)json.Length).CopyTo(file.AsSpan(8));
        file.AsSpan(8 + (int)json.Length, headerLength - (int)json.Length).Fill((byte)' ');
        int at = 8 + headerLength;
        foreach (var tensor in _tensors)
        {
            tensor.Bytes.CopyTo(file, at);
            at += tensor.Bytes.Length;
        }
        return file;
    }
}
