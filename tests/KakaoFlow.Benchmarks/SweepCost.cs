using System.Diagnostics;
using System.Globalization;
using KakaoFlow.Store;

namespace KakaoFlow.Benchmarks;

/// <summary>
/// What the retention sweep and the session count cost on a stopped host's data file (bench/sessions.sh's, 1,000,000
/// sessions): the count, the sweep with nothing to delete (what every sweep of a bot whose users came in the last
/// `retention` does), then a sweep deleting every session (a mass expiry), each timed, and the process's peak RSS.
/// Deletes the file's sessions.
/// <c>dotnet run -c Release --project tests/KakaoFlow.Benchmarks -- sweep DATA_FILE BOT</c>
/// </summary>
internal static class SweepCost
{
    public static int Run(string[] args)
    {
        var (file, bot) = (args[0], args[1]);
        var clock = Stopwatch.StartNew();
        using var store = new LiteDbStore(file);
        Report("open", clock);

        var count = store.Sessions.Count(bot);
        Report($"count ({count:N0} sessions)", clock);

        var none = store.Sessions.DeleteInactiveSince(bot, DateTimeOffset.UtcNow.AddDays(-30));
        Report($"sweep, nothing to delete ({none:N0} deleted; the first sweep waits for the start-up scan of stored ids)", clock);

        var all = store.Sessions.DeleteInactiveSince(bot, DateTimeOffset.UtcNow.AddDays(1));
        Report($"sweep deleting every session ({all:N0} deleted, {store.Sessions.Count(bot):N0} left)", clock);
        return all == count ? 0 : 1;
    }

    private static void Report(string what, Stopwatch clock)
    {
        var peak = SessionsLoad.StatusMegabytes("self", "VmHWM");
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"   {what}: {clock.Elapsed.TotalMilliseconds:N0} ms, peak RSS {peak} MB"));
        clock.Restart();
    }
}
