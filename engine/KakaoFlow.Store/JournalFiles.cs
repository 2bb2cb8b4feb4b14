using System.ComponentModel;
using System.Runtime.InteropServices;

namespace KakaoFlow.Store;

/// <summary>
/// The file operations the session journal makes: a seam so that tests can hold back a segment's
/// <see cref="IJournalSegment.Flush(bool)"/> and see that no turn is acknowledged before it returned.
/// </summary>
internal interface IJournalFiles
{
    /// <summary>Creates a new segment (it must not exist), readable by the owner only.</summary>
    IJournalSegment Create(string path);

    /// <summary>
    /// Creates (or replaces) the file at <paramref name="path"/>, owner-only, holding <paramref name="bytes"/> zero bytes
    /// made durable (fsync), and returns it open for writing from its start.
    /// </summary>
    IJournalSegment CreateZeroed(string path, long bytes);

    void Delete(string path);

    /// <summary>Makes the creation and deletion of files in <paramref name="directory"/> durable (an fsync of the directory).</summary>
    void SyncDirectory(string directory);

    /// <summary>Makes the data of the file at <paramref name="path"/> durable, whoever wrote it (an fsync of the file); nothing when it does not exist.</summary>
    void SyncFile(string path);
}

/// <summary>An open journal segment, written at its end.</summary>
internal interface IJournalSegment : IDisposable
{
    string Name { get; }

    long Position { get; set; }

    void Write(ReadOnlySpan<byte> bytes);

    /// <summary>Hands what was written to the operating system; with <paramref name="toDisk"/>, waits until it is on the disk (fsync).</summary>
    void Flush(bool toDisk);

    void SetLength(long length);

    /// <summary>Renames the segment's file (it stays open); <see cref="Name"/> is the new path after.</summary>
    void MoveTo(string path);
}

/// <summary>The real files.</summary>
internal sealed class DiskJournalFiles : IJournalFiles
{
    private static readonly byte[] Zeros = new byte[64 * 1024];

    public static DiskJournalFiles Instance { get; } = new();

    public IJournalSegment Create(string path) =>
        // No buffer of our own: each batch is one write to the OS. Owner-only: users' data.
        new Segment(path, new FileStream(path, StoreFiles.NewFile(FileMode.CreateNew, FileAccess.Write, FileShare.Read, bufferSize: 0)));

    public IJournalSegment CreateZeroed(string path, long bytes)
    {
        // Shared for deleting too: Windows renames an open file only then (the journal renames it to a segment's name).
        var stream = new FileStream(path, StoreFiles.NewFile(FileMode.Create, FileAccess.Write, FileShare.Read | FileShare.Delete, bufferSize: 0));
        try
        {
            // Written, not fallocate'd: ext4 turns an fallocate'd block into a written one with a journaled change of the
            // file's block map, the very cost the zeros are there to take off each fsync.
            for (var left = bytes; left > 0; left -= Zeros.Length)
            {
                stream.Write(Zeros, 0, (int)Math.Min(left, Zeros.Length));
            }

            stream.Flush(flushToDisk: true);
            stream.Position = 0;
            return new Segment(path, stream);
        }
        catch
        {
            stream.Dispose();
            throw;
        }
    }

    public void Delete(string path) => File.Delete(path);

    public void SyncDirectory(string directory)
    {
        // Windows has no directory fsync; NTFS journals the directory change itself.
        if (!OperatingSystem.IsWindows())
        {
            Fsync(directory, NativeSync.ReadOnly | NativeSync.Directory);
        }
    }

    public void SyncFile(string path)
    {
        if (!File.Exists(path))
        {
            return;
        }

        if (OperatingSystem.IsWindows())
        {
            using var stream = new FileStream(path, FileMode.Open, FileAccess.Write, FileShare.ReadWrite | FileShare.Delete);
            stream.Flush(flushToDisk: true);
            return;
        }

        // Read-only: LiteDB holds the file open for writing and shares it only for reading. An fsync through any
        // descriptor of a file writes all of the file's dirty pages.
        Fsync(path, NativeSync.ReadOnly);
    }

    private static void Fsync(string path, int flags)
    {
        var descriptor = NativeSync.Open(System.Text.Encoding.UTF8.GetBytes(path + "\0"), flags);
        if (descriptor < 0)
        {
            throw Failure("open", path);
        }

        try
        {
            if (NativeSync.Fsync(descriptor) != 0)
            {
                throw Failure("fsync", path);
            }
        }
        finally
        {
            _ = NativeSync.Close(descriptor);
        }
    }

    private static IOException Failure(string call, string path)
    {
        var errno = Marshal.GetLastPInvokeError();
        return new IOException($"{call} '{path}': {new Win32Exception(errno).Message}", errno);
    }

    private sealed class Segment(string path, FileStream stream) : IJournalSegment
    {
        public string Name { get; private set; } = path;

        public long Position { get => stream.Position; set => stream.Position = value; }

        public void Write(ReadOnlySpan<byte> bytes) => stream.Write(bytes);

        public void Flush(bool toDisk) => stream.Flush(toDisk);

        public void SetLength(long length) => stream.SetLength(length);

        public void MoveTo(string path)
        {
            File.Move(Name, path);
            Name = path;
        }

        public void Dispose() => stream.Dispose();
    }
}

/// <summary>fsync of a directory, or of a file another process part holds open for writing: .NET has neither.</summary>
internal static class NativeSync
{
    public const int ReadOnly = 0;

    /// <summary>O_DIRECTORY: 0x10000 on Linux (x64 and arm64), 0x100000 on macOS.</summary>
    public static readonly int Directory = OperatingSystem.IsMacOS() ? 0x100000 : 0x10000;

    [DllImport("libc", EntryPoint = "open", SetLastError = true)]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    public static extern int Open(byte[] nullTerminatedUtf8Path, int flags);

    [DllImport("libc", EntryPoint = "fsync", SetLastError = true)]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    public static extern int Fsync(int descriptor);

    [DllImport("libc", EntryPoint = "close", SetLastError = true)]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    public static extern int Close(int descriptor);
}
