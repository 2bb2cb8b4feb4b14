using KakaoFlow.Diagnostics;

using System.Security.Cryptography;
using System.Text;
using KakaoFlow.Resources;

namespace KakaoFlow.Compiling;

/// <summary>
/// The files of one bot: <c>flow.yaml</c> and the <c>.js</c> files it names. Reading goes through
/// <see cref="ReadFile"/> so tests and the snapshot runner can compile from memory.
/// </summary>
public sealed class FlowSource
{
    public const string FlowFileName = "flow.yaml";

    private readonly Func<string, string?> _readFile;

    public FlowSource(string botId, string flowFile, string text, Func<string, string?> readFile)
    {
        BotId = botId;
        FlowFile = flowFile;
        Text = text;
        _readFile = readFile;
    }

    /// <summary>The bot id: its folder name and URL segment.</summary>
    public string BotId { get; }

    /// <summary>The flow file path as it is shown in diagnostics.</summary>
    public string FlowFile { get; }

    public string Text { get; }

    /// <summary>Reads a file next to the flow (a script), or null when it does not exist.</summary>
    /// <exception cref="SourceFileRefusedException">the file leads outside the bot folder.</exception>
    public string? ReadFile(string relativePath) => _readFile(relativePath);

    /// <summary>The path of a file next to the flow, as shown in diagnostics.</summary>
    public string PathOf(string relativePath)
    {
        var directory = Path.GetDirectoryName(FlowFile);
        return string.IsNullOrEmpty(directory) ? relativePath : Path.Combine(directory, relativePath);
    }

    /// <summary>Reads a bot folder (or a path to its flow.yaml) from disk; only files inside the folder (links followed).</summary>
    /// <exception cref="SourceFileRefusedException">the flow file leads outside its folder.</exception>
    /// <exception cref="IOException">the flow file is missing or cannot be read.</exception>
    public static FlowSource FromDisk(string path)
    {
        var flowFile = Directory.Exists(path) ? Path.Combine(path, FlowFileName) : path;
        var files = new BotFiles(Path.GetDirectoryName(Path.GetFullPath(flowFile)) ?? ".");
        var flow = files.Read(Path.GetFileName(flowFile));
        var text = flow.Text() ?? throw new FileNotFoundException(Resources.Text.Of(Messages.File_NotFound, flow.Path), flow.Path);
        return new FlowSource(Path.GetFileName(files.Folder), flowFile, text, relative => files.Read(relative).Text());
    }

    /// <summary>The diagnostic for a flow file that could not be read: KF033 when it was refused, KF026 otherwise.</summary>
    public static Diagnostic Unreadable(string flowFile, Exception exception)
    {
        ArgumentNullException.ThrowIfNull(exception);
        var start = SourceSpan.StartOf(flowFile);
        return exception is SourceFileRefusedException refused
            ? refused.At(start)
            : DiagnosticCodes.FlowFileUnreadable.Create(start, exception.Message);
    }

    /// <summary>A flow held in memory (tests, scenarios); scripts come from the given map.</summary>
    public static FlowSource InMemory(string botId, string text, IReadOnlyDictionary<string, string>? files = null, string? flowFile = null) =>
        new(botId, flowFile ?? $"{botId}/{FlowFileName}", text, relative => files?.GetValueOrDefault(relative));

    /// <summary>A short content hash: the flow version id.</summary>
    public static string VersionOf(string flowText, IEnumerable<string> scriptTexts)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        hash.AppendData(Encoding.UTF8.GetBytes(flowText));
        foreach (var script in scriptTexts)
        {
            hash.AppendData([0]);
            hash.AppendData(Encoding.UTF8.GetBytes(script));
        }

        return Convert.ToHexStringLower(hash.GetHashAndReset())[..12];
    }
}

/// <summary>The result of compiling: a flow when there was no error, and every diagnostic either way.</summary>
public sealed record FlowCompilation(CompiledFlow? Flow, IReadOnlyList<Diagnostic> Diagnostics)
{
    public bool Success => Flow is not null;
}
