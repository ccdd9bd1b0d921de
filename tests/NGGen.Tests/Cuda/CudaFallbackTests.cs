using System.Runtime.InteropServices;
using NGGen.Cuda;
using NGGen.Cuda.Native;
using Xunit;

namespace NGGen.Tests.Cuda;

public class CudaFallbackTests
{
    [Fact]
    public void AMissingDriverLibraryBecomesOneReasonNamingTheFilesTried()
    {
        var availability = CudaRuntime.Probe(["/nonexistent/libcuda.so.1", "/nonexistent/libcuda.so"]);

        Assert.False(availability.IsAvailable);
        Assert.Equal(0, availability.DeviceCount);
        Assert.Contains("/nonexistent/libcuda.so.1, /nonexistent/libcuda.so", availability.Reason, StringComparison.Ordinal);
        Assert.Contains("NVIDIA driver", availability.Reason, StringComparison.Ordinal);
        Assert.StartsWith("CUDA unavailable (the CUDA driver library could not be loaded", availability.FallbackMessage, StringComparison.Ordinal);
        Assert.EndsWith("; running on the CPU.", availability.FallbackMessage, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', availability.FallbackMessage);
    }

    [Fact]
    public void AFileThatIsNotALibraryIsRefusedTheSameWay()
    {
        string path = Path.GetTempFileName();
        try
        {
            File.WriteAllText(path, "not an ELF file");
            var availability = CudaRuntime.Probe([path]);

            Assert.False(availability.IsAvailable);
            Assert.Contains(path, availability.Reason, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(path);
        }
    }

    // The H100 machine (CUDA 13) has only libnvrtc.so.13 and libcublas.so.13; before they were listed, CudaCheck
    // there could not load NVRTC. Newest first, so a machine with two toolkits uses the one its driver matches best.
    [Theory]
    [InlineData(CudaLibraries.Nvrtc, new[] { "libnvrtc.so.13", "libnvrtc.so.12", "libnvrtc.so.11.2", "libnvrtc.so" })]
    [InlineData(CudaLibraries.Cublas, new[] { "libcublas.so.13", "libcublas.so.12", "libcublas.so.11", "libcublas.so" })]
    public void OnLinuxToolkitLibrariesAreTriedNewestSonameFirst(string library, string[] sonames)
    {
        Assert.Equal(sonames, CudaLibraries.DefaultCandidates(library).Take(sonames.Length));
    }

    [CudaDriverLibraryFact]
    public void EveryImportedDriverFunctionIsExported()
    {
        nint library = NvrtcTests.LoadFirst(CudaLibraries.Candidates(CudaLibraries.Driver));
        var missing = CudaDriverApi.ImportedNames.Where(name => !NativeLibrary.TryGetExport(library, name, out _)).ToList();
        Assert.Empty(missing);
    }

    [CudaDriverLibraryFact]
    public void WithADriverLibraryButNoDeviceCuInitsFailureIsTheReason()
    {
        if (File.Exists("/dev/nvidia0"))
        {
            // A machine with a GPU: the probe must find it.
            Assert.True(CudaRuntime.Availability.IsAvailable, CudaRuntime.Availability.Reason);
            Assert.True(CudaRuntime.Availability.DeviceCount > 0);
            return;
        }

        var availability = CudaRuntime.Availability;

        Assert.False(availability.IsAvailable);
        Assert.StartsWith("cuInit failed: CUDA_ERROR_NO_DEVICE (100): ", availability.Reason, StringComparison.Ordinal);
        var error = Assert.Throws<InvalidOperationException>(() => CudaContext.Create());
        Assert.Contains("cuInit failed: CUDA_ERROR_NO_DEVICE", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ThrowIfFailedNamesTheCallAndTheStatus()
    {
        var driver = Assert.Throws<CudaException>(() => CudaCheck.ThrowIfFailed(CUresult.CUDA_ERROR_OUT_OF_MEMORY, "cuMemAlloc_v2"));
        var nvrtc = Assert.Throws<CudaException>(() => CudaCheck.ThrowIfFailed(nvrtcResult.NVRTC_ERROR_INVALID_INPUT, "nvrtcCreateProgram"));
        var cublas = Assert.Throws<CudaException>(() => CudaCheck.ThrowIfFailed(cublasStatus_t.CUBLAS_STATUS_NOT_INITIALIZED, "cublasCreate_v2"));

        Assert.StartsWith("cuMemAlloc_v2 failed: CUDA_ERROR_OUT_OF_MEMORY (2)", driver.Message, StringComparison.Ordinal);
        Assert.Equal(("cuMemAlloc_v2", 2), (driver.Call, driver.Code));
        Assert.Equal("nvrtcCreateProgram failed: NVRTC_ERROR_INVALID_INPUT (3)", nvrtc.Message);
        Assert.Equal("cublasCreate_v2 failed: CUBLAS_STATUS_NOT_INITIALIZED (1)", cublas.Message);
        CudaCheck.ThrowIfFailed(CUresult.CUDA_SUCCESS, "cuInit");
    }

    [Fact]
    public unsafe void KernelArgumentsAreEightBytesWithScalarsInTheLowBytes()
    {
        KernelArgument integer = -2, single = 1.5f, pointer = 0x1234_5678_9abc_def0UL, real = 0.25;

        Assert.Equal(8, sizeof(KernelArgument));
        Assert.Equal(-2, *(int*)&integer);
        Assert.Equal(1.5f, *(float*)&single);
        Assert.Equal(0x1234_5678_9abc_def0UL, *(ulong*)&pointer);
        Assert.Equal(0.25, *(double*)&real);
    }
}
