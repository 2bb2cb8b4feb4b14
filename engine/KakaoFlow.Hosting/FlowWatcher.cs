using System.Diagnostics;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace KakaoFlow.Hosting;

/// <summary>
/// Hot reload: watches the flows folder and has the <see cref="BotCatalog"/> recompile the bot folders that changed.
/// </summary>
/// <remarks>
/// File events are only a hint of which bot folder to look at: editors save by writing a temporary file and
/// renaming it over the old one, events come twice or get lost (an inotify queue overflow). So an event marks
/// its bot folder dirty; once no event has come for <see cref="KakaoFlowOptions.WatchDebounce"/> (or
/// four times that passed since the first), the catalog re-reads each dirty folder and recompiles it only when
/// the content hash changed: several quick saves end in one compile of the last one. A full look at every folder
/// every <see cref="KakaoFlowOptions.WatchPollInterval"/> is the safety net for lost events, and the only
/// mechanism when the system refuses a watcher (e.g. the inotify instance limit). Everything runs on this one
/// background loop, never on a request.
/// </remarks>
internal sealed class FlowWatcher(BotCatalog catalog, IOptions<KakaoFlowOptions> settings, HostingSeams seams, ILogger<FlowWatcher> logger) : BackgroundService
{
    private readonly KakaoFlowOptions options = settings.Value;

    /// <summary>The poll interval when no file watcher could be started.</summary>
    internal static readonly TimeSpan FallbackPollInterval = TimeSpan.FromMilliseconds(250);

    private readonly Lock _gate = new();
    private readonly HashSet<string> _dirty = new(StringComparer.Ordinal);
    private readonly SemaphoreSlim _signal = new(0);
    private bool _lookAtAll;
    private long _lastEvent;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!options.Watch)
        {
            return;
        }

        await Task.Yield();
        var root = Path.GetFullPath(catalog.FlowsDirectory);
        using var watcher = seams.WatchFileEvents ? TryWatch(root) : null;
        var poll = options.WatchPollInterval;
        if (watcher is null && seams.WatchFileEvents)
        {
            poll = poll < FallbackPollInterval ? poll : FallbackPollInterval;
        }
        else
        {
            Log.Watching(logger, root, (long)options.WatchDebounce.TotalMilliseconds, (long)poll.TotalMilliseconds);
        }

        // Whatever changed between the start-up compile and the watcher starting.
        Round(all: true);
        var nextPoll = Stopwatch.GetTimestamp() + Ticks(poll);
        while (!stoppingToken.IsCancellationRequested)
        {
            var wait = Math.Max(0, nextPoll - Stopwatch.GetTimestamp());
            if (catalog.HasPendingRemoval)
            {
                wait = Math.Min(wait, Ticks(BotCatalog.MissingFlowGrace));
            }

            bool signalled;
            try
            {
                signalled = await _signal.WaitAsync(TimeSpan.FromSeconds(wait / (double)Stopwatch.Frequency), stoppingToken).ConfigureAwait(false);
                if (signalled)
                {
                    await DebounceAsync(stoppingToken).ConfigureAwait(false);
                }
            }
            catch (OperationCanceledException)
            {
                break;
            }

            var polling = Stopwatch.GetTimestamp() >= nextPoll;
            Round(all: polling);
            if (polling)
            {
                nextPoll = Stopwatch.GetTimestamp() + Ticks(poll);
            }
        }
    }

    /// <summary>Waits until the events stop coming for the debounce time (at most four debounce times in all).</summary>
    private async Task DebounceAsync(CancellationToken stoppingToken)
    {
        var debounce = Ticks(options.WatchDebounce);
        var first = Stopwatch.GetTimestamp();
        while (true)
        {
            var now = Stopwatch.GetTimestamp();
            var quiet = now - Volatile.Read(ref _lastEvent);
            if (quiet >= debounce || now - first >= 4 * debounce)
            {
                break;
            }

            await Task.Delay(TimeSpan.FromSeconds((debounce - quiet) / (double)Stopwatch.Frequency), stoppingToken).ConfigureAwait(false);
        }

        // Signals counted while waiting belong to this round.
        while (_signal.Wait(0, CancellationToken.None))
        {
        }
    }

    private void Round(bool all)
    {
        string[] dirty;
        lock (_gate)
        {
            all |= _lookAtAll;
            _lookAtAll = false;
            dirty = [.. _dirty.Order(StringComparer.Ordinal)];
            _dirty.Clear();
        }

        try
        {
            if (all)
            {
                catalog.RefreshAll();
            }
            else
            {
                foreach (var botId in dirty)
                {
                    catalog.Refresh(botId);
                }

                if (catalog.HasPendingRemoval)
                {
                    catalog.RefreshAll();
                }
            }
        }
#pragma warning disable CA1031 // The loop must survive anything; the next event or poll tries again.
        catch (Exception e)
#pragma warning restore CA1031
        {
            Log.ReloadCrashed(logger, e);
        }
    }

    private FileSystemWatcher? TryWatch(string root)
    {
        FileSystemWatcher? watcher = null;
        try
        {
            watcher = new FileSystemWatcher(root)
            {
                IncludeSubdirectories = true,
                NotifyFilter = NotifyFilters.FileName | NotifyFilters.DirectoryName | NotifyFilters.LastWrite | NotifyFilters.Size | NotifyFilters.CreationTime,
                InternalBufferSize = 64 * 1024,
            };
            watcher.Changed += (_, e) => Dirty(root, e.FullPath);
            watcher.Created += (_, e) => Dirty(root, e.FullPath);
            watcher.Deleted += (_, e) => Dirty(root, e.FullPath);
            watcher.Renamed += (_, e) =>
            {
                Dirty(root, e.OldFullPath);
                Dirty(root, e.FullPath);
            };
            watcher.Error += (_, e) =>
            {
                Log.WatchEventsLost(logger, root, e.GetException().Message);
                DirtyAll();
            };
            watcher.EnableRaisingEvents = true;
            return watcher;
        }
        catch (Exception e) when (e is IOException or ArgumentException or UnauthorizedAccessException or PlatformNotSupportedException)
        {
            watcher?.Dispose();
            Log.WatchUnavailable(logger, root, e.Message, (long)Math.Min(options.WatchPollInterval.TotalMilliseconds, FallbackPollInterval.TotalMilliseconds));
            return null;
        }
    }

    private void Dirty(string root, string path)
    {
        var relative = Path.GetRelativePath(root, path);
        if (relative == "." || Path.IsPathRooted(relative) || relative.StartsWith("..", StringComparison.Ordinal))
        {
            DirtyAll();
            return;
        }

        var separator = relative.IndexOf(Path.DirectorySeparatorChar, StringComparison.Ordinal);
        var botId = separator < 0 ? relative : relative[..separator];
        lock (_gate)
        {
            _dirty.Add(botId);
        }

        Signal();
    }

    private void DirtyAll()
    {
        lock (_gate)
        {
            _lookAtAll = true;
        }

        Signal();
    }

    private void Signal()
    {
        Volatile.Write(ref _lastEvent, Stopwatch.GetTimestamp());
        try
        {
            _signal.Release();
        }
        catch (ObjectDisposedException)
        {
            // An event racing the shutdown: nobody reloads any more.
        }
    }

    private static long Ticks(TimeSpan time) => (long)(time.TotalSeconds * Stopwatch.Frequency);

    public override void Dispose()
    {
        _signal.Dispose();
        base.Dispose();
    }
}
