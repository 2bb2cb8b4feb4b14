using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using KakaoFlow.Compiling;

namespace KakaoFlow.Benchmarks;

/// <summary>
/// <c>sessions URL [USERS] [PID] [DATA_DIR] [ACTIVE]</c>: through a running host's <c>/message</c>, gives USERS (default
/// 100,000) distinct users a session (one message each, 64 in flight, as fast as the host answers: far faster than its
/// flusher writes LiteDB), and at 1k, 10k, 100k, 1M sessions times 2,000 probe turns of users who already have one (32
/// in flight) and prints p50/p99 and, when PID is given, that process's RSS, and the size of DATA_DIR. Then ACTIVE
/// (default 100,000) of the users, spread over all of them, each take one more turn (the users active in the last
/// minute), and the same figures are printed again. Each row also counts the turns since the row before that the host
/// answered with the bot's error reply (a turn it could not save: its flusher 2 s behind, docs/operations.md).
/// </summary>
internal static class SessionsLoad
{
    private const int Concurrency = 64;
    private const int ProbeTurns = 2_000;

    private static int s_failedTurns;

    /// <summary>The slowest turn since the last <see cref="TakeSlowest"/>, in Stopwatch ticks (a turn held back for the flusher shows here).</summary>
    private static long s_slowestTicks;

