using NGGen.Cuda.Native;

namespace NGGen.Cuda;

/// <summary>What <see cref="CudaRuntime.Probe"/> found: a usable device, or the one reason there is none.</summary>
/// <param name="IsAvailable">Whether a CUDA device can be used.</param>
/// <param name="Reason">Why not (one line), or a description of the device and driver.</param>
/// <param name="DeviceCount">CUDA devices the driver reports (0 when unavailable).</param>
/// <param name="DriverVersion">The driver's CUDA version as 1000·major + 10·minor (0 when not loaded).</param>
public readonly record struct CudaAvailability(bool IsAvailable, string Reason, int DeviceCount, int DriverVersion)
{
    /// <summary>The line a program prints when it falls back to the CPU.</summary>
    public string FallbackMessage => $"CUDA unavailable ({Reason}); running on the CPU.";
}

/// <summary>
/// Whether CUDA can be used here. Never throws: a missing driver library, a stub library, no device or a failing
/// <c>cuInit</c> each become <see cref="CudaAvailability.Reason"/>, and callers stay on the CPU.
/// </summary>
public static unsafe class CudaRuntime
{
    private static readonly Lazy<CudaAvailability> s_availability = new(() => Probe(CudaLibraries.Candidates(CudaLibraries.Driver)));

    /// <summary>Gets the availability of CUDA in this process (probed once).</summary>
    public static CudaAvailability Availability => s_availability.Value;

    /// <summary>
    /// Probes CUDA with the driver library taken from <paramref name="driverCandidates"/>: load it, then
    /// <c>cuInit</c>, <c>cuDriverGetVersion</c> and <c>cuDeviceGetCount</c>.
    /// </summary>
    /// <remarks>
    /// The import binds to whichever driver library loads first in the process, so a probe with other candidates
    /// after a successful one only checks that those files load.
    /// </remarks>
    public static CudaAvailability Probe(IReadOnlyList<string> driverCandidates)
    {
        var (handle, failure) = CudaLibraries.Load(driverCandidates);
        if (handle == 0)
            return new(false, $"the CUDA driver library could not be loaded: {failure}; is the NVIDIA driver installed?", 0, 0);
        if (!CudaLibraries.TryLoad(CudaLibraries.Driver, out string? bound))
            return new(false, $"the CUDA driver library could not be bound: {bound}", 0, 0);

        try
        {
            int version = 0;
            CudaCheck.ThrowIfFailed(CudaDriverApi.cuInit(0), nameof(CudaDriverApi.cuInit));
            CudaCheck.ThrowIfFailed(CudaDriverApi.cuDriverGetVersion(&version), nameof(CudaDriverApi.cuDriverGetVersion));
            int count = 0;
            CudaCheck.ThrowIfFailed(CudaDriverApi.cuDeviceGetCount(&count), nameof(CudaDriverApi.cuDeviceGetCount));
            if (count == 0)
                return new(false, "the CUDA driver reports no device", 0, version);
            return new(true, $"{count} device(s), driver CUDA {version / 1000}.{version % 1000 / 10}", count, version);
        }
        catch (CudaException exception)
        {
            return new(false, exception.Message, 0, 0);
        }
        catch (EntryPointNotFoundException exception)
        {
            return new(false, $"the CUDA driver library lacks an entry point: {exception.Message}", 0, 0);
        }
    }
}
