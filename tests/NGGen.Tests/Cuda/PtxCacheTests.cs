using NGGen.Cuda;
using Xunit;

namespace NGGen.Tests.Cuda;

public sealed class PtxCacheTests : IDisposable
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "nggen-ptx-test-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_directory))
            Directory.Delete(_directory, recursive: true);
    }

    [NvrtcFact]
    public void CompilesOnceThenServesFromMemoryThenFromDiskInANewProcessCache()
    {
        var first = new PtxCache(_directory);
        var compiled = first.GetOrCompile(NvrtcTests.Saxpy, "saxpy.cu", 80);
        var again = first.GetOrCompile(NvrtcTests.Saxpy, "saxpy.cu", 80);
        var fromDisk = new PtxCache(_directory).GetOrCompile(NvrtcTests.Saxpy, "saxpy.cu", 80);

        Assert.Equal(PtxSource.Compiled, compiled.Source);
        Assert.Equal(PtxSource.Memory, again.Source);
        Assert.Equal(PtxSource.Disk, fromDisk.Source);
        Assert.Equal(compiled.Ptx, fromDisk.Ptx);
        Assert.Equal(compiled.Key, fromDisk.Key);
        Assert.True(File.Exists(first.PathOf(compiled.Key)));
        Assert.Empty(Directory.GetFiles(_directory, "*.tmp"));
    }

    [NvrtcFact]
    public void TheKeyChangesWithSourceArchitectureAndOptions()
    {
        string key = PtxCache.Key(NvrtcTests.Saxpy, 80, []);

        Assert.NotEqual(key, PtxCache.Key(NvrtcTests.Saxpy + " ", 80, []));
        Assert.NotEqual(key, PtxCache.Key(NvrtcTests.Saxpy, 86, []));
        Assert.NotEqual(key, PtxCache.Key(NvrtcTests.Saxpy, 80, ["-use_fast_math"]));
        Assert.Equal(key, PtxCache.Key(NvrtcTests.Saxpy, 80, []));
    }

    [NvrtcFact]
    public void ATruncatedOrForeignDiskEntryIsRecompiledAndReplaced()
    {
        var cache = new PtxCache(_directory);
        var (ptx, key, _) = cache.GetOrCompile(NvrtcTests.Saxpy, "saxpy.cu", 80);
        string path = cache.PathOf(key);
        string full = File.ReadAllText(path);

        File.WriteAllText(path, full[..(full.Length / 2)]);
        var afterTruncation = new PtxCache(_directory).GetOrCompile(NvrtcTests.Saxpy, "saxpy.cu", 80);
        File.WriteAllText(path, "// nggen-ptx sha256=0000\n.version 7.8\n// end\n");
        var afterForeign = new PtxCache(_directory).GetOrCompile(NvrtcTests.Saxpy, "saxpy.cu", 80);

        Assert.Equal(PtxSource.Compiled, afterTruncation.Source);
        Assert.Equal(PtxSource.Compiled, afterForeign.Source);
        Assert.Equal(ptx, afterForeign.Ptx);
        Assert.Equal(full, File.ReadAllText(path));
    }

    [NvrtcFact]
    public void AMemoryOnlyCacheWritesNothing()
    {
        var cache = new PtxCache("");
        var result = cache.GetOrCompile(NvrtcTests.Saxpy, "saxpy.cu", 80);

        Assert.Equal(PtxSource.Compiled, result.Source);
        Assert.Equal("", cache.PathOf(result.Key));
        Assert.False(Directory.Exists(_directory));
    }
}
