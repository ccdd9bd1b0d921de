using System.Buffers.Binary;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;

namespace NGGen.IO;

/// <summary>
/// NumPy <c>.npy</c> files (format versions 1.0, 2.0 and 3.0): reads 1-D and 2-D arrays of float32 or float64 in
/// either byte order and either memory order into a <see cref="NumericTable"/> (a 1-D array is one column), and writes
/// little-endian float32 and float64 arrays of any shape. A wrong magic string, an unreadable header, an unsupported dtype or rank, a file
/// shorter or longer than its header says, and NaN or Inf values are each a <see cref="DataFileException"/> naming
/// the file and, for a value, its row and column.
/// </summary>
public static class NpyFile
{
    private static ReadOnlySpan<byte> Magic => [0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y'];

    /// <summary>Reads <paramref name="path"/>.</summary>
    public static NumericTable Read(string path)
    {
        if (!File.Exists(path))
            throw new DataFileException(path, Directory.Exists(path) ? "is a directory, not a data file." : "no such file.");
        byte[] bytes = File.ReadAllBytes(path);
        if (bytes.Length == 0)
            throw new DataFileException(path, "the file is empty.");
        if (bytes.Length < 10 || !bytes.AsSpan(0, 6).SequenceEqual(Magic))
            throw new DataFileException(path, "not a NumPy .npy file (it does not start with the magic string \\x93NUMPY).");
        int major = bytes[6];
        int headerLength, headerStart;
        switch (major)
        {
            case 1:
                headerLength = BinaryPrimitives.ReadUInt16LittleEndian(bytes.AsSpan(8));
                headerStart = 10;
                break;
            case 2 or 3 when bytes.Length < 12:
                throw new DataFileException(path, $"truncated: a version {major}.{bytes[7]} header needs 12 bytes before its text, the file has {bytes.Length}.");
            case 2 or 3:
                uint length = BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(8));
                if (length > int.MaxValue)
                    throw new DataFileException(path, $"the header length {length} is impossible.");
                headerLength = (int)length;
                headerStart = 12;
                break;
            default:
                throw new DataFileException(path, $"format version {major}.{bytes[7]} is not one NGGen reads (1.0, 2.0 or 3.0).");
        }
        if ((long)headerStart + headerLength > bytes.Length)
            throw new DataFileException(path, $"truncated: the header says it is {headerLength} bytes long, but the file ends {bytes.Length - headerStart} bytes after its start.");
        string header = (major == 3 ? Encoding.UTF8 : Encoding.Latin1).GetString(bytes, headerStart, headerLength);
        var (descr, fortranOrder, shape) = ParseHeader(path, header);

        bool bigEndian = descr[0] == '>' || (descr[0] == '=' && !BitConverter.IsLittleEndian);
        int itemSize = descr[1..] switch
        {
            "f4" => 4,
            "f8" => 8,
            _ => throw new DataFileException(path, $"dtype '{descr}' is not supported; save the array as float32 or float64 (e.g. array.astype(np.float64)).")
        };
        if (descr[0] is not ('<' or '>' or '='))
            throw new DataFileException(path, $"dtype '{descr}' has no byte order NGGen understands.");
        if (shape.Length is 0 or > 2)
            throw new DataFileException(path, $"the array has {shape.Length} dimensions (shape ({string.Join(", ", shape)})); NGGen reads a 2-D array of rows × columns or a 1-D column.");
        long rows = shape[0], columns = shape.Length == 2 ? shape[1] : 1;
        if (rows == 0 || columns == 0)
            throw new DataFileException(path, $"the array is empty (shape ({string.Join(", ", shape)})).");
        // Each dimension is checked before the product is formed, so a hostile shape cannot wrap the count around.
        if (rows > int.MaxValue / 8 || columns > int.MaxValue / 8 || rows * columns > int.MaxValue / 8)
            throw new DataFileException(path, $"shape ({string.Join(", ", shape)}) is more values than NGGen reads into one table ({int.MaxValue / 8}).");
        long count = rows * columns;
        long dataStart = headerStart + headerLength, expected = count * itemSize, actual = bytes.Length - dataStart;
        if (actual < expected)
            throw new DataFileException(path, $"truncated: shape ({string.Join(", ", shape)}) of {descr} needs {expected} bytes of data, the file has {actual}.");
        if (actual > expected)
            throw new DataFileException(path, $"{actual - expected} bytes follow the {expected} bytes that shape ({string.Join(", ", shape)}) of {descr} needs; the header does not describe the file.");

        var names = NumericTable.NumberedColumns((int)columns);
        var values = new double[count];
        var data = bytes.AsSpan((int)dataStart);
        for (int r = 0; r < rows; r++)
            for (int c = 0; c < columns; c++)
            {
                // C order stores rows contiguously; Fortran order stores columns contiguously.
                long index = fortranOrder ? c * rows + r : r * columns + c;
                double value = ReadValue(data.Slice((int)(index * itemSize), itemSize), bigEndian);
                if (!double.IsFinite(value))
                    throw new DataFileException(path, $"{value.ToString(CultureInfo.InvariantCulture)} is not a finite number.", row: r + 1, column: $"{c + 1}");
                values[r * columns + c] = value;
            }
        return new NumericTable(path, names, (int)rows, values);
    }

