using System.Runtime.Intrinsics.X86;

namespace NGGen.Kernels;

/// <summary>The core's cache sizes, read once from the processor, for the blocking of <see cref="Gemm"/>.</summary>
/// <remarks>
/// The development VM has moved between hosts with 2 MiB of L2 per core (Emerald Rapids) and 1 MiB (AMD EPYC,
/// Zen 5), and a packed block sized for the one spills out of the other. CPUID leaf 0x80000006 reports the L2 size
/// in KiB in ECX[31:16] on both AMD and Intel processors; hypervisors pass it through. Elsewhere (Arm, or a CPUID
/// that does not report it) the size is unknown and callers keep their measured defaults.
/// </remarks>
internal static class CacheSizes
{
    private const uint ExtendedCacheLeaf = 0x80000006;
    private const uint HighestExtendedLeaf = 0x80000000;

    /// <summary>Bytes of L2 cache per core, or 0 when the processor does not say.</summary>
    internal static readonly int L2Bytes = ReadL2Bytes();

    private static int ReadL2Bytes()
    {
        if (!X86Base.IsSupported)
            return 0;
        (int highest, _, _, _) = X86Base.CpuId(unchecked((int)HighestExtendedLeaf), 0);
        if ((uint)highest < ExtendedCacheLeaf)
            return 0;
        (_, _, int ecx, _) = X86Base.CpuId(unchecked((int)ExtendedCacheLeaf), 0);
        uint kibibytes = (uint)ecx >> 16;
        return kibibytes is 0 or > 64 * 1024 ? 0 : (int)kibibytes * 1024;
    }
}
