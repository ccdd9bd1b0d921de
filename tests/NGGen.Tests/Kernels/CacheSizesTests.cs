using System.Runtime.Intrinsics.X86;
using NGGen.Kernels;

namespace NGGen.Tests.Kernels;

/// <summary>
/// The L2 size read from CPUID agrees with what the operating system reports for the same core: sysfs where it
/// lists the caches, else (AMD) the "cache size" line of /proc/cpuinfo, which on AMD processors is the L2 per core.
/// </summary>
public sealed class CacheSizesTests
{
    private const string SysfsL2 = "/sys/devices/system/cpu/cpu0/cache/index2/size";

    [Fact]
    public void L2Bytes_MatchesTheOperatingSystemsReport()
    {
        int reported = CacheSizes.L2Bytes;
        if (!X86Base.IsSupported)
        {
            Assert.Equal(0, reported);
            return;
        }

        // Every x86 processor this library targets has an L2 of 256 KiB to 64 MiB in whole KiB.
        Assert.InRange(reported, 256 * 1024, 64 * 1024 * 1024);
        Assert.Equal(0, reported % 1024);

        long? fromOs = OperatingSystemL2Bytes();
        if (fromOs is long bytes)
            Assert.Equal(bytes, reported);
    }

    // The L2 per core as Linux reports it, or null where it does not (another OS, an Intel VM without sysfs caches).
    private static long? OperatingSystemL2Bytes()
    {
        if (File.Exists(SysfsL2))
            return ParseKibibytes(File.ReadAllText(SysfsL2).Trim().TrimEnd('K'));
        if (!File.Exists("/proc/cpuinfo"))
            return null;
        string[] lines = File.ReadAllLines("/proc/cpuinfo");
        bool amd = lines.Any(l => l.StartsWith("vendor_id", StringComparison.Ordinal) && l.EndsWith("AuthenticAMD", StringComparison.Ordinal));
        string? cacheLine = lines.FirstOrDefault(l => l.StartsWith("cache size", StringComparison.Ordinal));
        if (!amd || cacheLine is null)
            return null;
        return ParseKibibytes(cacheLine[(cacheLine.IndexOf(':') + 1)..].Trim().Replace(" KB", "", StringComparison.Ordinal));
    }

    private static long ParseKibibytes(string text) => long.Parse(text, System.Globalization.CultureInfo.InvariantCulture) * 1024;
}
