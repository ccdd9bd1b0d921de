using NGGen.Cuda.Native;

namespace NGGen.Cuda;

/// <summary>A cuBLAS handle bound to a stream; destroyed on dispose.</summary>
public sealed unsafe class Cublas : IDisposable
{
    private nint _handle;

    /// <summary>Creates a handle in the current context; <paramref name="stream"/> 0 is the default stream.</summary>
    /// <exception cref="InvalidOperationException">cuBLAS cannot be loaded; the message says which files were tried.</exception>
    public Cublas(nint stream = 0)
    {
        if (!CudaLibraries.TryLoad(CudaLibraries.Cublas, out string? reason))
            throw new InvalidOperationException($"cuBLAS could not be loaded: {reason}");
        nint handle;
        CudaCheck.ThrowIfFailed(CublasApi.cublasCreate_v2(&handle), nameof(CublasApi.cublasCreate_v2));
        _handle = handle;
        if (stream != 0)
            CudaCheck.ThrowIfFailed(CublasApi.cublasSetStream_v2(handle, stream), nameof(CublasApi.cublasSetStream_v2));
    }

    /// <summary>
    /// C = alpha·op(A)·op(B) + beta·C on row-major matrices (C is m×n), as <see cref="NGGen.Kernels.Gemm"/> takes
    /// them. cuBLAS is column-major, so this computes Cᵀ = op(B)ᵀ·op(A)ᵀ with the operands swapped.
    /// </summary>
    public void Gemm(bool transposeA, bool transposeB, int m, int n, int k, float alpha, ulong a, int lda, ulong b, int ldb, float beta, ulong c, int ldc)
        => CudaCheck.ThrowIfFailed(
            CublasApi.cublasSgemm_v2(Handle, Op(transposeB), Op(transposeA), n, m, k, &alpha, b, ldb, a, lda, &beta, c, ldc),
            nameof(CublasApi.cublasSgemm_v2));

    /// <inheritdoc cref="Gemm(bool, bool, int, int, int, float, ulong, int, ulong, int, float, ulong, int)"/>
    public void Gemm(bool transposeA, bool transposeB, int m, int n, int k, double alpha, ulong a, int lda, ulong b, int ldb, double beta, ulong c, int ldc)
        => CudaCheck.ThrowIfFailed(
            CublasApi.cublasDgemm_v2(Handle, Op(transposeB), Op(transposeA), n, m, k, &alpha, b, ldb, a, lda, &beta, c, ldc),
            nameof(CublasApi.cublasDgemm_v2));

    /// <summary>y += alpha·x over <paramref name="n"/> entries.</summary>
    public void Axpy(int n, float alpha, ulong x, ulong y)
        => CudaCheck.ThrowIfFailed(CublasApi.cublasSaxpy_v2(Handle, n, &alpha, x, 1, y, 1), nameof(CublasApi.cublasSaxpy_v2));

    /// <inheritdoc cref="Axpy(int, float, ulong, ulong)"/>
    public void Axpy(int n, double alpha, ulong x, ulong y)
        => CudaCheck.ThrowIfFailed(CublasApi.cublasDaxpy_v2(Handle, n, &alpha, x, 1, y, 1), nameof(CublasApi.cublasDaxpy_v2));

    /// <summary>xᵀy over <paramref name="n"/> entries (waits for the result).</summary>
    public float DotSingle(int n, ulong x, ulong y)
    {
        float result;
        CudaCheck.ThrowIfFailed(CublasApi.cublasSdot_v2(Handle, n, x, 1, y, 1, &result), nameof(CublasApi.cublasSdot_v2));
        return result;
    }

    /// <inheritdoc cref="DotSingle(int, ulong, ulong)"/>
    public double DotDouble(int n, ulong x, ulong y)
    {
        double result;
        CudaCheck.ThrowIfFailed(CublasApi.cublasDdot_v2(Handle, n, x, 1, y, 1, &result), nameof(CublasApi.cublasDdot_v2));
        return result;
    }

    /// <summary>x ← alpha·x over <paramref name="n"/> entries.</summary>
    public void Scale(int n, double alpha, ulong x)
        => CudaCheck.ThrowIfFailed(CublasApi.cublasDscal_v2(Handle, n, &alpha, x, 1), nameof(CublasApi.cublasDscal_v2));

    /// <summary>The 0-based index of the entry of largest magnitude (waits for the result).</summary>
    public int MaxMagnitudeIndex(int n, ulong x)
    {
        int oneBased;
        CudaCheck.ThrowIfFailed(CublasApi.cublasIdamax_v2(Handle, n, x, 1, &oneBased), nameof(CublasApi.cublasIdamax_v2));
        return oneBased - 1;
    }

    private nint Handle
    {
        get
        {
            ObjectDisposedException.ThrowIf(_handle == 0, this);
            return _handle;
        }
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        nint handle = Interlocked.Exchange(ref _handle, 0);
        if (handle != 0)
            CudaCheck.ThrowIfFailed(CublasApi.cublasDestroy_v2(handle), nameof(CublasApi.cublasDestroy_v2));
    }

    private static cublasOperation_t Op(bool transpose) => transpose ? cublasOperation_t.CUBLAS_OP_T : cublasOperation_t.CUBLAS_OP_N;
}
