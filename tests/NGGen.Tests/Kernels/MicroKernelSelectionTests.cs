using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.Arm;
using System.Runtime.Intrinsics.X86;
using NGGen.Kernels;

namespace NGGen.Tests.Kernels;

/// <summary>
/// Which GEMM micro-kernel the hardware gets. CI reruns the tests with AVX-512 switched off and with 128-bit vectors
/// (ARM64's width); these fail if such a rerun would quietly test another kernel than the one it is there for.
/// </summary>
public sealed class MicroKernelSelectionTests
{
    [Fact]
    public void The_widest_vector_with_hardware_fma_sets_the_tile()
    {
        bool fma = Fma.IsSupported || AdvSimd.Arm64.IsSupported;
        (int Mr, int NrFloat, int NrDouble) expected =
            Vector512.IsHardwareAccelerated ? (8, 32, 16)
            : Vector256.IsHardwareAccelerated && Fma.IsSupported ? (6, 16, 8)
            : Vector128.IsHardwareAccelerated && fma ? (6, 8, 4)
            : (4, 4, 4);

        Assert.Equal(expected, (GemmMicroKernels.Mr<float>(), GemmMicroKernels.Nr<float>(), GemmMicroKernels.Nr<double>()));
        Assert.Equal(expected.Mr != 4, GemmMicroKernels.UseVector);
        Assert.Equal(expected.NrFloat == 8, GemmMicroKernels.Use128);
    }
}
