using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text;
using NGGen.Cuda;
using NGGen.Kernels;
using Xunit;

namespace NGGen.Tests.Cuda;

public class RuntimeKernelTests
{
    [NvrtcFact]
    public void TheRuntimeKernelsCompileForFloatAndDouble()
    {
        foreach (string element in new[] { "float", "double" })
        {
            string ptx = Nvrtc.CompileToPtx(RuntimeKernels.Source, "nggen_runtime.cu", 80, $"-DNGGEN_T={element}");
            Assert.Contains($".entry {RuntimeKernels.GeneralMatMul}(", ptx, StringComparison.Ordinal);
        }
    }

    public static TheoryData<bool, bool, bool, bool, bool, bool, bool> Layouts()
    {
        var data = new TheoryData<bool, bool, bool, bool, bool, bool, bool>();
        for (int flags = 0; flags < 64; flags++)
        {
            bool aBatched = (flags & 1) != 0, bBatched = (flags & 2) != 0, cBatched = (flags & 4) != 0;
            // A per-sample operand into a shared C is summed over samples; a batched C needs a batched operand.
            if (cBatched && !aBatched && !bBatched)
                continue;
            data.Add(aBatched, bBatched, cBatched, (flags & 8) != 0, (flags & 16) != 0, (flags & 32) != 0, flags % 3 == 0);
        }

        return data;
    }

    /// <summary>The general product kernel, compiled for the CPU, against Batched.MatMul's general loop.</summary>
    [HostCompilerTheory]
    [MemberData(nameof(Layouts))]
    public unsafe void TheGeneralProductKernelMatchesBatchedMatMul(bool aBatched, bool bBatched, bool cBatched, bool transposeA, bool transposeB, bool accumulate, bool wide)
    {
        const int batch = 4;
        int m = wide ? 5 : 3, n = 4, k = wide ? 2 : 6;
        int aCols = transposeA ? m : k, bCols = transposeB ? k : n;
        var random = new Random(m * 31 + k);
        double[] Fill(int length) => Enumerable.Range(0, length).Select(_ => random.NextDouble() - 0.5).ToArray();
        var a = Fill(m * k * (aBatched ? batch : 1));
        var b = Fill(k * n * (bBatched ? batch : 1));
        var start = Fill(m * n * (cBatched ? batch : 1));
        var expected = (double[])start.Clone();
        var actual = (double[])start.Clone();

        Batched.MatMul<double>(a, aBatched, aCols, transposeA, b, bBatched, bCols, transposeB, expected, cBatched, m, n, k, batch, accumulate);
        string hash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(RuntimeKernels.Source)));
        nint library = HostCompiledKernels.Load(new DeviceCode(RuntimeKernels.Source, hash), "double");
        var kernel = (delegate* unmanaged<double*, int, int, int, double*, int, int, int, double*, int, int, int, int, int, int, void>)
            NativeLibrary.GetExport(library, RuntimeKernels.GeneralMatMul);
        fixed (double* pa = a, pb = b, pc = actual)
            kernel(pa, aBatched ? 1 : 0, aCols, transposeA ? 1 : 0, pb, bBatched ? 1 : 0, bCols, transposeB ? 1 : 0, pc, cBatched ? 1 : 0, m, n, k, batch, accumulate ? 1 : 0);

        for (int i = 0; i < expected.Length; i++)
            Assert.True(Math.Abs(expected[i] - actual[i]) <= 1e-13, $"entry {i}: Batched.MatMul {expected[i]:R}, kernel {actual[i]:R}");
    }
}
