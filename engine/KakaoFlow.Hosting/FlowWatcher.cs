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
/// renaming it over the old one, events come twice or get lost (an inotify queue overflow). Only the files a bot
/// reads are watched — its flow.yaml and the scripts it names (<see cref="FolderWatches"/>) — and an event marks
/// its bot dirty; once no event has come for <see cref="KakaoFlowOptions.WatchDebounce"/> (or four times that passed
/// since the first), the catalog re-reads each dirty bot's files and recompiles it only when their content hash
/// changed: several quick saves end in one compile of the last one. A full look at every bot every
/// <see cref="KakaoFlowOptions.WatchPollInterval"/> — again only flow.yaml and the named scripts, at most 1 MiB each —
/// is the safety net for lost events, and the only mechanism when the system refuses a watcher (e.g. the inotify
/// instance limit). Everything runs on this one background loop, never on a request.
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
    private FolderWatches? _watches;
    private long _lastEvent;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!options.Watch)
        {
            return;
        }

        await Task.Yield();
        var root = Path.GetFullPath(catalog.FlowsDirectory);
        using var watches = seams.WatchFileEvents ? new FolderWatches(root, Dirty, EventsLost, CannotWatch) : null;
        var poll = Start(root, watches);

        // Whatever changed between the start-up compile and the watcher starting.
        Round(all: true);
        var nextPoll = Stopwatch.GetTimestamp() + Ticks(poll);
        while (!stoppingToken.IsCancellationRequested && await WaitForChangesAsync(nextPoll, stoppingToken).ConfigureAwait(false))
        {
            var polling = Stopwatch.GetTimestamp() >= nextPoll;
            Round(all: polling);
            if (polling)
            {
                nextPoll = Stopwatch.GetTimestamp() + Ticks(poll);
            }
        }
    }

    /// <summary>Starts the file events, if any; returns the poll interval (shorter where the events could not start).</summary>
    private TimeSpan Start(string root, FolderWatches? watches)
    {
        var poll = options.WatchPollInterval;
        if (watches is not null && !watches.TryStart())
        {
            poll = poll < FallbackPollInterval ? poll : FallbackPollInterval;
        }
        else
        {
            Log.Watching(logger, root, (long)options.WatchDebounce.TotalMilliseconds, (long)poll.TotalMilliseconds);
        }

        _watches = watches;
        return poll;
    }

    /// <summary>
    /// Waits for file events (and then for them to settle), the next poll, or a pending removal's grace; false when
    /// the host is stopping.
    /// </summary>
    private async Task<bool> WaitForChangesAsync(long nextPoll, CancellationToken stoppingToken)
    {
        var wait = Math.Max(0, nextPoll - Stopwatch.GetTimestamp());
        if (catalog.HasPendingRemoval)
        {
            wait = Math.Min(wait, Ticks(BotCatalog.MissingFlowGrace));
        }

        try
        {
            if (await _signal.WaitAsync(TimeSpan.FromSeconds(wait / (double)Stopwatch.Frequency), stoppingToken).ConfigureAwait(false))
            {
                await DebounceAsync(stoppingToken).ConfigureAwait(false);
            }

            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
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

        // The files the bots read may have changed with this round: watch those.
        _watches?.Update(catalog.WatchedFiles);
    }

    private void EventsLost(string folder, string reason)
    {
        Log.WatchEventsLost(logger, folder, reason);
        DirtyAll();
    }

    private void CannotWatch(string folder, string reason)
    {
        // Without the flows folder's own watch everything is polled faster; a bot's folder is left to the usual poll.
        var poll = folder == Path.GetFullPath(catalog.FlowsDirectory) && FallbackPollInterval < options.WatchPollInterval
            ? FallbackPollInterval
            : options.WatchPollInterval;
        Log.WatchUnavailable(logger, folder, reason, (long)poll.TotalMilliseconds);
    }

    private void Dirty(string botId)
    {
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
