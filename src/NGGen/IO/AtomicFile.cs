using System.Runtime.InteropServices;

namespace NGGen.IO;

/// <summary>
/// Writes a file so that a crash at any moment leaves either the old file or the whole new one: the content goes
/// to <c>&lt;name&gt;.partial-&lt;pid&gt;</c> in the same directory, is flushed to the disk, optionally checked, and
/// only then renamed over the target (rename is atomic within a file system); on Linux the directory is then
/// synced so the rename itself survives a power loss. On any failure the partial file is deleted and the target
/// is untouched. Partial files left by a killed process are found by <see cref="IsPartial"/>.
/// </summary>
public static partial class AtomicFile
{
    /// <summary>The marker in the names of files still being written.</summary>
    public const string PartialMarker = ".partial-";

    /// <summary>Writes <paramref name="path"/> from <paramref name="write"/>; <paramref name="verify"/>, when given,
    /// reads the flushed partial file (its path is the argument) and throws to abandon the write.</summary>
    public static void Write(string path, Action<FileStream> write, Action<string>? verify = null)
    {
        string full = Path.GetFullPath(path);
        string directory = Path.GetDirectoryName(full)!;
        if (!Directory.Exists(directory))
            throw new DirectoryNotFoundException($"{path}: the directory {directory} does not exist.");
        string partial = full + PartialMarker + Environment.ProcessId;
        try
        {
            using (var stream = new FileStream(partial, FileMode.Create, FileAccess.Write, FileShare.None, bufferSize: 1 << 16))
            {
                write(stream);
                stream.Flush(flushToDisk: true);
            }
            verify?.Invoke(partial);
            File.Move(partial, full, overwrite: true);
        }
        catch
        {
            TryDelete(partial);
            throw;
        }
        SyncDirectory(directory);
    }

    /// <summary>True for a file name that <see cref="Write"/> uses while writing (left behind only by a killed process).</summary>
    public static bool IsPartial(string path) => Path.GetFileName(path).Contains(PartialMarker, StringComparison.Ordinal);

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }

    // Best effort: a directory cannot be opened as a FileStream, so fsync(2) it through libc. Durability against a
    // power cut needs this; atomicity against a killed process does not.
    private static void SyncDirectory(string directory)
    {
        if (!OperatingSystem.IsLinux())
            return;
        const int O_RDONLY = 0, O_DIRECTORY = 0x10000;
        int fd = open(directory, O_RDONLY | O_DIRECTORY);
        if (fd < 0)
            return;
        _ = fsync(fd);
        _ = close(fd);
    }

    [LibraryImport("libc.so.6", StringMarshalling = StringMarshalling.Utf8)]
    private static partial int open(string pathname, int flags);

    [LibraryImport("libc.so.6")]
    private static partial int fsync(int fd);

    [LibraryImport("libc.so.6")]
    private static partial int close(int fd);
}
