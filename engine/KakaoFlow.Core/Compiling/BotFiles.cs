using System.Text;
using KakaoFlow.Diagnostics;

namespace KakaoFlow.Compiling;

/// <summary>
/// Reads the files of one bot folder the way a flow may: a name is resolved to its real path — every symbolic link
/// followed, each <c>..</c> taken after the link before it — and refused (KF033) unless that path is inside the
/// folder's own real path; a file over <see cref="MaxFileBytes"/> is refused too (KF034). What is refused is never
/// read, so its content can reach no log, diagnostic or hook.
/// </summary>
/// <remarks>
/// The check and the open are two steps: a link swapped in between would be followed by the open. On Linux the
/// opened file's path is read back from <c>/proc/self/fd</c> and the read refused when it is outside, which closes
/// that race. The bot folder itself may be a link (a deployment layout): "inside" means inside where it leads.
/// </remarks>
internal sealed class BotFiles
{
    /// <summary>The largest file a flow may read (flow.yaml or a script); a larger one is refused unread (KF034).</summary>
    public const int MaxFileBytes = 1024 * 1024;

    /// <summary>How many links one name may pass through (as Linux's own limit, ELOOP).</summary>
    private const int MaxLinks = 40;

    private readonly string _realFolder;

    public BotFiles(string folder)
    {
        Folder = Path.GetFullPath(folder);
        var root = Path.GetPathRoot(Folder)!;
        _realFolder = Walk(root, Folder[root.Length..]) ?? Folder;
    }

    /// <summary>The folder as given (full path).</summary>
    public string Folder { get; }

    /// <summary>Reads <paramref name="name"/>, relative to the folder as the flow writes it.</summary>
    public BotFile Read(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        var path = Path.GetFullPath(Path.Combine(Folder, name));
        if (path == Folder)
        {
            // "" or ".": the folder itself, not a file in it.
            return BotFile.Missing(name, path);
        }

        if (Path.IsPathRooted(name) || !IsInside(path, Folder))
        {
            return BotFile.Refused(name, path, Outside(name));
        }

        var real = Walk(_realFolder, name);
        if (real is null)
        {
            // A loop of links: nothing to read, as open() would say.
            return BotFile.Missing(name, path);
        }

        if (!IsInside(real, _realFolder))
        {
            return BotFile.Refused(name, path, Outside(name));
        }

        var info = new FileInfo(real);
        if (!info.Exists)
        {
            return BotFile.Missing(name, path);
        }

        if (info.Length > MaxFileBytes)
        {
            return BotFile.Refused(name, path, TooLarge(name, info.Length));
        }

        if (info.Length == 0)
        {
            // Not opened: a named pipe also says 0, and opening one would wait for a writer.
            return new BotFile(name, path, real, [], null);
        }

        FileStream stream;
        try
        {
            stream = new FileStream(real, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, bufferSize: 1);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            return BotFile.Missing(name, path);
        }

        using (stream)
        {
            if (OpenedPath(stream) is { } opened && !IsInside(opened, _realFolder))
            {
                return BotFile.Refused(name, path, Outside(name));
            }

            if (stream.Length > MaxFileBytes)
            {
                return BotFile.Refused(name, path, TooLarge(name, stream.Length));
            }

            var bytes = new byte[stream.Length];
            stream.ReadExactly(bytes);
            return new BotFile(name, path, real, bytes, null);
        }
    }

    private static SourceFileRefusedException Outside(string name) => new(DiagnosticCodes.FileOutsideFolder, name);

    private static SourceFileRefusedException TooLarge(string name, long length) => new(DiagnosticCodes.FileTooLarge, name, length, MaxFileBytes);

    private static bool IsInside(string path, string folder) =>
        path.StartsWith(Path.EndsInDirectorySeparator(folder) ? folder : folder + Path.DirectorySeparatorChar, StringComparison.Ordinal);

    /// <summary>
    /// <paramref name="relative"/> walked from <paramref name="start"/> (a real path) one name at a time, each link
    /// replaced by its target; null after <see cref="MaxLinks"/> links (a loop). The result need not exist.
    /// </summary>
    private static string? Walk(string start, string relative)
    {
        var pending = new Stack<string>();
        Push(pending, relative);
        var current = start;
        var links = 0;
        while (pending.TryPop(out var part))
        {
            if (part is "" or ".")
            {
                continue;
            }

            if (part == "..")
            {
                current = Path.GetDirectoryName(current) ?? current;
                continue;
            }

            var next = Path.Join(current, part);
            var target = LinkTarget(next);
            if (target is null)
            {
                current = next;
                continue;
            }

            if (++links > MaxLinks)
            {
                return null;
            }

            if (Path.GetPathRoot(target) is { Length: > 0 } root)
            {
                current = root;
                target = target[root.Length..];
            }

            Push(pending, target);
        }

        return current;
    }

    private static void Push(Stack<string> pending, string path)
    {
        var parts = path.Split([Path.DirectorySeparatorChar, Path.AltDirectorySeparatorChar]);
        for (var i = parts.Length - 1; i >= 0; i--)
        {
            pending.Push(parts[i]);
        }
    }

    /// <summary>What the link at <paramref name="path"/> points to; null when it is no link (or not there).</summary>
    private static string? LinkTarget(string path)
    {
        try
        {
            return new FileInfo(path).LinkTarget;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    /// <summary>Where the open file really is, as the kernel says (Linux); null where it cannot tell.</summary>
    private static string? OpenedPath(FileStream stream)
    {
        if (!OperatingSystem.IsLinux())
        {
            return null;
        }

        try
        {
            return new FileInfo($"/proc/self/fd/{stream.SafeFileHandle.DangerousGetHandle()}").LinkTarget;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }
}

/// <summary>One read of a file of a bot folder: its bytes, or that it is missing, or why it was refused.</summary>
/// <param name="Name">As the flow names it.</param>
/// <param name="Path">Where the name points, before links are followed (full path).</param>
/// <param name="RealPath">Where it was read from, links followed; null when it was not read.</param>
/// <param name="Bytes">The content; null when the file is missing or was refused.</param>
/// <param name="Refusal">Why the file was not read, when it was refused.</param>
internal sealed record BotFile(string Name, string Path, string? RealPath, byte[]? Bytes, SourceFileRefusedException? Refusal)
{
    public static BotFile Missing(string name, string path) => new(name, path, null, null, null);

    public static BotFile Refused(string name, string path, SourceFileRefusedException refusal) => new(name, path, null, null, refusal);

    /// <summary>The text (UTF-8 unless a byte-order mark says otherwise), or null when the file is missing.</summary>
    /// <exception cref="SourceFileRefusedException">the file was refused.</exception>
    public string? Text()
    {
        if (Refusal is not null)
        {
            throw Refusal;
        }

        return Bytes is null ? null : Decode(Bytes);
    }

    /// <summary>As <c>File.ReadAllText(path, Encoding.UTF8)</c> decodes: a byte-order mark, if any, picks the encoding.</summary>
    public static string Decode(byte[] bytes)
    {
        using var reader = new StreamReader(new MemoryStream(bytes), Encoding.UTF8, detectEncodingFromByteOrderMarks: true);
        return reader.ReadToEnd();
    }
}
