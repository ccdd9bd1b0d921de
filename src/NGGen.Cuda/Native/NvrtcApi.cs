using System.Runtime.InteropServices;

namespace NGGen.Cuda.Native;

/// <summary>nvrtcResult (nvrtc.h).</summary>
public enum nvrtcResult
{
    NVRTC_SUCCESS = 0,
    NVRTC_ERROR_OUT_OF_MEMORY = 1,
    NVRTC_ERROR_PROGRAM_CREATION_FAILURE = 2,
    NVRTC_ERROR_INVALID_INPUT = 3,
    NVRTC_ERROR_INVALID_PROGRAM = 4,
    NVRTC_ERROR_INVALID_OPTION = 5,
    NVRTC_ERROR_COMPILATION = 6,
    NVRTC_ERROR_BUILTIN_OPERATION_FAILURE = 7,
    NVRTC_ERROR_NO_NAME_EXPRESSIONS_AFTER_COMPILATION = 8,
    NVRTC_ERROR_NO_LOWERED_NAMES_BEFORE_COMPILATION = 9,
    NVRTC_ERROR_NAME_EXPRESSION_NOT_VALID = 10,
    NVRTC_ERROR_INTERNAL_ERROR = 11,
}

/// <summary>NVRTC, the runtime CUDA C++ compiler (libnvrtc.so.13 / .12 / .11.2), with its C names.</summary>
public static unsafe partial class NvrtcApi
{
    static NvrtcApi() => CudaLibraries.EnsureResolver();

    [LibraryImport(CudaLibraries.Nvrtc)] public static partial byte* nvrtcGetErrorString(nvrtcResult result);
    [LibraryImport(CudaLibraries.Nvrtc)] public static partial nvrtcResult nvrtcVersion(int* major, int* minor);
    [LibraryImport(CudaLibraries.Nvrtc)] public static partial nvrtcResult nvrtcGetNumSupportedArchs(int* count);
    [LibraryImport(CudaLibraries.Nvrtc)] public static partial nvrtcResult nvrtcGetSupportedArchs(int* architectures);

    [LibraryImport(CudaLibraries.Nvrtc)]
    public static partial nvrtcResult nvrtcCreateProgram(
        nint* program, byte* source, byte* name, int headerCount, byte** headers, byte** includeNames);

    [LibraryImport(CudaLibraries.Nvrtc)] public static partial nvrtcResult nvrtcDestroyProgram(nint* program);
    [LibraryImport(CudaLibraries.Nvrtc)] public static partial nvrtcResult nvrtcCompileProgram(nint program, int optionCount, byte** options);
    [LibraryImport(CudaLibraries.Nvrtc)] public static partial nvrtcResult nvrtcGetPTXSize(nint program, nuint* size);
    [LibraryImport(CudaLibraries.Nvrtc)] public static partial nvrtcResult nvrtcGetPTX(nint program, byte* ptx);
    [LibraryImport(CudaLibraries.Nvrtc)] public static partial nvrtcResult nvrtcGetProgramLogSize(nint program, nuint* size);
    [LibraryImport(CudaLibraries.Nvrtc)] public static partial nvrtcResult nvrtcGetProgramLog(nint program, byte* log);

    /// <summary>Every C name this class imports, for checking an installed library's exports.</summary>
    public static IReadOnlyList<string> ImportedNames { get; } =
    [
        "nvrtcGetErrorString", "nvrtcVersion", "nvrtcGetNumSupportedArchs", "nvrtcGetSupportedArchs",
        "nvrtcCreateProgram", "nvrtcDestroyProgram", "nvrtcCompileProgram", "nvrtcGetPTXSize", "nvrtcGetPTX",
        "nvrtcGetProgramLogSize", "nvrtcGetProgramLog",
    ];
}
