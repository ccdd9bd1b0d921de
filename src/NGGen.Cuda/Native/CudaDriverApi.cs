using System.Runtime.InteropServices;

namespace NGGen.Cuda.Native;

/// <summary>CUresult: the status every CUDA driver API call returns (values from cuda.h; the common ones).</summary>
public enum CUresult
{
    CUDA_SUCCESS = 0,
    CUDA_ERROR_INVALID_VALUE = 1,
    CUDA_ERROR_OUT_OF_MEMORY = 2,
    CUDA_ERROR_NOT_INITIALIZED = 3,
    CUDA_ERROR_DEINITIALIZED = 4,
    CUDA_ERROR_STUB_LIBRARY = 34,
    CUDA_ERROR_NO_DEVICE = 100,
    CUDA_ERROR_INVALID_DEVICE = 101,
    CUDA_ERROR_INVALID_IMAGE = 200,
    CUDA_ERROR_INVALID_CONTEXT = 201,
    CUDA_ERROR_INVALID_PTX = 218,
    CUDA_ERROR_UNSUPPORTED_PTX_VERSION = 222,
    CUDA_ERROR_INVALID_SOURCE = 300,
    CUDA_ERROR_FILE_NOT_FOUND = 301,
    CUDA_ERROR_INVALID_HANDLE = 400,
    CUDA_ERROR_NOT_FOUND = 500,
    CUDA_ERROR_NOT_READY = 600,
    CUDA_ERROR_ILLEGAL_ADDRESS = 700,
    CUDA_ERROR_LAUNCH_OUT_OF_RESOURCES = 701,
    CUDA_ERROR_LAUNCH_TIMEOUT = 702,
    CUDA_ERROR_LAUNCH_FAILED = 719,
    CUDA_ERROR_NOT_SUPPORTED = 801,
    CUDA_ERROR_SYSTEM_DRIVER_MISMATCH = 803,
    CUDA_ERROR_UNKNOWN = 999,
}

/// <summary>CUdevice_attribute values the runtime reads (cuda.h).</summary>
public enum CUdevice_attribute
{
    CU_DEVICE_ATTRIBUTE_MAX_THREADS_PER_BLOCK = 1,
    CU_DEVICE_ATTRIBUTE_MULTIPROCESSOR_COUNT = 16,
    CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR = 75,
    CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR = 76,
}

/// <summary>
/// The CUDA driver API (libcuda.so.1 / nvcuda.dll) with its C names and blittable signatures: handles are
/// <see cref="nint"/>, device pointers (CUdeviceptr) <see cref="ulong"/>, devices (CUdevice) <see cref="int"/>.
/// </summary>
/// <remarks>Callers go through <see cref="CudaCheck.ThrowIfFailed(CUresult, string)"/>.</remarks>
public static unsafe partial class CudaDriverApi
{
    static CudaDriverApi() => CudaLibraries.EnsureResolver();

    [LibraryImport(CudaLibraries.Driver)] public static partial CUresult cuInit(uint flags);
    [LibraryImport(CudaLibraries.Driver)] public static partial CUresult cuDriverGetVersion(int* driverVersion);
    [LibraryImport(CudaLibraries.Driver)] public static partial CUresult cuGetErrorName(CUresult error, byte** name);
    [LibraryImport(CudaLibraries.Driver)] public static partial CUresult cuGetErrorString(CUresult error, byte** text);

    [LibraryImport(CudaLibraries.Driver)] public static partial CUresult cuDeviceGetCount(int* count);
    [LibraryImport(CudaLibraries.Driver)] public static partial CUresult cuDeviceGet(int* device, int ordinal);
    [LibraryImport(CudaLibraries.Driver)] public static partial CUresult cuDeviceGetName(byte* name, int length, int device);
    [LibraryImport(CudaLibraries.Driver)] public static partial CUresult cuDeviceGetAttribute(int* value, CUdevice_attribute attribute, int device);
    [LibraryImport(CudaLibraries.Driver)] public static partial CUresult cuDeviceTotalMem_v2(nuint* bytes, int device);

