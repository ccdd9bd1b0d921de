using System.Runtime.InteropServices;

namespace NGGen.Cuda.Native;

/// <summary>cublasStatus_t (cublas_api.h).</summary>
public enum cublasStatus_t
{
    CUBLAS_STATUS_SUCCESS = 0,
    CUBLAS_STATUS_NOT_INITIALIZED = 1,
    CUBLAS_STATUS_ALLOC_FAILED = 3,
    CUBLAS_STATUS_INVALID_VALUE = 7,
    CUBLAS_STATUS_ARCH_MISMATCH = 8,
    CUBLAS_STATUS_MAPPING_ERROR = 11,
    CUBLAS_STATUS_EXECUTION_FAILED = 13,
    CUBLAS_STATUS_INTERNAL_ERROR = 14,
    CUBLAS_STATUS_NOT_SUPPORTED = 15,
    CUBLAS_STATUS_LICENSE_ERROR = 16,
}

/// <summary>cublasOperation_t (cublas_api.h).</summary>
public enum cublasOperation_t
{
    CUBLAS_OP_N = 0,
    CUBLAS_OP_T = 1,
}

/// <summary>
/// cuBLAS (libcublas.so.13 / .12 / .11), the v2 API with its C names. Matrices are column-major; device pointers are
/// <see cref="ulong"/> as in the driver API, scalars are host pointers (the default pointer mode).
/// </summary>
public static unsafe partial class CublasApi
{
    static CublasApi() => CudaLibraries.EnsureResolver();

    [LibraryImport(CudaLibraries.Cublas)] public static partial cublasStatus_t cublasCreate_v2(nint* handle);
    [LibraryImport(CudaLibraries.Cublas)] public static partial cublasStatus_t cublasDestroy_v2(nint handle);
    [LibraryImport(CudaLibraries.Cublas)] public static partial cublasStatus_t cublasSetStream_v2(nint handle, nint stream);

    [LibraryImport(CudaLibraries.Cublas)]
    public static partial cublasStatus_t cublasSgemm_v2(
        nint handle, cublasOperation_t transA, cublasOperation_t transB, int m, int n, int k, float* alpha,
        ulong a, int lda, ulong b, int ldb, float* beta, ulong c, int ldc);

    [LibraryImport(CudaLibraries.Cublas)]
    public static partial cublasStatus_t cublasDgemm_v2(
        nint handle, cublasOperation_t transA, cublasOperation_t transB, int m, int n, int k, double* alpha,
        ulong a, int lda, ulong b, int ldb, double* beta, ulong c, int ldc);

    [LibraryImport(CudaLibraries.Cublas)] public static partial cublasStatus_t cublasSaxpy_v2(nint handle, int n, float* alpha, ulong x, int incx, ulong y, int incy);
    [LibraryImport(CudaLibraries.Cublas)] public static partial cublasStatus_t cublasDaxpy_v2(nint handle, int n, double* alpha, ulong x, int incx, ulong y, int incy);
    [LibraryImport(CudaLibraries.Cublas)] public static partial cublasStatus_t cublasSdot_v2(nint handle, int n, ulong x, int incx, ulong y, int incy, float* result);
    [LibraryImport(CudaLibraries.Cublas)] public static partial cublasStatus_t cublasDdot_v2(nint handle, int n, ulong x, int incx, ulong y, int incy, double* result);

    [LibraryImport(CudaLibraries.Cublas)] public static partial cublasStatus_t cublasDscal_v2(nint handle, int n, double* alpha, ulong x, int incx);
    [LibraryImport(CudaLibraries.Cublas)] public static partial cublasStatus_t cublasIdamax_v2(nint handle, int n, ulong x, int incx, int* result);

    /// <summary>Every C name this class imports, for checking an installed library's exports.</summary>
    public static IReadOnlyList<string> ImportedNames { get; } =
    [
        "cublasCreate_v2", "cublasDestroy_v2", "cublasSetStream_v2", "cublasSgemm_v2", "cublasDgemm_v2",
        "cublasSaxpy_v2", "cublasDaxpy_v2", "cublasSdot_v2", "cublasDdot_v2", "cublasDscal_v2", "cublasIdamax_v2",
    ];
}
