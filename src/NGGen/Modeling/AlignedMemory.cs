using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace NGGen;

/// <summary>
/// Zeroed buffers whose first element starts a 64-byte cache line, for the arrays a model's generated calls read and
/// write (inputs, outputs, workspaces, gradients).
/// </summary>
/// <remarks>
/// .NET places an array's elements wherever the GC puts it, in 8-byte steps, so seven arrays in eight start inside a
/// cache line. A product split across threads whose output starts inside a line ran much slower on the 2-core VM:
/// the 256-wide MLP's VJP at a batch of 32 took 126 µs with every buffer on a line and 152 µs with the gradient 8
/// bytes off one, and the weight-gradient product alone (256×256×32, A·Bᵀ) 15 against 21 µs
/// (bench/RESULTS.md, "Fifteenth session"). PyTorch's CPU allocator aligns tensors to 64 bytes too. The memory is
/// pinned, so it never moves and stays aligned; it is freed with the last reference, like an array.
/// </remarks>
public static class AlignedMemory
{
    /// <summary>Bytes of the alignment: one cache line, one Vector512.</summary>
    public const int Alignment = 64;

    /// <summary><paramref name="length"/> zeroed elements starting on a 64-byte boundary.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="length"/> is negative.</exception>
    /// <exception cref="NotSupportedException">The element size does not divide 8 (the GC's own alignment), so no offset
    /// lines the elements up.</exception>
    public static unsafe Memory<T> Allocate<T>(int length)
        where T : unmanaged
    {
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        if (8 % sizeof(T) != 0)
            throw new NotSupportedException($"{typeof(T).Name} is {sizeof(T)} bytes; aligned buffers need an element size that divides 8.");
        int slack = Alignment / sizeof(T);
        T[] array = GC.AllocateArray<T>(checked(length + slack), pinned: true);
        nint address = (nint)Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(array));
        int misalignment = (int)(address & (Alignment - 1));
        // The GC aligns array data to 8 bytes and sizeof(T) divides 8, so a whole number of elements reaches the line.
        int offset = misalignment == 0 ? 0 : (Alignment - misalignment) / sizeof(T);
        return new Memory<T>(array, offset, length);
    }
}