    [LibraryImport(CudaLibraries.Driver)] public static partial CUresult cuDevicePrimaryCtxRetain(nint* context, int device);
    [LibraryImport(CudaLibraries.Driver)] public static partial CUresult cuDevicePrimaryCtxRelease_v2(int device);
    [LibraryImport(CudaLibraries.Driver)] public static partial CUresult cuCtxSetCurrent(nint context);
    [LibraryImport(CudaLibraries.Driver)] public static partial CUresult cuCtxSynchronize();

    [LibraryImport(CudaLibraries.Driver)] public static partial CUresult cuStreamCreate(nint* stream, uint flags);
    [LibraryImport(CudaLibraries.Driver)] public static partial CUresult cuStreamDestroy_v2(nint stream);
    [LibraryImport(CudaLibraries.Driver)] public static partial CUresult cuStreamSynchronize(nint stream);

    [LibraryImport(CudaLibraries.Driver)] public static partial CUresult cuMemAlloc_v2(ulong* pointer, nuint bytes);
    [LibraryImport(CudaLibraries.Driver)] public static partial CUresult cuMemFree_v2(ulong pointer);
    [LibraryImport(CudaLibraries.Driver)] public static partial CUresult cuMemcpyHtoD_v2(ulong destination, void* source, nuint bytes);
    [LibraryImport(CudaLibraries.Driver)] public static partial CUresult cuMemcpyDtoH_v2(void* destination, ulong source, nuint bytes);
    [LibraryImport(CudaLibraries.Driver)] public static partial CUresult cuMemcpyDtoD_v2(ulong destination, ulong source, nuint bytes);
    [LibraryImport(CudaLibraries.Driver)] public static partial CUresult cuMemcpyHtoDAsync_v2(ulong destination, void* source, nuint bytes, nint stream);
    [LibraryImport(CudaLibraries.Driver)] public static partial CUresult cuMemcpyDtoHAsync_v2(void* destination, ulong source, nuint bytes, nint stream);
    [LibraryImport(CudaLibraries.Driver)] public static partial CUresult cuMemsetD8_v2(ulong destination, byte value, nuint count);

    [LibraryImport(CudaLibraries.Driver)] public static partial CUresult cuModuleLoadData(nint* module, void* image);
    [LibraryImport(CudaLibraries.Driver)] public static partial CUresult cuModuleUnload(nint module);
    [LibraryImport(CudaLibraries.Driver)] public static partial CUresult cuModuleGetFunction(nint* function, nint module, byte* name);

    [LibraryImport(CudaLibraries.Driver)]
    public static partial CUresult cuLaunchKernel(
        nint function, uint gridX, uint gridY, uint gridZ, uint blockX, uint blockY, uint blockZ,
        uint sharedMemoryBytes, nint stream, void** kernelParameters, void** extra);

    /// <summary>Every C name this class imports, for checking an installed library's exports.</summary>
    public static IReadOnlyList<string> ImportedNames { get; } =
    [
        "cuInit", "cuDriverGetVersion", "cuGetErrorName", "cuGetErrorString", "cuDeviceGetCount", "cuDeviceGet",
        "cuDeviceGetName", "cuDeviceGetAttribute", "cuDeviceTotalMem_v2", "cuDevicePrimaryCtxRetain",
        "cuDevicePrimaryCtxRelease_v2", "cuCtxSetCurrent", "cuCtxSynchronize", "cuStreamCreate", "cuStreamDestroy_v2",
        "cuStreamSynchronize", "cuMemAlloc_v2", "cuMemFree_v2", "cuMemcpyHtoD_v2", "cuMemcpyDtoH_v2", "cuMemcpyDtoD_v2",
        "cuMemcpyHtoDAsync_v2", "cuMemcpyDtoHAsync_v2", "cuMemsetD8_v2", "cuModuleLoadData", "cuModuleUnload",
        "cuModuleGetFunction", "cuLaunchKernel",
    ];
}
