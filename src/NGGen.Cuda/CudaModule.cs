using System.Text;
using NGGen.Cuda.Native;

namespace NGGen.Cuda;

/// <summary>One kernel argument: a device pointer or a 32/64-bit scalar, passed by value.</summary>
/// <remarks>Every argument NGGen's kernels take fits in 8 bytes; scalars sit in the low bytes (little-endian).</remarks>
public readonly struct KernelArgument
{
    private readonly ulong _bits;

    private KernelArgument(ulong bits) => _bits = bits;

    /// <summary>A device pointer (CUdeviceptr) or a 64-bit integer.</summary>
    public static implicit operator KernelArgument(ulong value) => new(value);

    /// <summary>A 32-bit integer.</summary>
    public static implicit operator KernelArgument(int value) => new((uint)value);

    /// <summary>A float.</summary>
    public static implicit operator KernelArgument(float value) => new(BitConverter.SingleToUInt32Bits(value));

    /// <summary>A double.</summary>
    public static implicit operator KernelArgument(double value) => new(BitConverter.DoubleToUInt64Bits(value));
}

/// <summary>A loaded module (CUmodule) of compiled kernels; unloaded on dispose.</summary>
public sealed unsafe class CudaModule : IDisposable
{
    private nint _handle;

    /// <summary>Loads PTX (or a cubin) into the current context; the driver JIT-compiles PTX for the device.</summary>
    public CudaModule(string ptx)
    {
        ArgumentException.ThrowIfNullOrEmpty(ptx);
        byte[] image = Encoding.UTF8.GetBytes(ptx + "\0");
        nint handle;
        fixed (byte* p = image)
            CudaCheck.ThrowIfFailed(CudaDriverApi.cuModuleLoadData(&handle, p), nameof(CudaDriverApi.cuModuleLoadData));
        _handle = handle;
    }

    /// <summary>Gets a kernel by its (extern "C") name.</summary>
    /// <exception cref="CudaException">No kernel has that name (<c>CUDA_ERROR_NOT_FOUND</c>).</exception>
    public CudaKernel GetKernel(string name)
    {
        ObjectDisposedException.ThrowIf(_handle == 0, this);
        byte[] utf8 = Encoding.UTF8.GetBytes(name + "\0");
        nint function;
        fixed (byte* p = utf8)
        {
            var status = CudaDriverApi.cuModuleGetFunction(&function, _handle, p);
            if (status != CUresult.CUDA_SUCCESS)
                CudaCheck.ThrowIfFailed(status, $"cuModuleGetFunction(\"{name}\")");
        }

        return new CudaKernel(name, function);
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        nint handle = Interlocked.Exchange(ref _handle, 0);
        if (handle != 0)
            CudaCheck.ThrowIfFailed(CudaDriverApi.cuModuleUnload(handle), nameof(CudaDriverApi.cuModuleUnload));
    }
}

/// <summary>A kernel (CUfunction) of a loaded module; valid while the module is.</summary>
public sealed unsafe class CudaKernel
{
    internal CudaKernel(string name, nint handle)
    {
        Name = name;
        Handle = handle;
    }

    /// <summary>Gets the kernel's name.</summary>
    public string Name { get; }

    /// <summary>Gets the CUfunction handle.</summary>
    public nint Handle { get; }

    /// <summary>Launches a one-dimensional grid of <paramref name="blocks"/> × <paramref name="threadsPerBlock"/>.</summary>
    /// <param name="blocks">Blocks in the grid.</param>
    /// <param name="threadsPerBlock">Threads per block.</param>
    /// <param name="stream">The stream to queue on (0: the default stream).</param>
    /// <param name="arguments">The kernel's arguments, in order.</param>
    public void Launch(uint blocks, uint threadsPerBlock, nint stream, params ReadOnlySpan<KernelArgument> arguments)
        => Launch((blocks, 1, 1), (threadsPerBlock, 1, 1), 0, stream, arguments);

    /// <summary>Launches a grid with explicit dimensions and dynamic shared memory.</summary>
    public void Launch(
        (uint X, uint Y, uint Z) grid, (uint X, uint Y, uint Z) block, uint sharedMemoryBytes, nint stream,
        ReadOnlySpan<KernelArgument> arguments)
    {
        // cuLaunchKernel takes an array of pointers, one to each argument's value.
        void** pointers = stackalloc void*[Math.Max(arguments.Length, 1)];
        fixed (KernelArgument* values = arguments)
        {
            for (int i = 0; i < arguments.Length; i++)
                pointers[i] = values + i;
            CudaCheck.ThrowIfFailed(
                CudaDriverApi.cuLaunchKernel(Handle, grid.X, grid.Y, grid.Z, block.X, block.Y, block.Z, sharedMemoryBytes, stream, pointers, null),
                $"cuLaunchKernel({Name})");
        }
    }
}
