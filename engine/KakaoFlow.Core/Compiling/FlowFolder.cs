using System.Security.Cryptography;
using System.Text;
using KakaoFlow.Resources;

namespace KakaoFlow.Compiling;

/// <summary>
/// One read of a bot folder: <c>flow.yaml</c> and the scripts its <c>scripts:</c> names — nothing else in the folder,
/// so a <c>node_modules</c> or a link to a big tree costs nothing — held in memory with a hash of their contents.
/// What is compiled from <see cref="Source"/> is exactly what was hashed, so an editor saving again meanwhile cannot
/// mix two versions; a later read with the same <see cref="Fingerprint"/> means nothing the flow uses has changed.
/// </summary>
/// <remarks>
/// Which scripts a flow names is known only once it is parsed, and parsing on every look would cost more than
/// hashing. So a look reads the scripts the last compile asked for (<see cref="Scripts"/>, passed back to
/// <see cref="Read"/>): if flow.yaml is unchanged, so is that list, and the fingerprints compare like for like; if
/// flow.yaml changed, the fingerprint differs anyway and <see cref="Compile"/> reads whatever the new flow names.
/// Every file is read through <see cref="BotFiles"/>: inside the folder only (KF033), at most 1 MiB (KF034).
/// </remarks>
public sealed class FlowFolder
{
    private readonly BotFiles _files;
    private readonly BotFile _flow;
    private readonly Dictionary<string, BotFile> _read = new(StringComparer.Ordinal);
    private readonly SortedSet<string> _asked = new(StringComparer.Ordinal);
    private string[] _scripts;
    private string? _fingerprint;

    private FlowFolder(string folder, BotFiles files, BotFile flow, string[] scripts)
    {
        Folder = folder;
        _files = files;
        _flow = flow;
        _scripts = scripts;
        foreach (var name in scripts)
        {
            Load(name);
        }

        var flowFile = Path.Combine(folder, FlowSource.FlowFileName);
        Source = new FlowSource(Path.GetFileName(files.Folder), flowFile, BotFile.Decode(flow.Bytes!), name =>
        {
            _asked.Add(name);
            return Load(name).Text();
        });
    }

    public string Folder { get; }

    /// <summary>The flow as read; the scripts it names come from the same read.</summary>
    public FlowSource Source { get; }

    /// <summary>
    /// The script names this read covers, in ordinal order: those given to <see cref="Read"/>, and after
    /// <see cref="Compile"/> exactly those the flow asked for (missing or refused ones included).
    /// </summary>
    public IReadOnlyList<string> Scripts => _scripts;

    /// <summary>SHA-256 over flow.yaml and each of <see cref="Scripts"/> (its bytes, or that it is missing or refused).</summary>
    public string Fingerprint => _fingerprint ??= Hash();

    /// <summary>
    /// The files this read depends on, as full paths, for a watcher: flow.yaml and each script where the flow names
    /// it and, when links lead elsewhere inside the folder, where it really is.
    /// </summary>
    public IReadOnlyList<string> WatchedFiles =>
    [
        .. new[] { _flow }.Concat(_scripts.Select(name => _read[name]))
            .SelectMany(file => file.RealPath is { } real && real != file.Path ? new[] { file.Path, real } : [file.Path])
            .Distinct(StringComparer.Ordinal),
    ];

    /// <summary>Reads flow.yaml and the named scripts once.</summary>
    /// <param name="folder">The bot folder.</param>
    /// <param name="scripts">The scripts to read with it: the <see cref="Scripts"/> of the last compile, if any.</param>
    /// <exception cref="SourceFileRefusedException">flow.yaml leads outside the folder or is over 1 MiB.</exception>
    /// <exception cref="FileNotFoundException">flow.yaml is missing.</exception>
    /// <exception cref="IOException">a file or the folder could not be read.</exception>
    /// <exception cref="UnauthorizedAccessException">a file may not be read.</exception>
    public static FlowFolder Read(string folder, IEnumerable<string>? scripts = null)
    {
        ArgumentNullException.ThrowIfNull(folder);
        var files = new BotFiles(folder);
        var flow = files.Read(FlowSource.FlowFileName);
        if (flow.Text() is null)
        {
            throw new FileNotFoundException(Text.Of(Messages.File_NotFound, flow.Path), flow.Path);
        }

        return new FlowFolder(folder, files, flow, [.. (scripts ?? []).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal)]);
    }

    /// <summary>
    /// Compiles the flow from this read. Afterwards <see cref="Scripts"/> and <see cref="Fingerprint"/> cover exactly
    /// the scripts the flow asked for, as they were when compiled.
    /// </summary>
    public FlowCompilation Compile(FlowCompiler compiler)
    {
        ArgumentNullException.ThrowIfNull(compiler);
        _asked.Clear();
        var compilation = compiler.Compile(Source);
        _scripts = [.. _asked];
        _fingerprint = null;
        return compilation;
    }

    /// <summary>The script as first read in this read (read now if it was not yet).</summary>
    private BotFile Load(string name)
    {
        if (!_read.TryGetValue(name, out var file))
        {
            file = _files.Read(name);
            _read[name] = file;
        }

        return file;
    }

    private string Hash()
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        foreach (var file in new[] { _flow }.Concat(_scripts.Select(name => _read[name])))
        {
            hash.AppendData(Encoding.UTF8.GetBytes(file.Name));
            hash.AppendData([0]);
            hash.AppendData(file.Bytes ?? Encoding.UTF8.GetBytes(file.Refusal is { } refused ? "refused: " + refused.Message : "missing"));
            hash.AppendData([0, (byte)(file.Bytes is null ? 0 : 1)]);
        }

        return Convert.ToHexStringLower(hash.GetHashAndReset());
    }
}
