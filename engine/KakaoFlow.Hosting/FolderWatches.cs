using System.Collections.Frozen;
using KakaoFlow.Compiling;

namespace KakaoFlow.Hosting;

/// <summary>
/// The file events hot reload listens to: the flows folder itself (bot folders coming and going) and, for each bot,
/// only the folders on the way to its flow.yaml and the scripts it names — each folder without its subfolders, and
/// an event counted only for a name on such a way. A <c>node_modules</c> or a link to a big tree in a bot folder is
/// neither watched nor looked at.
/// </summary>
/// <remarks>
/// Events are only hints (<see cref="FlowWatcher"/> polls as well). A folder watch dies with its folder; when a
/// watched name that is a folder changes, the watches below it are made again at the next <see cref="Update"/>.
/// </remarks>
/// <param name="root">The flows folder.</param>
/// <param name="dirty">A bot's files may have changed (its id).</param>
/// <param name="eventsLost">Events of a folder were lost (folder, reason): every bot must be looked at.</param>
/// <param name="cannotWatch">A folder cannot be watched (folder, reason): only the poll sees its changes.</param>
internal sealed class FolderWatches(string root, Action<string> dirty, Action<string, string> eventsLost, Action<string, string> cannotWatch) : IDisposable
{
    private readonly Dictionary<string, Watch> _watches = new(StringComparer.Ordinal);
    private readonly HashSet<string> _refused = new(StringComparer.Ordinal);
    private readonly Lock _staleGate = new();
    private readonly HashSet<string> _stale = new(StringComparer.Ordinal);
    private FileSystemWatcher? _root;

    private const NotifyFilters Filters = NotifyFilters.FileName | NotifyFilters.DirectoryName | NotifyFilters.LastWrite | NotifyFilters.Size | NotifyFilters.CreationTime;

    /// <summary>Watches the flows folder (its bot folders appearing, going, renamed); false when the system refuses.</summary>
    public bool TryStart()
    {
        _root = TryWatch(root, name =>
        {
            if (name is not null)
            {
                dirty(name);
            }
        });
        return _root is not null;
    }

    /// <summary>
    /// Makes the folder watches match what the bots read now (<paramref name="watchedFiles"/>, full paths by bot id)
    /// plus every bot folder in the flows folder. A folder newly watched marks its bots dirty, for a change made before
    /// its watch began. Runs on the watcher's loop only.
    /// </summary>
    public void Update(IReadOnlyDictionary<string, IReadOnlyList<string>> watchedFiles)
    {
        var wanted = Wanted(watchedFiles);
        DropUnwantedAndStale(wanted);
        _refused.IntersectWith(wanted.Keys);
        foreach (var (folder, names) in wanted)
        {
            var frozen = names.ToFrozenDictionary(pair => pair.Key, pair => pair.Value.ToArray(), StringComparer.Ordinal);
            if (_watches.TryGetValue(folder, out var watch))
            {
                watch.Names = frozen;
            }
            else if (!_refused.Contains(folder) && Directory.Exists(folder))
            {
                StartWatching(folder, frozen);
            }
        }
    }

    /// <summary>Folder → file name → the bots that read it.</summary>
    private Dictionary<string, Dictionary<string, HashSet<string>>> Wanted(IReadOnlyDictionary<string, IReadOnlyList<string>> watchedFiles)
    {
        var wanted = new Dictionary<string, Dictionary<string, HashSet<string>>>(StringComparer.Ordinal);
        foreach (var botId in BotFolders().Union(watchedFiles.Keys, StringComparer.Ordinal))
        {
            var folder = Path.GetFullPath(Path.Combine(root, botId));
            Want(wanted, RealFolder(folder), FlowSource.FlowFileName, botId);
            foreach (var file in watchedFiles.GetValueOrDefault(botId) ?? [])
            {
                WantPath(wanted, folder, file, botId);
            }
        }

        return wanted;
    }

    private void DropUnwantedAndStale(Dictionary<string, Dictionary<string, HashSet<string>>> wanted)
    {
        string[] stale;
        lock (_staleGate)
        {
            stale = [.. _stale];
            _stale.Clear();
        }

        foreach (var (folder, watch) in _watches.ToList())
        {
            if (!wanted.ContainsKey(folder) || stale.Any(gone => folder == gone || folder.StartsWith(gone + Path.DirectorySeparatorChar, StringComparison.Ordinal)))
            {
                watch.Watcher.Dispose();
                _watches.Remove(folder);
            }
        }
    }

