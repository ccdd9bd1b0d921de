using System.Reflection;
using System.Runtime.InteropServices;

namespace NGGen.Cuda.Native;

/// <summary>
/// Resolves the three native libraries the binding imports (logical names <c>cuda</c>, <c>nvrtc</c>, <c>cublas</c>)
/// to the sonames installed on Linux and Windows, newest first; an environment variable
/// (<c>NGGEN_CUDA_DRIVER</c>, <c>NGGEN_NVRTC</c>, <c>NGGEN_CUBLAS</c>) names one file instead.
/// </summary>
/// <remarks>
/// The [LibraryImport] declarations bind lazily: nothing is loaded until the first call, and
/// <see cref="TryLoad"/> is how the runtime asks first, so a missing library becomes a message and never a
/// <see cref="DllNotFoundException"/> in user code.
/// </remarks>
public static class CudaLibraries
{
    internal const string Driver = "cuda";
    internal const string Nvrtc = "nvrtc";
    internal const string Cublas = "cublas";

    private static readonly Lock s_lock = new();
    private static readonly Dictionary<string, (nint Handle, string? Failure)> s_loaded = [];

    /// <summary>Gets the file names tried for a logical library, in order.</summary>
    /// <param name="library"><c>cuda</c>, <c>nvrtc</c> or <c>cublas</c>.</param>
    public static IReadOnlyList<string> Candidates(string library)
    {
        if (Environment.GetEnvironmentVariable(OverrideVariable(library)) is { Length: > 0 } path)
            return [path];
        return DefaultCandidates(library);
    }

    // The sonames of CUDA 13, 12 and 11, newest first, then the toolkit directories.
    internal static IReadOnlyList<string> DefaultCandidates(string library) => library switch
        {
            Driver => OperatingSystem.IsWindows() ? ["nvcuda.dll"] : ["libcuda.so.1", "libcuda.so"],
            Nvrtc => OperatingSystem.IsWindows()
                ? ["nvrtc64_130_0.dll", "nvrtc64_120_0.dll", "nvrtc64_112_0.dll"]
                : WithToolkitDirectories(["libnvrtc.so.13", "libnvrtc.so.12", "libnvrtc.so.11.2", "libnvrtc.so"]),
            Cublas => OperatingSystem.IsWindows()
                ? ["cublas64_13.dll", "cublas64_12.dll", "cublas64_11.dll"]
                : WithToolkitDirectories(["libcublas.so.13", "libcublas.so.12", "libcublas.so.11", "libcublas.so"]),
            _ => throw new ArgumentOutOfRangeException(nameof(library), library, "Unknown CUDA library."),
        };

    // A CUDA toolkit's libraries are often outside the loader's path: after the sonames, try them in $CUDA_HOME,
    // $CUDA_PATH and /usr/local/cuda (lib64).
    private static string[] WithToolkitDirectories(string[] names)
    {
        var roots = new[] { Environment.GetEnvironmentVariable("CUDA_HOME"), Environment.GetEnvironmentVariable("CUDA_PATH"), "/usr/local/cuda" }
            .Where(root => !string.IsNullOrEmpty(root)).Distinct();
        return [.. names, .. roots.SelectMany(root => names.Select(name => Path.Combine(root!, "lib64", name)))];
    }

    /// <summary>Gets the environment variable that overrides a library's file.</summary>
    public static string OverrideVariable(string library) => library switch
    {
        Driver => "NGGEN_CUDA_DRIVER",
        Nvrtc => "NGGEN_NVRTC",
        Cublas => "NGGEN_CUBLAS",
        _ => throw new ArgumentOutOfRangeException(nameof(library), library, "Unknown CUDA library."),
    };

    /// <summary>
    /// Loads a library once per process; returns false with a one-line reason naming every file tried.
    /// </summary>
    public static bool TryLoad(string library, out string? failure)
    {
        lock (s_lock)
        {
            if (!s_loaded.TryGetValue(library, out var entry))
            {
                entry = Load(Candidates(library));
                s_loaded[library] = entry;
            }

            failure = entry.Failure;
            return entry.Handle != 0;
        }
    }

    /// <summary>Loads the first of <paramref name="candidates"/> that loads; the failure lists them all.</summary>
    internal static (nint Handle, string? Failure) Load(IReadOnlyList<string> candidates)
    {
        foreach (string name in candidates)
        {
            if (NativeLibrary.TryLoad(name, out nint handle))
                return (handle, null);
        }

        return (0, $"none of {string.Join(", ", candidates)} could be loaded");
    }

    private static int s_resolverRegistered;

    /// <summary>Installs the resolver; each import class calls this from its static constructor.</summary>
    internal static void EnsureResolver()
    {
        if (Interlocked.Exchange(ref s_resolverRegistered, 1) == 0)
            NativeLibrary.SetDllImportResolver(typeof(CudaLibraries).Assembly, Resolve);
    }

    private static nint Resolve(string name, Assembly assembly, DllImportSearchPath? path)
    {
        if (name is not (Driver or Nvrtc or Cublas))
            return 0;
        // Returning 0 lets the import throw DllNotFoundException; public entry points ask TryLoad first, so users
        // see the reason as a message instead.
        lock (s_lock)
        {
            TryLoad(name, out _);
            return s_loaded[name].Handle;
        }
    }
}
