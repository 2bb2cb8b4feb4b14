using KakaoFlow.Storage;
using Microsoft.Extensions.Hosting;

namespace KakaoFlow.Hosting.Lifecycle;

/// <summary>
/// When other hosts share the store (<see cref="IHostCoordination.IsShared"/>), polls the service states version every
/// <see cref="Interval"/> and reloads <see cref="ServiceController"/>'s cache when it changed: a stop, start, block or
/// unblock on one host (or an error-budget stop) is obeyed by every host within that time. A store that came back empty
/// changes the version too: its bots are decided again by the first-seen rule. Does nothing for a store of one host.
/// </summary>
internal sealed class ServiceStateRefresher(IHostCoordination hosts, ServiceController controller, StoreOutageLog outage) : BackgroundService
{
    /// <summary>How often the version is read: one small read per host, well inside the 1 s the hosts must agree in.</summary>
    public static TimeSpan Interval { get; } = TimeSpan.FromMilliseconds(250);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!hosts.IsShared)
        {
            return;
        }

        // Not read yet: the first poll reloads, so a change made between start-up and now is not missed.
        var seen = "(not read)";
        using var timer = new PeriodicTimer(Interval);
        while (await Tick(timer, stoppingToken).ConfigureAwait(false))
        {
            try
            {
                // Read before the reload: a change during it makes the next poll reload again.
                var version = hosts.ServiceStatesVersion();
                if (!string.Equals(version, seen, StringComparison.Ordinal))
                {
                    controller.Reload();
                    seen = version;
                }
            }
#pragma warning disable CA1031 // The poll must go on (Redis may come back; a bad state may be fixed): logged, at most every few seconds.
            catch (Exception e)
#pragma warning restore CA1031
            {
                outage.Report("reloading the service states", e);
            }
        }
    }

    private static async Task<bool> Tick(PeriodicTimer timer, CancellationToken stoppingToken)
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
