using System.Runtime.InteropServices;
using System.Text;
using NGGen.Cuda.Native;

namespace NGGen.Cuda;

/// <summary>
/// A device's primary context, made current on the creating thread; released on dispose. Like ManagedCuda's
/// <c>CudaContext</c>, it is the object everything else (streams, buffers, modules) is created under.
/// </summary>
public sealed unsafe class CudaContext : IDisposable
{
    private bool _disposed;

    private CudaContext(int device, nint handle, string name, int major, int minor)
    {
        Device = device;
        Handle = handle;
        DeviceName = name;
        ComputeCapability = (major, minor);
    }

    /// <summary>Gets the CUdevice ordinal.</summary>
    public int Device { get; }

    /// <summary>Gets the CUcontext handle.</summary>
    public nint Handle { get; }

    /// <summary>Gets the device's name as the driver reports it.</summary>
    public string DeviceName { get; }

    /// <summary>Gets the device's compute capability (major, minor).</summary>
    public (int Major, int Minor) ComputeCapability { get; }

    /// <summary>
    /// Retains the primary context of device <paramref name="ordinal"/> and makes it current.
    /// </summary>
    /// <exception cref="InvalidOperationException">CUDA is unavailable; the message says why.</exception>
    /// <exception cref="CudaException">A driver call failed.</exception>
    public static CudaContext Create(int ordinal = 0)
    {
        var availability = CudaRuntime.Availability;
        if (!availability.IsAvailable)
            throw new InvalidOperationException($"CUDA is unavailable: {availability.Reason}");
        ArgumentOutOfRangeException.ThrowIfNegative(ordinal);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(ordinal, availability.DeviceCount);

        int device;
        CudaCheck.ThrowIfFailed(CudaDriverApi.cuDeviceGet(&device, ordinal), nameof(CudaDriverApi.cuDeviceGet));
        byte* name = stackalloc byte[256];
        CudaCheck.ThrowIfFailed(CudaDriverApi.cuDeviceGetName(name, 256, device), nameof(CudaDriverApi.cuDeviceGetName));
        int major, minor;
        CudaCheck.ThrowIfFailed(CudaDriverApi.cuDeviceGetAttribute(&major, CUdevice_attribute.CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR, device), nameof(CudaDriverApi.cuDeviceGetAttribute));
        CudaCheck.ThrowIfFailed(CudaDriverApi.cuDeviceGetAttribute(&minor, CUdevice_attribute.CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR, device), nameof(CudaDriverApi.cuDeviceGetAttribute));
        nint context;
        CudaCheck.ThrowIfFailed(CudaDriverApi.cuDevicePrimaryCtxRetain(&context, device), nameof(CudaDriverApi.cuDevicePrimaryCtxRetain));
        CudaCheck.ThrowIfFailed(CudaDriverApi.cuCtxSetCurrent(context), nameof(CudaDriverApi.cuCtxSetCurrent));
        return new CudaContext(device, context, Marshal.PtrToStringUTF8((nint)name) ?? "", major, minor);
    }

    /// <summary>Makes this context current on the calling thread (needed once per thread that uses it).</summary>
    public void MakeCurrent()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        CudaCheck.ThrowIfFailed(CudaDriverApi.cuCtxSetCurrent(Handle), nameof(CudaDriverApi.cuCtxSetCurrent));
    }

    /// <summary>Waits for all work in the context.</summary>
    public void Synchronize()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        CudaCheck.ThrowIfFailed(CudaDriverApi.cuCtxSynchronize(), nameof(CudaDriverApi.cuCtxSynchronize));
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        if (_disposed)
            return;
        _disposed = true;
        CudaCheck.ThrowIfFailed(CudaDriverApi.cuDevicePrimaryCtxRelease_v2(Device), nameof(CudaDriverApi.cuDevicePrimaryCtxRelease_v2));
    }

    /// <inheritdoc/>
    public override string ToString()
        => new StringBuilder().Append(DeviceName).Append(" (sm_").Append(ComputeCapability.Major).Append(ComputeCapability.Minor).Append(')').ToString();
}
