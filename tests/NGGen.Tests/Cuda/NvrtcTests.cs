using System.Runtime.InteropServices;
using NGGen.Cuda;
using NGGen.Cuda.Native;
using Xunit;

namespace NGGen.Tests.Cuda;

public class NvrtcTests
{
    internal const string Saxpy = """
        extern "C" __global__ void saxpy(float a, const float* x, float* y, int n)
        {
            int i = blockIdx.x * blockDim.x + threadIdx.x;
            if (i < n) y[i] = a * x[i] + y[i];
        }
        """;

    [NvrtcFact]
    public void EveryImportedNvrtcFunctionIsExported()
    {
        Assert.True(CudaLibraries.TryLoad(CudaLibraries.Nvrtc, out _));
        nint library = LoadFirst(CudaLibraries.Candidates(CudaLibraries.Nvrtc));
        var missing = NvrtcApi.ImportedNames.Where(name => !NativeLibrary.TryGetExport(library, name, out _)).ToList();
        Assert.Empty(missing);
    }

    [NvrtcFact]
    public void CompilesAKernelToPtxForTheRequestedArchitecture()
    {
        string ptx = Nvrtc.CompileToPtx(Saxpy, "saxpy.cu", 80);

        Assert.Contains(".visible .entry saxpy(", ptx, StringComparison.Ordinal);
        Assert.Contains(".target sm_80", ptx, StringComparison.Ordinal);
        Assert.Contains("fma.rn.f32", ptx, StringComparison.Ordinal);
    }

    [NvrtcFact]
    public void ACompileErrorCarriesTheProgramNameLineAndLog()
    {
        const string broken = """
            extern "C" __global__ void broken(float* y)
            {
                y[0] = undefined_name;
            }
            """;

        var error = Assert.Throws<NvrtcCompilationException>(() => Nvrtc.CompileToPtx(broken, "broken.cu", 80));

        Assert.Equal("broken.cu", error.ProgramName);
        Assert.Contains("broken.cu(3)", error.Log, StringComparison.Ordinal);
        Assert.Contains("undefined_name", error.Message, StringComparison.Ordinal);
    }

    [NvrtcFact]
    public void ArchitectureForADeviceIsItsOwnOrTheNewestSupportedBelowIt()
    {
        var supported = Nvrtc.SupportedArchitectures;
        Assert.Contains(80, supported);
        Assert.Equal(80, Nvrtc.ArchitectureFor(8, 0));
        // A future device this NVRTC does not know gets the newest architecture it does (PTX is forward-compatible).
        Assert.Equal(supported.Max(), Nvrtc.ArchitectureFor(99, 0));
    }

    [NvrtcFact]
    public void AnInvalidOptionNamesTheCall()
    {
        var error = Assert.Throws<CudaException>(() => Nvrtc.CompileToPtx(Saxpy, "saxpy.cu", 80, "--no-such-option"));

        Assert.Equal("nvrtcCompileProgram", error.Call);
        Assert.Equal(nameof(nvrtcResult.NVRTC_ERROR_INVALID_OPTION), error.Status);
    }

    internal static nint LoadFirst(IReadOnlyList<string> candidates)
    {
        foreach (string name in candidates)
        {
            if (NativeLibrary.TryLoad(name, out nint handle))
                return handle;
        }

        throw new InvalidOperationException($"none of {string.Join(", ", candidates)} loads");
    }
}
