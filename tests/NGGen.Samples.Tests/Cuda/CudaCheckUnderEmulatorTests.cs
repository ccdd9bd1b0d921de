using System.Globalization;
using System.Text.RegularExpressions;
using Xunit.Abstractions;

namespace NGGen.Samples.Tests.Cuda;

/// <summary>
/// samples/CudaCheck, unchanged, against the CUDA emulator: every test model's passes through NVRTC, the PTX cache,
/// module loads, kernel launches and cuBLAS products, compared with the CPU under the bounds the GPU acceptance uses
/// (1e-10 relative in double, 1e-4 in float), and GN-CG, dual GN, the natural gradient, the Sobolev and kernel natural gradients and ENGD on the "device" against the CPU loss curves.
/// </summary>
public sealed partial class CudaCheckUnderEmulatorTests(ITestOutputHelper log) : IDisposable
{
    private readonly string _scratch = Path.Combine(Path.GetTempPath(), "nggen-cudacheck-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_scratch))
            Directory.Delete(_scratch, recursive: true);
    }

    [CudaEmulatorFact]
    public void Every_model_and_the_GN_CG_run_match_the_CPU_within_the_GPU_bounds()
    {
        var (exitCode, output, error) = CudaEmulator.RunDotnet("CudaCheck.dll", ["--batch", "8", "--repetitions", "1", "--skip-mlp"],
            _scratch, TimeSpan.FromMinutes(8));
        log.WriteLine(output);
        Assert.True(exitCode == 0, $"CudaCheck exited {exitCode}\n{output}\n{error}");
        Assert.StartsWith("GPU: NGGen CUDA emulator (CPU)", output, StringComparison.Ordinal);

        foreach (var (element, bound) in new[] { ("double", 1e-10), ("float", 1e-4) })
        {
            var summary = Regex.Match(output, $@"^{element}: largest relative difference (\S+) over (\d+) operations", RegexOptions.Multiline);
            Assert.True(summary.Success, $"no {element} summary in:\n{output}");
            double largest = double.Parse(summary.Groups[1].Value, CultureInfo.InvariantCulture);
            int operations = int.Parse(summary.Groups[2].Value, CultureInfo.InvariantCulture);
            Assert.True(largest <= bound, $"{element}: largest relative difference {largest} exceeds {bound}");
            // 32 test models, six passes each at least.
            Assert.True(operations >= 32 * 6, $"{element}: only {operations} operations compared");
        }

        Assert.Contains("loss curves agree", output, StringComparison.Ordinal);
        Assert.Contains("dual GN curves agree", output, StringComparison.Ordinal);
        Assert.Contains("natural-gradient curves agree", output, StringComparison.Ordinal);
        Assert.Contains("ENGD curves agree", output, StringComparison.Ordinal);
        Assert.Matches(@"first iteration's predicted relative decrease: CPU \S+, GPU \S+, relative difference \S+ \(agree;", output);
        Assert.Contains("Sobolev curves agree", output, StringComparison.Ordinal);
        Assert.Contains("kernel natural-gradient curves agree", output, StringComparison.Ordinal);
        Assert.DoesNotContain("EXCEEDED", output, StringComparison.Ordinal);
    }
}
