using NGGen.Cuda;
using NGGen.Tests.Models;
using Xunit;

namespace NGGen.Tests.Cuda;

public class BackendSelectorTests
{
    private static readonly CudaAvailability s_gpu = new(true, "1 device(s), driver CUDA 12.4", 1, 12040);
    private static readonly CudaAvailability s_none = new(false, "cuInit failed: CUDA_ERROR_NO_DEVICE (100): no CUDA-capable device is detected", 0, 0);

    [Fact]
    public void ForwardWorkIsTheProductsMultiplyAddsPlusTheKernelsEntries()
    {
        // Mlp3: 3 → 16 → 12 → 2 (tanh, then GELU). Per sample: 16·3 + 12·16 + 2·12 multiply-adds, and kernel entries
        // for bias-and-tanh (16), GELU (two kernels of 12) and the output bias (2). GELU's four scalar constants are
        // written into its kernels, so no pass loads any.
        long perSample = BackendSelector.ForwardWork<Mlp3>(0, 1);
        long atHundred = BackendSelector.ForwardWork<Mlp3>(0, 100);
        const long products = (16 * 3) + (12 * 16) + (2 * 12), entries = 16 + 12 + 12 + 2;

        Assert.Equal(products + entries, perSample);
        Assert.Equal(100 * (products + entries), atHundred);
    }

    [Fact]
    public void AutoKeepsSmallPassesOnTheCpuAndSendsLargeOnesToTheGpu()
    {
        var small = BackendSelector.Choose<Mlp3>(BackendPreference.Auto, 0, 64, s_gpu);
        var large = BackendSelector.Choose<Mlp3>(BackendPreference.Auto, 0, 1 << 19, s_gpu);

        Assert.Equal(ComputeBackend.Cpu, small.Backend);
        Assert.Contains("below the GPU threshold", small.Reason, StringComparison.Ordinal);
        Assert.Equal(ComputeBackend.Cuda, large.Backend);
        Assert.True(large.ForwardWork >= BackendSelector.DefaultGpuMinimumWork);
    }

    [Fact]
    public void WithoutCudaEveryPreferenceRunsOnTheCpuAndSaysWhyInOneLine()
    {
        foreach (var preference in new[] { BackendPreference.Auto, BackendPreference.Cuda })
        {
            var choice = BackendSelector.Choose<Mlp3>(preference, 0, 1 << 19, s_none);

            Assert.Equal(ComputeBackend.Cpu, choice.Backend);
            Assert.Equal("Mlp3: CUDA unavailable (cuInit failed: CUDA_ERROR_NO_DEVICE (100): no CUDA-capable device is detected); running on the CPU.", choice.Reason);
        }
    }

    [Fact]
    public void ExplicitChoicesAreHonouredWhenPossible()
    {
        Assert.Equal(ComputeBackend.Cpu, BackendSelector.Choose<Mlp3>(BackendPreference.Cpu, 0, 1 << 19, s_gpu).Backend);
        Assert.Equal(ComputeBackend.Cuda, BackendSelector.Choose<Mlp3>(BackendPreference.Cuda, 0, 8, s_gpu).Backend);
    }

    [Fact]
    public void TheReasonIsPrintedOncePerProcess()
    {
        var log = new StringWriter();
        // A custom threshold makes this test's reason unique to it.
        BackendSelector.Choose<Mlp3>(BackendPreference.Cpu, 0, 7, log, gpuMinimumWork: 12345);
        BackendSelector.Choose<Mlp3>(BackendPreference.Cpu, 0, 7, log, gpuMinimumWork: 12345);

        Assert.Equal(["Mlp3: running on the CPU (requested)."], log.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries));
    }
}
