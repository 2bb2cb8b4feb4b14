using System.Diagnostics;
using KakaoFlow.Compiling;
using KakaoFlow.Hosting;

namespace KakaoFlow.Host.Tests.Support;

/// <summary>
/// The catalog's changes as they happen (<see cref="BotCatalog.Changed"/> is raised right after each swap). A wait
/// is armed before the edit, so a reload quicker than the test cannot be missed, and completes on the first
/// matching change; past <see cref="Bound"/> it fails.
/// </summary>
internal sealed class CatalogChanges : IDisposable
{
    /// <summary>How long a wait lasts before it fails: only so that a reload that never comes fails instead of hanging.</summary>
    public static readonly TimeSpan Bound = TimeSpan.FromSeconds(30);

    private readonly BotCatalog _catalog;
    private readonly Lock _gate = new();
    private readonly List<BotChange> _seen = [];
    private readonly List<(Func<BotChange, bool> Matches, TaskCompletionSource Done)> _waits = [];

    public CatalogChanges(BotCatalog catalog)
    {
        _catalog = catalog;
        _catalog.Changed += OnChanged;
    }

    /// <summary>Every change since this was created, in order.</summary>
    public IReadOnlyList<BotChange> Seen
    {
        get
        {
            lock (_gate)
            {
                return [.. _seen];
            }
        }
    }

    /// <summary>The bot serves the version of exactly these files (newly added or reloaded); the version is their content hash.</summary>
    public Task<TimeSpan> SwappedIn(string botId, string flowText, params string[] scriptTexts)
    {
        var version = FlowSource.VersionOf(flowText, scriptTexts);
        return Next(
            change => change.BotId == botId && change.Kind is BotChangeKind.Added or BotChangeKind.Reloaded && change.NewVersion == version,
            $"{botId} serves version {version}");
    }

    /// <summary>A compile of the bot's changed files failed (for a new folder too: it is then listed, not served).</summary>
    public Task<TimeSpan> ReloadFailed(string botId) =>
        Next(change => change.BotId == botId && change.Kind == BotChangeKind.ReloadFailed, $"a failed reload of {botId}");

    public Task<TimeSpan> Removed(string botId) =>
        Next(change => change.BotId == botId && change.Kind == BotChangeKind.Removed, $"{botId} is removed");

    /// <summary>Arms a wait for the next change that <paramref name="matches"/>; the task gives the time from arming to the change.</summary>
    private async Task<TimeSpan> Next(Func<BotChange, bool> matches, string what)
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_gate)
        {
            _waits.Add((matches, done));
        }

        var watch = Stopwatch.StartNew();
        try
        {
            await done.Task.WaitAsync(Bound);
        }
        catch (TimeoutException)
        {
            Assert.Fail($"not within {Bound.TotalSeconds} s: {what}; changes seen: {string.Join(", ", Seen)}");
        }

        return watch.Elapsed;
    }

    /// <summary>On the reloading thread, right after the swap: only records and completes, never blocks or throws.</summary>
    private void OnChanged(object? sender, BotChange change)
    {
        List<TaskCompletionSource> done = [];
        lock (_gate)
        {
            _seen.Add(change);
            foreach (var wait in _waits.Where(wait => wait.Matches(change)).ToList())
            {
                _waits.Remove(wait);
                done.Add(wait.Done);
            }
        }

        done.ForEach(wait => wait.TrySetResult());
    }

    public void Dispose() => _catalog.Changed -= OnChanged;
}
