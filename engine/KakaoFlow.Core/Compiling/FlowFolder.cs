using System.Security.Cryptography;
using System.Text;

namespace KakaoFlow.Compiling;

/// <summary>
/// One read of a bot folder: <c>flow.yaml</c> and every <c>.js</c> file outside <c>tests/</c>, held in memory with
/// a hash of their contents. What is compiled from <see cref="Source"/> is exactly what was hashed, so an editor
/// saving again meanwhile cannot mix two versions; a later read with the same <see cref="Fingerprint"/> means
/// nothing that the flow can use has changed.
/// </summary>
public sealed class FlowFolder
{
    /// <summary>Scenario tests live here; they are not part of the flow.</summary>
    public const string TestsFolder = "tests";

    private FlowFolder(string folder, string fingerprint, FlowSource source)
    {
        Folder = folder;
        Fingerprint = fingerprint;
        Source = source;
    }

    public string Folder { get; }

    /// <summary>SHA-256 over the path and bytes of flow.yaml and each .js file, in ordinal path order.</summary>
    public string Fingerprint { get; }

    /// <summary>The flow as read; scripts it names come from the same read.</summary>
    public FlowSource Source { get; }

    /// <summary>Reads the folder once.</summary>
    /// <exception cref="FileNotFoundException">flow.yaml is missing.</exception>
    /// <exception cref="IOException">a file or the folder could not be read.</exception>
    /// <exception cref="UnauthorizedAccessException">a file may not be read.</exception>
    public static FlowFolder Read(string folder)
    {
        ArgumentNullException.ThrowIfNull(folder);
        var flowFile = Path.Combine(folder, FlowSource.FlowFileName);
        var full = Path.GetFullPath(folder);
        var files = new BotFiles(folder);
        var flow = files.Read(FlowSource.FlowFileName);
        if (flow.Text() is null)
        {
            throw new FileNotFoundException($"Could not find file '{flow.Path}'.", flow.Path);
        }

        var scripts = Directory.GetFiles(folder, "*.js", SearchOption.AllDirectories)
            .Where(file => !Path.GetRelativePath(folder, file).StartsWith(TestsFolder + Path.DirectorySeparatorChar, StringComparison.Ordinal))
            .Order(StringComparer.Ordinal);

        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var flowText = Append(hash, flowFile, flow.Bytes!);
        var texts = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var script in scripts)
        {
            byte[] bytes;
            try
            {
                bytes = File.ReadAllBytes(script);
            }
            catch (FileNotFoundException)
            {
                // Deleted since the listing: as if it had not been there.
                continue;
            }

            texts[Path.GetFullPath(script)] = Append(hash, script, bytes);
        }

        var source = new FlowSource(Path.GetFileName(full), flowFile, flowText, relative =>
        {
            // Only inside the folder, links followed (KF031 otherwise). A script that is not a .js file is not in
            // the fingerprint; it is read when the flow is compiled.
            var file = files.Read(relative);
            var text = file.Text();
            return text is not null && texts.TryGetValue(file.Path, out var hashed) ? hashed : text;
        });
        return new FlowFolder(folder, Convert.ToHexStringLower(hash.GetHashAndReset()), source);
    }

    private static string Append(IncrementalHash hash, string path, byte[] bytes)
    {
        hash.AppendData(Encoding.UTF8.GetBytes(path));
        hash.AppendData([0]);
        hash.AppendData(bytes);
        hash.AppendData([0]);
        return BotFile.Decode(bytes);
    }
}
