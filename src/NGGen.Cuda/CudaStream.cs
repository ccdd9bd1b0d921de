using NGGen.Cuda.Native;

namespace NGGen.Cuda;

/// <summary>A CUDA stream (CUstream); destroyed on dispose.</summary>
public sealed unsafe class CudaStream : IDisposable
{
    private nint _handle;

    /// <summary>Creates a stream in the current context.</summary>
    public CudaStream()
    {
        nint handle;
        CudaCheck.ThrowIfFailed(CudaDriverApi.cuStreamCreate(&handle, 0), nameof(CudaDriverApi.cuStreamCreate));
        _handle = handle;
    }

    /// <summary>Gets the CUstream handle.</summary>
    public nint Handle
    {
        get
        {
            ObjectDisposedException.ThrowIf(_handle == 0, this);
            return _handle;
        }
    }

    /// <summary>Waits for all work queued on the stream.</summary>
    public void Synchronize()
        => CudaCheck.ThrowIfFailed(CudaDriverApi.cuStreamSynchronize(Handle), nameof(CudaDriverApi.cuStreamSynchronize));

    /// <inheritdoc/>
    public void Dispose()
    {
        nint handle = Interlocked.Exchange(ref _handle, 0);
        if (handle != 0)
            CudaCheck.ThrowIfFailed(CudaDriverApi.cuStreamDestroy_v2(handle), nameof(CudaDriverApi.cuStreamDestroy_v2));
    }
}
