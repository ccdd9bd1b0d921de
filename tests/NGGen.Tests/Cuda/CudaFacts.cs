using NGGen.Cuda;
using NGGen.Cuda.Native;
using Xunit;

namespace NGGen.Tests.Cuda;

/// <summary>
/// A fact that needs NVRTC (Debian's non-free libnvrtc11.2, or a CUDA toolkit). Where NVRTC is missing it is
/// reported as skipped, never passed; .ci/run installs NVRTC and sets NGGEN_REQUIRE_NVRTC=1, which turns a missing
/// NVRTC into a failure instead.
/// </summary>
public sealed class NvrtcFactAttribute : FactAttribute
{
    public NvrtcFactAttribute()
    {
        if (!Nvrtc.IsAvailable(out string? reason) && Environment.GetEnvironmentVariable("NGGEN_REQUIRE_NVRTC") != "1")
            Skip = $"{reason} (install libnvrtc11.2 from Debian non-free; .ci/run does)";
    }
}

/// <summary>
/// A fact that needs the CUDA driver library (libcuda.so.1) but no GPU: Debian's non-free libcuda1 provides it, and
/// its cuInit then reports that there is no device. Skipped where the library is missing, unless
/// NGGEN_REQUIRE_CUDA_DRIVER_LIBRARY=1 (set by .ci/run, which installs it).
/// </summary>
public sealed class CudaDriverLibraryFactAttribute : FactAttribute
{
    public CudaDriverLibraryFactAttribute()
    {
        if (!CudaLibraries.TryLoad(CudaLibraries.Driver, out string? reason)
            && Environment.GetEnvironmentVariable("NGGEN_REQUIRE_CUDA_DRIVER_LIBRARY") != "1")
        {
            Skip = $"the CUDA driver library is not installed ({reason}); install libcuda1 from Debian non-free, as .ci/run does";
        }
    }
}

/// <summary>
/// A theory that runs emitted CUDA C on the CPU through g++. Skipped where g++ is missing, unless
/// NGGEN_REQUIRE_HOST_COMPILER=1 (set by .ci/run, which installs it).
/// </summary>
public sealed class HostCompilerTheoryAttribute : TheoryAttribute
{
    public HostCompilerTheoryAttribute()
    {
        if (!HostCompiledKernels.CompilerAvailable && Environment.GetEnvironmentVariable("NGGEN_REQUIRE_HOST_COMPILER") != "1")
            Skip = "g++ is not installed (apt-get install g++; .ci/run does)";
    }
}
