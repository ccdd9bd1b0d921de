using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;

namespace NGGen.Cuda;

/// <summary>Where <see cref="PtxCache.GetOrCompile"/> found the PTX.</summary>
public enum PtxSource
{
    /// <summary>Compiled by NVRTC in this call.</summary>
    Compiled,

    /// <summary>Already compiled in this process.</summary>
    Memory,

    /// <summary>Read from the disk cache, written by an earlier process.</summary>
    Disk,
}

/// <summary>
/// Compiles CUDA C++ to PTX once per content hash: in memory for the process, and on disk across processes. The
/// hash covers the NVRTC version, the architecture, the options and the source, so any change recompiles.
/// </summary>
/// <remarks>
/// Disk entries are written to a temporary file and renamed into place, so a crash leaves no partial entry. Each
/// starts with a line naming its own hash; an entry whose header or body does not check out is recompiled and
/// replaced. The default directory is <c>$NGGEN_PTX_CACHE</c>, else <c>$XDG_CACHE_HOME/nggen/ptx</c>, else
/// <c>~/.cache/nggen/ptx</c>; an unwritable directory only costs the disk level.
/// </remarks>
public sealed class PtxCache
{
    private const string HeaderPrefix = "// nggen-ptx sha256=";
    private const string Footer = "\n// end\n";

    private readonly ConcurrentDictionary<string, string> _memory = new();

    /// <summary>Creates a cache over <paramref name="directory"/> (null: the default directory; "": memory only).</summary>
    public PtxCache(string? directory = null) => Directory = directory ?? DefaultDirectory();

    /// <summary>Gets the process-wide cache over the default directory.</summary>
    public static PtxCache Shared { get; } = new();

    /// <summary>Gets the disk directory ("" when the cache is memory-only).</summary>
    public string Directory { get; }

    /// <summary>Gets the key of a compilation: SHA-256 over NVRTC's version, architecture, options and source.</summary>
    public static string Key(string source, int architecture, ReadOnlySpan<string> options)
    {
        var (major, minor) = Nvrtc.Version;
        var text = new StringBuilder().Append("nvrtc ").Append(major).Append('.').Append(minor)
            .Append("\narch ").Append(architecture);
        foreach (string option in options)
            text.Append("\noption ").Append(option);
        text.Append("\nsource\n").Append(source);
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text.ToString())));
    }

    /// <summary>Returns the PTX for <paramref name="source"/>, compiling it only when no level has it.</summary>
    /// <exception cref="NvrtcCompilationException">The source does not compile.</exception>
    public (string Ptx, string Key, PtxSource Source) GetOrCompile(
        string source, string programName, int architecture, params ReadOnlySpan<string> options)
    {
        string key = Key(source, architecture, options);
        if (_memory.TryGetValue(key, out string? cached))
            return (cached, key, PtxSource.Memory);

        if (TryReadDisk(key) is { } fromDisk)
        {
            _memory[key] = fromDisk;
            return (fromDisk, key, PtxSource.Disk);
        }

        string ptx = Nvrtc.CompileToPtx(source, programName, architecture, options);
        _memory[key] = ptx;
        TryWriteDisk(key, ptx);
        return (ptx, key, PtxSource.Compiled);
    }

    /// <summary>Gets the disk file of an entry ("" when memory-only).</summary>
    public string PathOf(string key) => Directory.Length == 0 ? "" : Path.Combine(Directory, key + ".ptx");

    private string? TryReadDisk(string key)
    {
        string path = PathOf(key);
        if (path.Length == 0 || !File.Exists(path))
            return null;
        try
        {
            string text = File.ReadAllText(path);
            string header = HeaderPrefix + key + "\n";
            // A truncated or foreign file fails one of these; it is then recompiled and overwritten.
            if (!text.StartsWith(header, StringComparison.Ordinal) || !text.Contains(".version", StringComparison.Ordinal)
                || !text.EndsWith(Footer, StringComparison.Ordinal))
            {
                return null;
            }

            return text[header.Length..^Footer.Length];
        }
        catch (IOException)
        {
            return null;
        }
        catch (UnauthorizedAccessException)
        {
            return null;
        }
    }

    private void TryWriteDisk(string key, string ptx)
    {
        string path = PathOf(key);
        if (path.Length == 0)
            return;
        try
        {
            System.IO.Directory.CreateDirectory(Directory);
            string temporary = $"{path}.{Environment.ProcessId}.{Environment.CurrentManagedThreadId}.tmp";
            using (var stream = new FileStream(temporary, FileMode.Create, FileAccess.Write, FileShare.None))
            using (var writer = new StreamWriter(stream, new UTF8Encoding(false)))
            {
                writer.Write(HeaderPrefix);
                writer.Write(key);
                writer.Write('\n');
                writer.Write(ptx);
                writer.Write(Footer);
                writer.Flush();
                stream.Flush(flushToDisk: true);
            }

            File.Move(temporary, path, overwrite: true);
        }
        catch (IOException)
        {
            // The disk level is an optimisation; the memory level still holds the entry.
        }
        catch (UnauthorizedAccessException)
        {
        }
    }

    private static string DefaultDirectory()
    {
        if (Environment.GetEnvironmentVariable("NGGEN_PTX_CACHE") is { Length: > 0 } explicitDirectory)
            return explicitDirectory;
        string? root = Environment.GetEnvironmentVariable("XDG_CACHE_HOME");
        if (string.IsNullOrEmpty(root))
        {
            string home = Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
            if (home.Length == 0)
                return "";
            root = Path.Combine(home, ".cache");
        }

        return Path.Combine(root, "nggen", "ptx");
    }
}
