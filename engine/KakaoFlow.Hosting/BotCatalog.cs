using System.Collections.Frozen;
using System.Diagnostics;
using KakaoFlow.Compiling;
using KakaoFlow.Diagnostics;
using Microsoft.Extensions.Logging;

namespace KakaoFlow.Hosting;

/// <summary>
/// The bots being served: every subfolder of the flows folder that holds a <c>flow.yaml</c> and compiles
/// without errors. Compiled at start-up; <see cref="Refresh"/> and <see cref="RefreshAll"/> (called by the
/// <see cref="FlowWatcher"/>) recompile a folder whose files changed and swap the result in.
/// </summary>
/// <remarks>
/// Readers never lock: everything they see hangs off one immutable <see cref="Snapshot"/> behind a volatile field,
/// replaced whole by a single reference write. A request takes its <see cref="CompiledFlow"/> once (in
/// <see cref="KakaoEndpoints"/>) and finishes on it, so a swap never changes the version under a running turn.
/// Writers (the watcher loop; start-up) are serialised by a lock and compile before swapping, so a request never
/// waits for a compile. A version with errors never replaces a good one: the bot keeps serving the last good
/// version and <see cref="Status"/> says so.
/// </remarks>
internal sealed class BotCatalog
{
    /// <summary>How long a bot folder may lack its flow.yaml before the bot stops (an editor saving by rename).</summary>
    internal static readonly TimeSpan MissingFlowGrace = TimeSpan.FromSeconds(1);

    private readonly string _flowsDirectory;
    private readonly FlowCompiler _compiler;
    private readonly ILogger _logger;
    private readonly Lock _refreshing = new();
    private volatile Snapshot _snapshot = Snapshot.Empty;

    /// <summary>
    /// Reload times and the missing-file grace follow the file system, i.e. real time, not the flows' clock
    /// (which tests fake to expire sessions).
    /// </summary>
    private static readonly TimeProvider FileClock = TimeProvider.System;

    private BotCatalog(string flowsDirectory, FlowCompiler compiler, ILogger logger)
    {
        _flowsDirectory = flowsDirectory;
        _compiler = compiler;
        _logger = logger;
    }

    public string FlowsDirectory => _flowsDirectory;

    /// <summary>The versions serving now.</summary>
    public IEnumerable<CompiledFlow> Flows => _snapshot.Flows.Values;

    /// <summary>Bot ids found but not served (compile errors or an unreadable folder, and no earlier good version).</summary>
    public IReadOnlyList<string> Refused => _snapshot.Refused;

    /// <summary>Every bot folder known, served or not, by id.</summary>
    public IReadOnlyList<BotStatus> Bots => _snapshot.Statuses;

    /// <summary>Goes up by one on every swap.</summary>
    public long Generation => _snapshot.Generation;

    /// <summary>After each swap (on the thread that reloaded; a handler must not block or throw).</summary>
    public event EventHandler<BotChange>? Changed;

    public CompiledFlow? Find(string botId) => _snapshot.Flows.GetValueOrDefault(botId);

    /// <summary>The bot's version and diagnostics, or null for a folder the catalog does not know.</summary>
    public BotStatus? Status(string botId) => _snapshot.Entries.GetValueOrDefault(botId)?.Status;

    public static BotCatalog Load(string flowsDirectory, FlowCompiler compiler, ILogger logger)
    {
        var catalog = new BotCatalog(flowsDirectory, compiler, logger);
        if (!Directory.Exists(flowsDirectory))
        {
            Log.FlowsFolderMissing(logger, flowsDirectory);
            return catalog;
        }

        catalog.RefreshAll();
        return catalog;
    }

    /// <summary>Looks at every bot folder (and every bot served): compiles what changed, adds new folders, drops gone ones.</summary>
    public void RefreshAll()
    {
        lock (_refreshing)
        {
            var ids = new SortedSet<string>(_snapshot.Entries.Keys, StringComparer.Ordinal);
            try
            {
                if (Directory.Exists(_flowsDirectory))
                {
                    ids.UnionWith(Directory.GetDirectories(_flowsDirectory).Select(Path.GetFileName)!);
                }
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // Listing failed (the folder went away meanwhile): look again at the bots already known.
                Log.WatchReadFailed(_logger, _flowsDirectory, e.Message);
            }

            foreach (var id in ids)
            {
                RefreshLocked(id);
            }
        }
    }

    /// <summary>Recompiles one bot folder if its files changed (by content), or drops the bot if the folder is gone.</summary>
    public void Refresh(string botId)
    {
        ArgumentNullException.ThrowIfNull(botId);
        lock (_refreshing)
        {
            RefreshLocked(botId);
        }
    }

