using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace NGGen.Kernels;

/// <summary>
/// Per-thread packing scratch for <see cref="Gemm"/>, allocated once on the pinned object heap and grown on demand,
/// so steady-state calls allocate nothing.
/// </summary>
/// <typeparam name="T">Element type.</typeparam>
internal static unsafe class GemmScratch<T>
    where T : unmanaged
{
    /// <summary>Alignment of every region handed out, in bytes (one cache line, one zmm register).</summary>
    internal const int Alignment = 64;

    [ThreadStatic]
    private static T[]? t_buffer;

    /// <summary>Rounds an element count up so that the next region starts on an <see cref="Alignment"/> boundary.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static nint AlignLength(nint length)
    {
        nint perLine = Alignment / sizeof(T);
        return (length + perLine - 1) / perLine * perLine;
    }

    /// <summary>
    /// Returns a 64-byte-aligned pointer to at least <paramref name="length"/> elements of this thread's scratch.
    /// The contents are unspecified; the memory stays valid until the next call on the same thread.
    /// </summary>
    internal static T* Get(nint length)
    {
        nint needed = length + (Alignment / sizeof(T));
        T[]? buffer = t_buffer;
        if (buffer is null || buffer.Length < needed)
        {
            // Pinned so raw pointers into it stay valid without a fixed statement for the whole multiply.
            buffer = GC.AllocateUninitializedArray<T>(checked((int)needed), pinned: true);
            t_buffer = buffer;
        }

        byte* p = (byte*)Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(buffer));
        nint misalignment = (nint)p & (Alignment - 1);
        return (T*)(misalignment == 0 ? p : p + (Alignment - misalignment));
    }
}
