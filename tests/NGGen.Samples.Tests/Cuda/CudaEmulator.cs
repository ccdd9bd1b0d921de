using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;

namespace NGGen.Samples.Tests.Cuda;

/// <summary>
/// Builds tests/CudaEmulator (the CUDA driver API, NVRTC and cuBLAS emulated on the CPU, one shared library) with g++
/// and runs programs against it: the environment points NGGen.Cuda's three library overrides at it, so the whole
/// GPU path runs without a GPU. Races between threads, warp behaviour and real cuBLAS/NVRTC are left for a GPU machine.
/// </summary>
internal static class CudaEmulator
{
    private static readonly Lazy<string> s_library = new(Build);

    /// <summary>Whether g++ can be run here.</summary>
    public static bool CompilerAvailable { get; } = File.Exists("/usr/bin/g++");

    /// <summary>The emulator library, built once per content of its source.</summary>
    public static string Library => s_library.Value;

    /// <summary>Environment for a child process: the three CUDA library overrides, and caches of its own.</summary>
    public static Dictionary<string, string> Environment(string scratch) => new()
    {
        ["NGGEN_CUDA_DRIVER"] = Library,
        ["NGGEN_NVRTC"] = Library,
        ["NGGEN_CUBLAS"] = Library,
        // Modules compiled by the emulated NVRTC persist across runs (keyed by content); the PTX cache is per run.
        ["NGGEN_EMULATOR_DIR"] = Path.Combine(Path.GetTempPath(), "nggen-cuda-emulator-modules"),
        ["NGGEN_PTX_CACHE"] = Path.Combine(scratch, "ptx"),
    };

    /// <summary>Runs a .NET program (a dll next to this test assembly) under the emulator.</summary>
    public static (int ExitCode, string Output, string Error) RunDotnet(string dll, IEnumerable<string> args, string scratch, TimeSpan timeout)
    {
        var start = new ProcessStartInfo(System.Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, dll));
        foreach (string arg in args)
            start.ArgumentList.Add(arg);
        foreach (var (name, value) in Environment(scratch))
            start.Environment[name] = value;
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(timeout))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{dll} did not finish within {timeout.TotalSeconds} s under the CUDA emulator.");
        }
        return (process.ExitCode, output.Result, error.Result);
    }

    private static string Build()
    {
        string source = Path.Combine(RepositoryRoot(), "tests", "CudaEmulator", "nggen_cuda_emulator.cpp");
        string hash = Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(source)))[..16];
        string directory = Path.Combine(Path.GetTempPath(), "nggen-cuda-emulator-lib");
        string library = Path.Combine(directory, $"libnggen_cuda_emulator-{hash}.so");
        if (File.Exists(library))
            return library;

        Directory.CreateDirectory(directory);
        string unique = $"{library}.{System.Environment.ProcessId}";
        var start = new ProcessStartInfo("/usr/bin/g++", ["-O2", "-std=c++17", "-Wall", "-Werror", "-shared", "-fPIC", "-o", unique, source, "-ldl"])
        {
            RedirectStandardError = true,
            RedirectStandardOutput = true,
        };
        using var compiler = Process.Start(start)!;
        string errors = compiler.StandardError.ReadToEnd() + compiler.StandardOutput.ReadToEnd();
        compiler.WaitForExit();
        if (compiler.ExitCode != 0)
            throw new InvalidOperationException($"g++ rejected {source}:\n{errors}");
        File.Move(unique, library, overwrite: true);
        return library;
    }

    private static string RepositoryRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "NGGen.sln")))
                return directory.FullName;
        }
        throw new DirectoryNotFoundException($"No NGGen.sln above {AppContext.BaseDirectory}.");
    }
}

/// <summary>
/// A fact that runs programs under the CUDA emulator, which g++ builds. Skipped where g++ is missing, unless
/// NGGEN_REQUIRE_HOST_COMPILER=1 (set by .ci/run, which installs it).
/// </summary>
public sealed class CudaEmulatorFactAttribute : FactAttribute
{
    public CudaEmulatorFactAttribute()
    {
        if (!CudaEmulator.CompilerAvailable && System.Environment.GetEnvironmentVariable("NGGEN_REQUIRE_HOST_COMPILER") != "1")
            Skip = "g++ is not installed (apt-get install g++; .ci/run does)";
    }
}