    private void RefreshLocked(string botId)
    {
        if (botId.Length == 0 || botId.Any(char.IsControl) || botId is "." or "..")
        {
            return;
        }

        var folder = Path.Combine(_flowsDirectory, botId);
        var entry = _snapshot.Entries.GetValueOrDefault(botId);
        if (!File.Exists(Path.Combine(folder, FlowSource.FlowFileName)))
        {
            FlowMissing(botId, folder, entry);
            return;
        }

        var started = Stopwatch.GetTimestamp();
        if (CompileIfChanged(botId, folder, entry) is { } changed)
        {
            Apply(botId, entry, changed.Sources, changed.Compilation, Stopwatch.GetElapsedTime(started));
        }
    }

    /// <summary>The folder compiled, or null when its files are unchanged or vanished while being read.</summary>
    private (Sources Sources, FlowCompilation Compilation)? CompileIfChanged(string botId, string folder, Entry? entry)
    {
        var flowFile = Path.Combine(folder, FlowSource.FlowFileName);
        try
        {
            // Only flow.yaml and the scripts the last compile asked for are read: unchanged, they say so cheaply.
            var read = FlowFolder.Read(folder, entry?.Scripts);
            if (entry?.Fingerprint == read.Fingerprint)
            {
                if (entry.MissingSince is not null)
                {
                    Swap(botId, entry with { MissingSince = null });
                }

                return null;
            }

            if (entry is not null)
            {
                read = Settled(folder, read);
            }

            var compilation = Compile(botId, read);
            return (new Sources(read.Fingerprint, read.Scripts, read.WatchedFiles), compilation);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            // Gone between the look and the read: the next event or poll decides.
            return null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            var fingerprint = "unreadable: " + e.Message;
            if (entry?.Fingerprint == fingerprint)
            {
                return null;
            }

            return (new Sources(fingerprint, [], [Path.GetFullPath(flowFile)]), new FlowCompilation(null, [FlowSource.Unreadable(flowFile, e)]));
        }
    }

    /// <summary>
    /// A file caught in the middle of a save (truncated, half written) must not go live: read again until two
    /// reads a moment apart agree. Runs on the watcher's thread, never on a request.
    /// </summary>
    private static FlowFolder Settled(string folder, FlowFolder read)
    {
        for (var attempt = 0; attempt < SettleAttempts; attempt++)
        {
            Thread.Sleep(SettleDelay);
            var again = FlowFolder.Read(folder, read.Scripts);
            if (again.Fingerprint == read.Fingerprint)
            {
                return again;
            }

            read = again;
        }

        return read;
    }

    private static readonly TimeSpan SettleDelay = TimeSpan.FromMilliseconds(40);
    private const int SettleAttempts = 25;

    private FlowCompilation Compile(string botId, FlowFolder read)
    {
        try
        {
            return read.Compile(_compiler);
        }
#pragma warning disable CA1031 // One broken bot (compiler bug) must not stop the others from being served or reloaded.
        catch (Exception e)
#pragma warning restore CA1031
        {
            Log.BotCrashedCompiler(_logger, botId, e);
            return new FlowCompilation(null, []);
        }
    }

    private void Apply(string botId, Entry? entry, Sources sources, FlowCompilation compilation, TimeSpan elapsed)
    {
        LogDiagnostics(compilation);
        var errors = compilation.Diagnostics.Count(d => d.IsError);
        var old = entry?.Status.Flow;
        var now = FileClock.GetUtcNow();
        if (compilation.Flow is { } flow && errors == 0)
        {
            GoLive(botId, old, flow, new Entry(new BotStatus(botId, flow, compilation.Diagnostics, LastReloadFailed: false, now), sources, MissingSince: null), elapsed);
            return;
        }

        // Errors: the last good version (if any) keeps answering.
        if (old is null)
        {
            Log.BotNotServed(_logger, botId, errors);
        }
        else
        {
            Log.BotReloadFailed(_logger, botId, errors, old.Version);
        }

        Swap(botId, new Entry(new BotStatus(botId, old, compilation.Diagnostics, LastReloadFailed: old is not null, now), sources, MissingSince: null));

        Raise(new BotChange(botId, BotChangeKind.ReloadFailed, old?.Version, null));
    }

    private void LogDiagnostics(FlowCompilation compilation)
    {
        foreach (var diagnostic in compilation.Diagnostics)
        {
            if (diagnostic.IsError)
            {
                Log.CompileError(_logger, diagnostic.Format());
            }
            else
            {
                Log.CompileWarning(_logger, diagnostic.Format());
            }
        }
    }

