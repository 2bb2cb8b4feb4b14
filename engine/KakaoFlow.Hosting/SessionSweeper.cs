using KakaoFlow.Storage;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace KakaoFlow.Hosting;

/// <summary>
/// Deletes, every <see cref="KakaoFlowOptions.SweepInterval"/> on the flow clock, each bot's sessions with no
/// message for the bot's <c>settings.retention</c>, the records of users who blocked it that long ago, and its error days
/// and delivered monitoring messages from before then (<see cref="IServiceStore.Prune"/>).
/// Context expiry (back to Home after <c>context_ttl</c>) is not done here: the runtime derives it from
/// <see cref="Runtime.Session.LastMessageAt"/>. Sessions of bots not served right now are left alone.
/// </summary>
internal sealed class SessionSweeper(BotCatalog catalog, ISessionStore sessionStore, IFriendStore friendStore, IServiceStore serviceStore, IOptions<KakaoFlowOptions> settings, TimeProvider clock, ILogger<SessionSweeper> logger, IHostCoordination hosts)
    : BackgroundService
{
    private readonly KakaoFlowOptions options = settings.Value;

    private int _sweeps;

    /// <summary>How many sweeps have completed (tests wait on it).</summary>
    public int Sweeps => Volatile.Read(ref _sweeps);

    public void SweepNow()
    {
        var now = clock.GetUtcNow();
        foreach (var flow in catalog.Flows)
        {
            var cutoff = now - flow.Settings.Retention;
            var sessions = sessionStore.DeleteInactiveSince(flow.BotId, cutoff);
            var blocked = friendStore.DeleteBlockedSince(flow.BotId, cutoff);
            if (sessions + blocked > 0)
            {
                Log.Swept(logger, flow.BotId, sessions, blocked, flow.Settings.Retention);
            }

            var pruned = serviceStore.Prune(flow.BotId, cutoff);
            if (pruned.ErrorDays + pruned.Notifications > 0)
            {
                Log.Pruned(logger, flow.BotId, pruned.ErrorDays, pruned.Notifications, flow.Settings.Retention);
            }
        }

        Interlocked.Increment(ref _sweeps);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        TrySweep();
        if (options.SweepInterval == Timeout.InfiniteTimeSpan)
        {
            return;
        }

        using var timer = new PeriodicTimer(options.SweepInterval, clock);
        while (await WaitAsync(timer, stoppingToken).ConfigureAwait(false))
        {
            TrySweep();
        }
    }

    private void TrySweep()
    {
        try
        {
            // Hosts sharing the store sweep once per period between them, not once each (docs/scale-out.md).
            if (hosts.TryClaimPeriod("sweep", options.SweepInterval == Timeout.InfiniteTimeSpan ? TimeSpan.FromMinutes(1) : options.SweepInterval))
            {
                SweepNow();
            }
        }
#pragma warning disable CA1031 // A failed sweep is retried at the next tick; it must not stop the host.
        catch (Exception e)
#pragma warning restore CA1031
        {
            Log.SweepFailed(logger, e);
        }
    }

    private static async Task<bool> WaitAsync(PeriodicTimer timer, CancellationToken stoppingToken)
    {
        try
        {
            return await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }
}
