using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Text;

namespace KakaoFlow.Benchmarks;

/// <summary>
/// <c>sessions URL [USERS] [PID]</c>: through a running host's <c>/message</c>, gives USERS (default 100,000) distinct
/// users a session (one message each, 64 in flight), and at 1k, 10k, 100k sessions times 2,000 probe turns of
/// users who already have one (32 in flight) and prints p50/p99 and, when PID is given, that process's RSS.
/// </summary>
internal static class SessionsLoad
{
    private const int Concurrency = 64;
    private const int ProbeTurns = 2_000;

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
        using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = Concurrency }) { Timeout = TimeSpan.FromSeconds(30) };

        Console.WriteLine($"{"sessions",9} {"probe p50 ms",13} {"probe p99 ms",13} {"host RSS MB",12} {"fill s",7}");
        var created = 0;
        foreach (var milestone in new[] { 1_000, 10_000, 100_000 }.Where(m => m <= users).Append(users).Distinct())
        {
            var fill = Stopwatch.StartNew();
            await ParallelAsync(created, milestone, Concurrency, i => SendAsync(http, url, UserKey(i), "주문")).ConfigureAwait(false);
            fill.Stop();
            created = milestone;

            // Probes: existing users, spread over all sessions; they press 피자 (a set and a template) and go Home again.
            var latencies = new double[ProbeTurns];
            var step = Math.Max(1, created / ProbeTurns);
            await ParallelAsync(0, ProbeTurns, Concurrency / 2, async i =>
            {
                var started = Stopwatch.GetTimestamp();
                await SendAsync(http, url, UserKey(i * step % created), i % 2 == 0 ? "피자" : "처음으로").ConfigureAwait(false);
                latencies[i] = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
            }).ConfigureAwait(false);
            Array.Sort(latencies);
            var rss = pid is { } p ? RssMegabytes(p) : "-";
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{created,9} {latencies[ProbeTurns / 2],13:F2} {latencies[ProbeTurns * 99 / 100],13:F2} {rss,12} {fill.Elapsed.TotalSeconds,7:F1}"));
        }

        return 0;
    }

    private static string UserKey(int i) => "s" + i.ToString(CultureInfo.InvariantCulture);

    private static async Task SendAsync(HttpClient http, Uri url, string userKey, string content)
    {
        using var body = new StringContent($$"""{"user_key":"{{userKey}}","type":"text","content":"{{content}}"}""", Encoding.UTF8);
        body.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        using var response = await http.PostAsync(url, body).ConfigureAwait(false);
        response.EnsureSuccessStatusCode();
    }

    private static Task ParallelAsync(int from, int to, int degree, Func<int, Task> body) =>
        Parallel.ForAsync(from, to, new ParallelOptions { MaxDegreeOfParallelism = degree }, async (i, _) => await body(i).ConfigureAwait(false));

    private static string RssMegabytes(int pid)
    {
        foreach (var line in File.ReadLines($"/proc/{pid}/status"))
        {
            if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
            {
                var kb = long.Parse(line.AsSpan(6).Trim().TrimEnd("kB").Trim(), CultureInfo.InvariantCulture);
                return (kb / 1024).ToString(CultureInfo.InvariantCulture);
            }
        }

        return "?";
    }
}