    /// <summary>Writes <paramref name="values"/> (C order) as a little-endian float32 or float64 array of
    /// <paramref name="shape"/> (format 1.0), atomically: a reader sees the old file or the whole new one.</summary>
    public static void Write<T>(string path, ReadOnlySpan<T> values, params int[] shape)
        where T : unmanaged
    {
        string descr = typeof(T) == typeof(float) ? "<f4" : typeof(T) == typeof(double) ? "<f8"
            : throw new NotSupportedException($"{path}: .npy files are written as float or double, not {typeof(T).Name}.");
        if (!BitConverter.IsLittleEndian)
            throw new PlatformNotSupportedException("NpyFile.Write copies the values as they are in memory, which is little-endian only on little-endian machines.");
        long count = shape.Aggregate(1L, (n, d) => n * d);
        if (count != values.Length)
            throw new ArgumentException($"{path}: shape ({string.Join(", ", shape)}) holds {count} values but {values.Length} were given.", nameof(shape));
        string shapeText = shape.Length == 1 ? $"({shape[0]},)" : $"({string.Join(", ", shape)})";
        string dict = $"{{'descr': '{descr}', 'fortran_order': False, 'shape': {shapeText}, }}";
        // The header, magic and length included, is padded with spaces to a multiple of 64 bytes and ends in '\n'.
        int padded = (10 + dict.Length + 1 + 63) / 64 * 64;
        var header = new byte[padded];
        Magic.CopyTo(header);
        header[6] = 1;
        header[7] = 0;
        BinaryPrimitives.WriteUInt16LittleEndian(header.AsSpan(8), (ushort)(padded - 10));
        int end = 10 + Encoding.ASCII.GetBytes(dict, header.AsSpan(10));
        header.AsSpan(end, padded - end - 1).Fill((byte)' ');
        header[^1] = (byte)'\n';
        byte[] data = MemoryMarshal.AsBytes(values).ToArray();
        AtomicFile.Write(path, stream =>
        {
            stream.Write(header);
            stream.Write(data);
        });
    }

    private static double ReadValue(ReadOnlySpan<byte> bytes, bool bigEndian) => bytes.Length == 4
        ? bigEndian ? BinaryPrimitives.ReadSingleBigEndian(bytes) : BinaryPrimitives.ReadSingleLittleEndian(bytes)
        : bigEndian ? BinaryPrimitives.ReadDoubleBigEndian(bytes) : BinaryPrimitives.ReadDoubleLittleEndian(bytes);

    // The header is a Python dict literal with exactly the keys 'descr', 'fortran_order' and 'shape'.
    private static (string Descr, bool FortranOrder, long[] Shape) ParseHeader(string path, string header)
    {
        string text = header.Trim();
        string? descr = null;
        bool? fortran = null;
        long[]? shape = null;
        try
        {
            descr = QuotedValue(text, "descr");
            string fortranText = RawValue(text, "fortran_order");
            fortran = fortranText switch
            {
                "True" => true,
                "False" => false,
                _ => throw new FormatException($"fortran_order is '{fortranText}', not True or False")
            };
            string shapeText = RawValue(text, "shape");
            if (!shapeText.StartsWith('(') || !shapeText.EndsWith(')'))
                throw new FormatException($"shape '{shapeText}' is not a tuple");
            shape = shapeText[1..^1].Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
                .Select(d => long.TryParse(d, NumberStyles.None, CultureInfo.InvariantCulture, out long n) ? n
                    : throw new FormatException($"shape entry '{d}' is not a non-negative integer"))
                .ToArray();
        }
        catch (FormatException e)
        {
            throw new DataFileException(path, $"the .npy header cannot be read ({e.Message}): {Shorten(text)}");
        }
        if (descr.Length < 2)
            throw new DataFileException(path, $"dtype '{descr}' is not supported; save the array as float32 or float64.");
        return (descr, fortran.Value, shape);
    }

    // The text after "'key':" up to the next top-level comma or the closing brace (tuples kept whole).
    private static string RawValue(string dict, string key)
    {
        int at = dict.IndexOf($"'{key}'", StringComparison.Ordinal);
        if (at < 0)
            throw new FormatException($"no '{key}' entry");
        int colon = dict.IndexOf(':', at);
        if (colon < 0)
            throw new FormatException($"no value for '{key}'");
        int depth = 0, i = colon + 1;
        for (; i < dict.Length; i++)
        {
            char ch = dict[i];
            if (ch == '(')
                depth++;
            else if (ch == ')')
                depth--;
            else if (depth == 0 && (ch == ',' || ch == '}'))
                break;
        }
        if (i == dict.Length)
            throw new FormatException($"the value of '{key}' does not end");
        return dict[(colon + 1)..i].Trim();
    }

    private static string QuotedValue(string dict, string key)
    {
        string value = RawValue(dict, key);
        if (value.Length < 2 || value[0] != '\'' || value[^1] != '\'')
            throw new FormatException($"'{key}' is {value}, not a quoted string");
        return value[1..^1];
    }

    private static string Shorten(string text) => text.Length <= 120 ? text : text[..117] + "...";
}
