namespace NGGen.Cuda;

/// <summary>
/// CUDA C kernels the runtime itself needs (compiled with NVRTC like generated code, with <c>-DNGGEN_T</c>).
/// </summary>
public static class RuntimeKernels
{
    /// <summary>The name of the general batched product kernel in <see cref="Source"/>.</summary>
    public const string GeneralMatMul = "nggen_general_matmul";

    /// <summary>
    /// <c>nggen_general_matmul</c>: C (+)= op(A)·op(B) per sample for the operand layouts cuBLAS cannot take in one
    /// call (the semantics of <c>Batched.MatMul</c>'s general case): one thread per entry of C and, for a shared C
    /// with batched operands, a sum over samples too.
    /// </summary>
    public const string Source = """
        #ifndef NGGEN_T
        #define NGGEN_T double
        #endif
        extern "C" __global__ void nggen_general_matmul(
            const NGGEN_T* a, int aBatched, int aCols, int transposeA,
            const NGGEN_T* b, int bBatched, int bCols, int transposeB,
            NGGEN_T* c, int cBatched, int m, int n, int k, int batch, int accumulate)
        {
            const long long aStride = aBatched ? batch : 1, bStride = bBatched ? batch : 1, cStride = cBatched ? batch : 1;
            const long long count = (long long)m * n * cStride;
            for (long long t = blockIdx.x * (long long)blockDim.x + threadIdx.x; t < count; t += (long long)gridDim.x * blockDim.x)
            {
                const long long ij = t / cStride, s = t % cStride;
                const int i = (int)(ij / n), j = (int)(ij % n);
                NGGEN_T sum = 0;
                for (int p = 0; p < k; p++)
                {
                    const long long ai = transposeA ? (long long)p * aCols + i : (long long)i * aCols + p;
                    const long long bi = transposeB ? (long long)j * bCols + p : (long long)p * bCols + j;
                    if (cBatched)
                    {
                        sum += a[ai * aStride + (aBatched ? s : 0)] * b[bi * bStride + (bBatched ? s : 0)];
                    }
                    else
                    {
                        // A shared C with batched operands receives the sum over samples.
                        const long long samples = (aBatched || bBatched) ? batch : 1;
                        for (long long r = 0; r < samples; r++)
                            sum += a[ai * aStride + (aBatched ? r : 0)] * b[bi * bStride + (bBatched ? r : 0)];
                    }
                }
                c[t] = accumulate ? c[t] + sum : sum;
            }
        }
        """;
}
