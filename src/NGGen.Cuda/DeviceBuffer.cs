using NGGen.Cuda.Native;

namespace NGGen.Cuda;

/// <summary>
/// An array of <typeparamref name="T"/> in device memory (ManagedCuda's <c>CudaDeviceVariable</c>); freed on dispose.
/// </summary>
/// <typeparam name="T">An unmanaged element type.</typeparam>
public sealed unsafe class DeviceBuffer<T> : IDisposable
    where T : unmanaged
{
    private ulong _pointer;

    /// <summary>Allocates <paramref name="length"/> elements (uninitialised) in the current context.</summary>
    public DeviceBuffer(int length)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        Length = length;
        if (length == 0)
            return;
        ulong pointer;
        CudaCheck.ThrowIfFailed(CudaDriverApi.cuMemAlloc_v2(&pointer, ByteCount(length)), nameof(CudaDriverApi.cuMemAlloc_v2));
        _pointer = pointer;
    }

    /// <summary>Allocates a buffer holding a copy of <paramref name="source"/>.</summary>
    public DeviceBuffer(ReadOnlySpan<T> source)
        : this(source.Length)
        => CopyFrom(source);

    /// <summary>Gets the number of elements.</summary>
    public int Length { get; }

    /// <summary>Gets the device address (CUdeviceptr), for kernel arguments and cuBLAS.</summary>
    public ulong Pointer
    {
        get
        {
            ObjectDisposedException.ThrowIf(_pointer == 0 && Length > 0, this);
            return _pointer;
        }
    }

    /// <summary>Copies host data into the buffer (synchronous).</summary>
    /// <exception cref="ArgumentException">The lengths differ.</exception>
    public void CopyFrom(ReadOnlySpan<T> source)
    {
        RequireLength(source.Length, nameof(source));
        fixed (T* s = source)
            CudaCheck.ThrowIfFailed(CudaDriverApi.cuMemcpyHtoD_v2(Pointer, s, ByteCount(Length)), nameof(CudaDriverApi.cuMemcpyHtoD_v2));
    }

    /// <summary>Copies the buffer into host memory (synchronous).</summary>
    /// <exception cref="ArgumentException">The lengths differ.</exception>
    public void CopyTo(Span<T> destination)
    {
        RequireLength(destination.Length, nameof(destination));
        fixed (T* d = destination)
            CudaCheck.ThrowIfFailed(CudaDriverApi.cuMemcpyDtoH_v2(d, Pointer, ByteCount(Length)), nameof(CudaDriverApi.cuMemcpyDtoH_v2));
    }

    /// <summary>Copies another buffer of the same length into this one, on the device.</summary>
    public void CopyFrom(DeviceBuffer<T> source)
    {
        ArgumentNullException.ThrowIfNull(source);
        RequireLength(source.Length, nameof(source));
        CudaCheck.ThrowIfFailed(CudaDriverApi.cuMemcpyDtoD_v2(Pointer, source.Pointer, ByteCount(Length)), nameof(CudaDriverApi.cuMemcpyDtoD_v2));
    }

    /// <summary>Copies all of <paramref name="source"/> into this buffer from element <paramref name="offset"/> on, on the device.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The source does not fit at that offset.</exception>
    public void CopyFrom(DeviceBuffer<T> source, int offset)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentOutOfRangeException.ThrowIfNegative(offset);
        if ((long)offset + source.Length > Length)
            throw new ArgumentOutOfRangeException(nameof(offset), offset, $"{source.Length} elements from offset {offset} do not fit in a buffer of {Length}.");
        CudaCheck.ThrowIfFailed(CudaDriverApi.cuMemcpyDtoD_v2(Pointer + ((ulong)offset * (ulong)sizeof(T)), source.Pointer, ByteCount(source.Length)), nameof(CudaDriverApi.cuMemcpyDtoD_v2));
    }

    /// <summary>Writes one element (synchronous).</summary>
    public void SetElement(int index, T value)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, Length);
        CudaCheck.ThrowIfFailed(CudaDriverApi.cuMemcpyHtoD_v2(Pointer + ((ulong)index * (ulong)sizeof(T)), &value, (nuint)sizeof(T)), nameof(CudaDriverApi.cuMemcpyHtoD_v2));
    }

    /// <summary>Sets every byte to zero.</summary>
    public void Clear()
        => CudaCheck.ThrowIfFailed(CudaDriverApi.cuMemsetD8_v2(Pointer, 0, ByteCount(Length)), nameof(CudaDriverApi.cuMemsetD8_v2));

    /// <summary>Reads one element (synchronous).</summary>
    public T Element(int index)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, Length);
        T value;
        CudaCheck.ThrowIfFailed(CudaDriverApi.cuMemcpyDtoH_v2(&value, Pointer + ((ulong)index * (ulong)sizeof(T)), (nuint)sizeof(T)), nameof(CudaDriverApi.cuMemcpyDtoH_v2));
        return value;
    }

    /// <summary>Copies the buffer into a new host array.</summary>
    public T[] ToArray()
    {
        var result = new T[Length];
        CopyTo(result);
        return result;
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        ulong pointer = Interlocked.Exchange(ref _pointer, 0);
        if (pointer != 0)
            CudaCheck.ThrowIfFailed(CudaDriverApi.cuMemFree_v2(pointer), nameof(CudaDriverApi.cuMemFree_v2));
    }

    private static nuint ByteCount(int length) => (nuint)length * (nuint)sizeof(T);

    private void RequireLength(int length, string name)
    {
        if (length != Length)
            throw new ArgumentException($"The device buffer holds {Length} elements but the other side has {length}.", name);
    }
}
