using System.Buffers.Binary;
using System.Numerics;
using System.Runtime.InteropServices;

namespace NGGen.IO;

/// <summary>CRC-32C (Castagnoli), the checksum of checkpoints and of training data: <see cref="BitOperations.Crc32C(uint, ulong)"/>
/// uses the SSE4.2/ARM CRC instructions where present and a table otherwise.</summary>
public static class Crc32C
{
    /// <summary>The register's start value; <see cref="Finish"/> inverts it again.</summary>
    public const uint Start = 0xFFFFFFFFu;

    /// <summary>Feeds <paramref name="bytes"/> into the running <paramref name="crc"/>.</summary>
    public static uint Append(uint crc, ReadOnlySpan<byte> bytes)
    {
        var words = MemoryMarshal.Cast<byte, ulong>(bytes);
        foreach (ulong word in words)
            crc = BitOperations.Crc32C(crc, BitConverter.IsLittleEndian ? word : BinaryPrimitives.ReverseEndianness(word));
        foreach (byte b in bytes[(words.Length * 8)..])
            crc = BitOperations.Crc32C(crc, b);
        return crc;
    }

    /// <summary>The finished checksum as 8 hex digits.</summary>
    public static string Finish(uint crc) => (crc ^ Start).ToString("x8");
}
