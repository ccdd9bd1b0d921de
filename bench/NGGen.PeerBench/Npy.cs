using System.Runtime.InteropServices;
using System.Text;

namespace NGGen.PeerBench;

/// <summary>
/// Writes NumPy <c>.npy</c> files (format 1.0, little-endian, C order) so the peers read exactly the data,
/// initial parameters and reference outputs NGGen used.
/// </summary>
public static class Npy
{
    public static void Write<T>(string path, ReadOnlySpan<T> values, params int[] shape) where T : unmanaged
    {
        string descr = typeof(T) == typeof(float) ? "<f4" : typeof(T) == typeof(double) ? "<f8"
            : throw new NotSupportedException($"Npy.Write supports float and double, not {typeof(T)}.");
        long count = shape.Aggregate(1L, (a, b) => a * b);
        if (count != values.Length)
            throw new ArgumentException($"{path}: shape ({string.Join(", ", shape)}) holds {count} values but {values.Length} were given.", nameof(shape));

        string shapeText = shape.Length == 1 ? $"({shape[0]},)" : $"({string.Join(", ", shape)})";
        string header = $"{{'descr': '{descr}', 'fortran_order': False, 'shape': {shapeText}, }}";
        // Magic (6) + version (2) + header length (2) + header + newline, padded to a multiple of 64.
        int unpadded = 10 + header.Length + 1;
        header = header.PadRight(header.Length + ((64 - unpadded % 64) % 64)) + "\n";

        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        using var stream = File.Create(path);
        stream.Write([0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y', 1, 0]);
        stream.Write(BitConverter.GetBytes((ushort)header.Length));
        stream.Write(Encoding.ASCII.GetBytes(header));
        stream.Write(MemoryMarshal.AsBytes(values));
    }
}