    private void StartWatching(string folder, FrozenDictionary<string, string[]> names)
    {
        var watch = new Watch(folder) { Names = names };
        var watcher = TryWatch(folder, name => Changed(watch, name));
        if (watcher is null)
        {
            _refused.Add(folder);
            return;
        }

        watch.Watcher = watcher;
        _watches[folder] = watch;
        foreach (var botId in names.Values.SelectMany(bots => bots).Distinct(StringComparer.Ordinal))
        {
            dirty(botId);
        }
    }

    /// <summary>The folders watched now (tests).</summary>
    internal IReadOnlyCollection<string> Folders => _watches.Keys;

    private IEnumerable<string> BotFolders()
    {
        try
        {
            return Directory.Exists(root) ? [.. Directory.GetDirectories(root).Select(Path.GetFileName)!] : [];
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return [];
        }
    }

    /// <summary>The file and, when it lies under the bot folder, each folder on the way from the bot folder to it.</summary>
    private static void WantPath(Dictionary<string, Dictionary<string, HashSet<string>>> wanted, string botFolder, string file, string botId)
    {
        var directory = Path.GetDirectoryName(file);
        if (directory is null)
        {
            return;
        }

        Want(wanted, directory, Path.GetFileName(file), botId);
        if (!file.StartsWith(botFolder + Path.DirectorySeparatorChar, StringComparison.Ordinal))
        {
            return;
        }

        var parts = Path.GetRelativePath(botFolder, file).Split(Path.DirectorySeparatorChar);
        var folder = botFolder;
        for (var i = 0; i < parts.Length - 1; i++)
        {
            Want(wanted, folder, parts[i], botId);
            folder = Path.Combine(folder, parts[i]);
        }
    }

    private static void Want(Dictionary<string, Dictionary<string, HashSet<string>>> wanted, string folder, string name, string botId)
    {
        if (!wanted.TryGetValue(folder, out var names))
        {
            wanted[folder] = names = new(StringComparer.Ordinal);
        }

        if (!names.TryGetValue(name, out var bots))
        {
            names[name] = bots = new(StringComparer.Ordinal);
        }

        bots.Add(botId);
    }

    /// <summary>Where a bot folder that is a link leads (its events happen there); the folder itself otherwise.</summary>
    private static string RealFolder(string folder)
    {
        try
        {
            return new DirectoryInfo(folder).ResolveLinkTarget(returnFinalTarget: true)?.FullName ?? folder;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return folder;
        }
    }

    private void Changed(Watch watch, string? name)
    {
        if (name is null || !watch.Names.TryGetValue(name, out var bots))
        {
            return;
        }

        // If the name is a folder on the way to a watched file, its watches below must be made again.
        lock (_staleGate)
        {
            _stale.Add(Path.Combine(watch.Folder, name));
        }

        foreach (var botId in bots)
        {
            dirty(botId);
        }
    }

    private FileSystemWatcher? TryWatch(string folder, Action<string?> changed)
    {
        FileSystemWatcher? watcher = null;
        try
        {
            watcher = new FileSystemWatcher(folder)
            {
                IncludeSubdirectories = false,
                NotifyFilter = Filters,
                InternalBufferSize = 64 * 1024,
            };
            watcher.Changed += (_, e) => changed(e.Name);
            watcher.Created += (_, e) => changed(e.Name);
            watcher.Deleted += (_, e) => changed(e.Name);
            watcher.Renamed += (_, e) =>
            {
                changed(e.OldName);
                changed(e.Name);
            };
            watcher.Error += (_, e) => eventsLost(folder, e.GetException().Message);
            watcher.EnableRaisingEvents = true;
            return watcher;
        }
        catch (Exception e) when (e is IOException or ArgumentException or UnauthorizedAccessException or PlatformNotSupportedException)
        {
            watcher?.Dispose();
            cannotWatch(folder, e.Message);
            return null;
        }
    }

    public void Dispose()
    {
        _root?.Dispose();
        foreach (var watch in _watches.Values)
        {
            watch.Watcher.Dispose();
        }

        _watches.Clear();
    }

    /// <summary>One folder's watch and the names in it that matter, with the bots they matter to.</summary>
    private sealed class Watch(string folder)
    {
        public string Folder { get; } = folder;

        public FileSystemWatcher Watcher { get; set; } = null!;

        public volatile FrozenDictionary<string, string[]> Names = FrozenDictionary<string, string[]>.Empty;
    }
}
