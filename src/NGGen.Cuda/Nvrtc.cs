using System.Runtime.InteropServices;
using System.Text;
using NGGen.Cuda.Native;

namespace NGGen.Cuda;

/// <summary>A CUDA C++ source NVRTC rejected; the message carries the program name and NVRTC's log.</summary>
public sealed class NvrtcCompilationException : Exception
{
    /// <summary>Creates the exception.</summary>
    public NvrtcCompilationException(string programName, string log)
        : base($"NVRTC could not compile {programName}:\n{log}")
    {
        ProgramName = programName;
        Log = log;
    }

    /// <summary>Gets the program's name (the file name NVRTC reports errors against).</summary>
    public string ProgramName { get; }

    /// <summary>Gets NVRTC's log.</summary>
    public string Log { get; }
}

/// <summary>Compiles CUDA C++ to PTX with NVRTC. Needs only the NVRTC library, not a GPU or a driver.</summary>
public static unsafe class Nvrtc
{
    /// <summary>Gets whether the NVRTC library loads; <paramref name="reason"/> says why not.</summary>
    public static bool IsAvailable(out string? reason)
    {
        if (!CudaLibraries.TryLoad(CudaLibraries.Nvrtc, out reason))
        {
            reason = $"NVRTC could not be loaded: {reason}";
            return false;
        }

        return true;
    }

    /// <summary>Gets NVRTC's version (for cache keys and reports).</summary>
    public static (int Major, int Minor) Version
    {
        get
        {
            int major, minor;
            CudaCheck.ThrowIfFailed(NvrtcApi.nvrtcVersion(&major, &minor), nameof(NvrtcApi.nvrtcVersion));
            return (major, minor);
        }
    }

    /// <summary>Gets the virtual architectures this NVRTC can target (for example 80 for compute_80).</summary>
    public static IReadOnlyList<int> SupportedArchitectures
    {
        get
        {
            int count;
            CudaCheck.ThrowIfFailed(NvrtcApi.nvrtcGetNumSupportedArchs(&count), nameof(NvrtcApi.nvrtcGetNumSupportedArchs));
            var architectures = new int[count];
            fixed (int* p = architectures)
                CudaCheck.ThrowIfFailed(NvrtcApi.nvrtcGetSupportedArchs(p), nameof(NvrtcApi.nvrtcGetSupportedArchs));
            return architectures;
        }
    }

    /// <summary>
    /// The architecture to compile for on a device of compute capability <paramref name="major"/>.<paramref name="minor"/>:
    /// the device's own, or the newest this NVRTC supports below it (PTX runs on newer devices through the
    /// driver's JIT).
    /// </summary>
    public static int ArchitectureFor(int major, int minor)
    {
        int wanted = (major * 10) + minor;
        int best = 0;
        foreach (int architecture in SupportedArchitectures)
        {
            if (architecture <= wanted && architecture > best)
                best = architecture;
        }

        return best > 0 ? best : SupportedArchitectures.Min();
    }

    /// <summary>Compiles <paramref name="source"/> to PTX for virtual architecture <paramref name="architecture"/>.</summary>
    /// <param name="source">CUDA C++ source; kernels should be <c>extern "C"</c> so their names are not mangled.</param>
    /// <param name="programName">The name errors are reported against (for example <c>Mlp.cu</c>).</param>
    /// <param name="architecture">The compute capability as 10·major + minor, for example 80.</param>
    /// <param name="options">More NVRTC options (for example <c>-use_fast_math</c>).</param>
    /// <exception cref="InvalidOperationException">NVRTC cannot be loaded.</exception>
    /// <exception cref="NvrtcCompilationException">The source does not compile; the message holds NVRTC's log.</exception>
    public static string CompileToPtx(string source, string programName, int architecture, params ReadOnlySpan<string> options)
    {
        ArgumentNullException.ThrowIfNull(source);
        if (!IsAvailable(out string? reason))
            throw new InvalidOperationException(reason);

        var allOptions = new List<string> { $"--gpu-architecture=compute_{architecture}", "--std=c++14" };
        foreach (string option in options)
            allOptions.Add(option);

        byte[] sourceUtf8 = Encoding.UTF8.GetBytes(source + "\0");
        byte[] nameUtf8 = Encoding.UTF8.GetBytes(programName + "\0");
        nint program;
        fixed (byte* s = sourceUtf8)
        fixed (byte* n = nameUtf8)
            CudaCheck.ThrowIfFailed(NvrtcApi.nvrtcCreateProgram(&program, s, n, 0, null, null), nameof(NvrtcApi.nvrtcCreateProgram));

        var pinned = new List<GCHandle>();
        try
        {
            byte** optionPointers = stackalloc byte*[allOptions.Count];
            for (int i = 0; i < allOptions.Count; i++)
            {
                var handle = GCHandle.Alloc(Encoding.UTF8.GetBytes(allOptions[i] + "\0"), GCHandleType.Pinned);
                pinned.Add(handle);
                optionPointers[i] = (byte*)handle.AddrOfPinnedObject();
            }

            var status = NvrtcApi.nvrtcCompileProgram(program, allOptions.Count, optionPointers);
            if (status == nvrtcResult.NVRTC_ERROR_COMPILATION)
                throw new NvrtcCompilationException(programName, ReadLog(program));
            CudaCheck.ThrowIfFailed(status, nameof(NvrtcApi.nvrtcCompileProgram));

            nuint size;
            CudaCheck.ThrowIfFailed(NvrtcApi.nvrtcGetPTXSize(program, &size), nameof(NvrtcApi.nvrtcGetPTXSize));
            var ptx = new byte[(int)size];
            fixed (byte* p = ptx)
                CudaCheck.ThrowIfFailed(NvrtcApi.nvrtcGetPTX(program, p), nameof(NvrtcApi.nvrtcGetPTX));
            return Encoding.UTF8.GetString(ptx, 0, Math.Max(0, ptx.Length - 1));
        }
        finally
        {
            foreach (var handle in pinned)
                handle.Free();
            NvrtcApi.nvrtcDestroyProgram(&program);
        }
    }

    private static string ReadLog(nint program)
    {
        nuint size;
        if (NvrtcApi.nvrtcGetProgramLogSize(program, &size) != nvrtcResult.NVRTC_SUCCESS || size <= 1)
            return "";
        var log = new byte[(int)size];
        fixed (byte* p = log)
            NvrtcApi.nvrtcGetProgramLog(program, p);
        return Encoding.UTF8.GetString(log, 0, log.Length - 1).TrimEnd();
    }
}