    public static async Task<int> RunAsync(string[] args)
    {
        if (args.Length < 1)
        {
            await Console.Error.WriteLineAsync("usage: sessions URL [USERS] [PID]   e.g. sessions http://127.0.0.1:5093/bench/message 100000 1234").ConfigureAwait(false);
            return 2;
        }

        var url = new Uri(args[0]);
        var users = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 100_000;
        var pid = args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : (int?)null;
        var dataDirectory = args.Length > 3 ? args[3] : null;
        var active = Math.Min(users, args.Length > 4 ? int.Parse(args[4], CultureInfo.InvariantCulture) : 100_000);
        using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = Concurrency }) { Timeout = TimeSpan.FromSeconds(30) };

        Console.WriteLine($"{"sessions",9} {"probe p50 ms",13} {"probe p99 ms",13} {"host RSS MB",12} {"data MB",8} {"fill s",7} {"max ms",8} {"failed",7}");
        var created = 0;
        foreach (var milestone in new[] { 1_000, 10_000, 100_000, 1_000_000 }.Where(m => m <= users).Append(users).Distinct())
        {
            var fill = Stopwatch.StartNew();
            await ParallelAsync(created, milestone, Concurrency, i => SendAsync(http, url, UserKey(i), "주문")).ConfigureAwait(false);
            fill.Stop();
            created = milestone;
            await ProbeAsync(http, url, created, created.ToString(CultureInfo.InvariantCulture), pid, dataDirectory, fill.Elapsed, TakeSlowest()).ConfigureAwait(false);
        }

        await ActiveAsync(http, url, users, active, pid, dataDirectory, $"+{active / 1000}k act").ConfigureAwait(false);
        return 0;
    }

    /// <summary>
    /// <c>sessions-active URL USERS PID DATA_DIR ACTIVE</c>: only the last step of <see cref="RunAsync"/>, against a host
    /// that already stores USERS sessions (bench/sessions.sh starts it again on the data of the first run).
    /// </summary>
    public static async Task<int> RunActiveAsync(string[] args)
    {
        if (args.Length < 5)
        {
            await Console.Error.WriteLineAsync("usage: sessions-active URL USERS PID DATA_DIR ACTIVE").ConfigureAwait(false);
            return 2;
        }

        var users = int.Parse(args[1], CultureInfo.InvariantCulture);
        var active = Math.Min(users, int.Parse(args[4], CultureInfo.InvariantCulture));
        using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = Concurrency }) { Timeout = TimeSpan.FromSeconds(30) };
        Console.WriteLine($"{"sessions",9} {"probe p50 ms",13} {"probe p99 ms",13} {"host RSS MB",12} {"data MB",8} {"turns s",7} {"max ms",8} {"failed",7}");
        await ActiveAsync(http, new Uri(args[0]), users, active, int.Parse(args[2], CultureInfo.InvariantCulture), args[3], $"{active / 1000}k act").ConfigureAwait(false);
        return 0;
    }

    /// <summary>The users active in the last minute: ACTIVE of them, spread over all, one more turn each; then the probes.</summary>
    private static async Task ActiveAsync(HttpClient http, Uri url, int users, int active, int? pid, string? dataDirectory, string label)
    {
        var spread = Math.Max(1, users / Math.Max(active, 1));
        var turns = Stopwatch.StartNew();
        await ParallelAsync(0, active, Concurrency, i => SendAsync(http, url, UserKey(i * spread % users), "피자")).ConfigureAwait(false);
        turns.Stop();
        await ProbeAsync(http, url, users, label, pid, dataDirectory, turns.Elapsed, TakeSlowest()).ConfigureAwait(false);
    }

    /// <param name="slowest">The step's slowest turn (<paramref name="fill"/> its time), printed as "max ms".</param>
    private static async Task ProbeAsync(HttpClient http, Uri url, int created, string label, int? pid, string? dataDirectory, TimeSpan fill, TimeSpan slowest)
    {
        {

            // Probes: existing users, spread over all sessions; they press 피자 (a set and a template) and go Home again.
            var latencies = new double[ProbeTurns];
            var step = Math.Max(1, created / ProbeTurns);
            await ParallelAsync(0, ProbeTurns, Concurrency / 2, async i =>
            {
                var started = Stopwatch.GetTimestamp();
                await SendTurnAsync(http, url, UserKey(i * step % created), i % 2 == 0 ? "피자" : "처음으로").ConfigureAwait(false); // not the step's slowest
                latencies[i] = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
            }).ConfigureAwait(false);
            Array.Sort(latencies);
            var rss = pid is { } p ? RssMegabytes(p) : "-";
            var data = dataDirectory is null ? "-" : (DirectoryBytes(dataDirectory) / 1048576).ToString(CultureInfo.InvariantCulture);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{label,9} {latencies[ProbeTurns / 2],13:F2} {latencies[ProbeTurns * 99 / 100],13:F2} {rss,12} {data,8} {fill.TotalSeconds,7:F1} {slowest.TotalMilliseconds,8:F0} {Interlocked.Exchange(ref s_failedTurns, 0),7}"));
        }
    }

    /// <summary>The data file, LiteDB's log and the session journal's segments: everything in the folder.</summary>
    private static long DirectoryBytes(string directory) =>
        new DirectoryInfo(directory).EnumerateFiles().Sum(file => file.Exists ? file.Length : 0);

    private static string UserKey(int i) => "s" + i.ToString(CultureInfo.InvariantCulture);

    private static TimeSpan TakeSlowest() => Stopwatch.GetElapsedTime(0, Interlocked.Exchange(ref s_slowestTicks, 0));

    private static async Task SendAsync(HttpClient http, Uri url, string userKey, string content)
    {
        var started = Stopwatch.GetTimestamp();
        try
        {
            await SendTurnAsync(http, url, userKey, content).ConfigureAwait(false);
        }
        finally
        {
            var ticks = Stopwatch.GetTimestamp() - started;
            var slowest = Interlocked.Read(ref s_slowestTicks);
            while (ticks > slowest && Interlocked.CompareExchange(ref s_slowestTicks, ticks, slowest) != slowest)
            {
                slowest = Interlocked.Read(ref s_slowestTicks);
            }
        }
    }

    private static async Task SendTurnAsync(HttpClient http, Uri url, string userKey, string content)
    {
        using var body = new StringContent($$"""{"user_key":"{{userKey}}","type":"text","content":"{{content}}"}""", Encoding.UTF8);
        body.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        using var response = await http.PostAsync(url, body).ConfigureAwait(false);
        response.EnsureSuccessStatusCode();
        await using var reply = await response.Content.ReadAsStreamAsync().ConfigureAwait(false);
        using var json = await JsonDocument.ParseAsync(reply).ConfigureAwait(false);
        if (json.RootElement.GetProperty("message").TryGetProperty("text", out var text) && text.GetString() == FlowMessages.Default.Error)
        {
            Interlocked.Increment(ref s_failedTurns);
        }
    }

    private static Task ParallelAsync(int from, int to, int degree, Func<int, Task> body) =>
        Parallel.ForAsync(from, to, new ParallelOptions { MaxDegreeOfParallelism = degree }, async (i, _) => await body(i).ConfigureAwait(false));

    private static string RssMegabytes(int pid) => StatusMegabytes(pid.ToString(CultureInfo.InvariantCulture), "VmRSS");

    /// <summary>A memory field of <c>/proc/PROCESS/status</c> (<c>VmRSS</c>, <c>VmHWM</c>) in MB; PROCESS is a pid or <c>self</c>.</summary>
    internal static string StatusMegabytes(string process, string field)
    {
        foreach (var line in File.ReadLines($"/proc/{process}/status"))
        {
            if (line.StartsWith(field + ":", StringComparison.Ordinal))
            {
                var kb = long.Parse(line.AsSpan(field.Length + 1).Trim().TrimEnd("kB").Trim(), CultureInfo.InvariantCulture);
                return (kb / 1024).ToString(CultureInfo.InvariantCulture);
            }
        }

        return "?";
    }
}