    /// <summary>A flow compiled without errors replaces <paramref name="old"/> (null: the bot is new).</summary>
    private void GoLive(string botId, CompiledFlow? old, CompiledFlow flow, Entry entry, TimeSpan elapsed)
    {
        // Log before the swap: whoever sees the new version can also find its log line.
        if (old is null)
        {
            Log.BotLoaded(_logger, botId, flow.Name, flow.Version);
        }
        else if (old.Version != flow.Version)
        {
            Log.BotReloaded(_logger, botId, old.Version, flow.Version, (long)elapsed.TotalMilliseconds);
        }

        Swap(botId, entry);
        if (old is null)
        {
            Raise(new BotChange(botId, BotChangeKind.Added, null, flow.Version));
        }
        else if (old.Version != flow.Version)
        {
            Raise(new BotChange(botId, BotChangeKind.Reloaded, old.Version, flow.Version));
        }
    }

    private void FlowMissing(string botId, string folder, Entry? entry)
    {
        if (entry is null)
        {
            return;
        }

        // Editors that save by renaming the old file away leave a moment without flow.yaml: only a folder gone
        // altogether, or a flow.yaml missing for longer than the grace, stops the bot.
        var now = FileClock.GetUtcNow();
        if (Directory.Exists(folder))
        {
            if (entry.MissingSince is not { } since)
            {
                Swap(botId, entry with { MissingSince = now });
                return;
            }

            if (now - since < MissingFlowGrace)
            {
                return;
            }
        }

        Swap(botId, null);
        Log.BotRemoved(_logger, botId, entry.Status.Version ?? "(none)");
        Raise(new BotChange(botId, BotChangeKind.Removed, entry.Status.Version, null));
    }

    /// <summary>Whether a bot waits for its missing flow.yaml to come back (the watcher looks again after the grace).</summary>
    internal bool HasPendingRemoval => _snapshot.Entries.Values.Any(entry => entry.MissingSince is not null);

    private void Swap(string botId, Entry? entry)
    {
        var entries = new Dictionary<string, Entry>(_snapshot.Entries, StringComparer.Ordinal);
        if (entry is null)
        {
            entries.Remove(botId);
        }
        else
        {
            entries[botId] = entry;
        }

        _snapshot = new Snapshot(entries.ToFrozenDictionary(StringComparer.Ordinal), _snapshot.Generation + 1);
    }

    private void Raise(BotChange change)
    {
        try
        {
            Changed?.Invoke(this, change);
        }
#pragma warning disable CA1031 // A failing listener must not stop reloads.
        catch (Exception e)
#pragma warning restore CA1031
        {
            Log.ChangeListenerFailed(_logger, change.BotId, e);
        }
    }

    /// <summary>The files (full paths) each known bot's latest compile read: what the watcher watches.</summary>
    internal IReadOnlyDictionary<string, IReadOnlyList<string>> WatchedFiles => _snapshot.WatchedFiles;

    /// <summary>What one look read: its fingerprint, the scripts the flow named, the files to watch.</summary>
    private sealed record Sources(string Fingerprint, IReadOnlyList<string> Scripts, IReadOnlyList<string> Watched);

    /// <summary>A bot's status plus what the catalog needs to decide about the next change.</summary>
    private sealed record Entry(BotStatus Status, Sources Sources, DateTimeOffset? MissingSince)
    {
        public string Fingerprint => Sources.Fingerprint;

        public IReadOnlyList<string> Scripts => Sources.Scripts;
    }

    /// <summary>Everything readers see, built once per swap.</summary>
    private sealed class Snapshot
    {
        public static readonly Snapshot Empty = new(FrozenDictionary<string, Entry>.Empty, 0);

        public Snapshot(FrozenDictionary<string, Entry> entries, long generation)
        {
            Entries = entries;
            Generation = generation;
            Flows = entries
                .Where(pair => pair.Value.Status.Flow is not null)
                .ToFrozenDictionary(pair => pair.Key, pair => pair.Value.Status.Flow!, StringComparer.Ordinal);
            Statuses = [.. entries.Values.Select(entry => entry.Status).OrderBy(status => status.BotId, StringComparer.Ordinal)];
            Refused = [.. Statuses.Where(status => !status.Served).Select(status => status.BotId)];
            WatchedFiles = entries.ToFrozenDictionary(pair => pair.Key, pair => pair.Value.Sources.Watched, StringComparer.Ordinal);
        }

        public FrozenDictionary<string, Entry> Entries { get; }
        public FrozenDictionary<string, CompiledFlow> Flows { get; }
        public IReadOnlyList<BotStatus> Statuses { get; }
        public IReadOnlyList<string> Refused { get; }
        public FrozenDictionary<string, IReadOnlyList<string>> WatchedFiles { get; }
        public long Generation { get; }
    }
}
