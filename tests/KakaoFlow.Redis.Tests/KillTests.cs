using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using KakaoFlow.Host.Tests.Support;
using KakaoFlow.Redis.Tests.Support;

namespace KakaoFlow.Redis.Tests;

/// <summary>
/// Two real <c>kakaoflow serve --store redis://…</c> processes behind what would be one address, under load from
/// several users whose messages alternate between them; one is killed with SIGKILL mid-load. The other keeps answering
/// (within the reply bound, even for a user whose turn the dead host held), and no acknowledged turn is lost.
/// </summary>
public sealed class KillTests : IDisposable
{
    private const string AdminToken = "owner-token-for-kill-tests";
    private readonly string _root = Path.Combine(Path.GetTempPath(), "kakaoflow-redis-tests", Guid.NewGuid().ToString("N"));

    public KillTests()
    {
        Directory.CreateDirectory(Path.Combine(_root, "flows", "counter"));
        File.WriteAllText(Path.Combine(_root, "flows", "counter", "flow.yaml"), Flows.Counter, Encoding.UTF8);
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(_root, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    [Fact]
    public async Task A_host_killed_under_load_loses_no_acknowledged_turn_and_the_other_keeps_answering()
    {
        using var redis = RedisServerProcess.Start();
        using var a = await Serve.StartAsync(_root, redis.EndPoint);
        using var b = await Serve.StartAsync(_root, redis.EndPoint);
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        var killed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

        // Each user sends one message at a time, to A and B in turn (B only, once A is gone), for 3 s.
        var acknowledged = await Task.WhenAll(Enumerable.Range(0, 8).Select(user => Task.Run(async () =>
        {
            var counts = new List<int>();
            var until = Stopwatch.StartNew();
            for (var i = user; until.Elapsed < TimeSpan.FromSeconds(3); i++)
            {
                var host = i % 2 == 0 && !killed.Task.IsCompleted ? a : b;
                var watch = Stopwatch.StartNew();
                var reply = await host.TrySayAsync(http, $"user-{user}", "하나 더");
                if (reply is null)
                {
                    Assert.Same(a, host); // only the killed host may fail to answer
                    continue;
                }

                Assert.True(watch.Elapsed < TimeSpan.FromSeconds(3), $"answered after {watch.ElapsedMilliseconds} ms");
                counts.Add(int.Parse(reply, CultureInfo.InvariantCulture)); // a count, never messages.error
            }

            return counts;
        })).Append(Task.Run(async () =>
        {
            await Task.Delay(TimeSpan.FromSeconds(1));
            a.Kill();
            killed.SetResult();
            return new List<int>();
        })));

        for (var user = 0; user < 8; user++)
        {
            var counts = acknowledged[user];
            Assert.True(counts.Count > 5, $"user-{user} was answered {counts.Count} times");

            // Every acknowledged turn is in the count the next turn sees: no acknowledged turn lost, none applied twice.
            Assert.Equal(counts.Order(), counts);
            Assert.Equal(counts.Count, counts.Distinct().Count());
            var next = int.Parse((await b.TrySayAsync(http, $"user-{user}", "하나 더"))!, CultureInfo.InvariantCulture);
            Assert.True(next > counts[^1], $"user-{user}: last acknowledged {counts[^1]}, next {next}");
        }
    }

    /// <summary>A <c>serve</c> process on a port chosen here, ready once it answers <c>GET /counter/keyboard</c>.</summary>
    private sealed class Serve : IDisposable
    {
        private readonly Process _process;
        private readonly StringBuilder _log = new();
        private bool _killed;

        private Serve(Process process, Uri address)
        {
            _process = process;
            Address = address;
        }

        public Uri Address { get; }

        public static async Task<Serve> StartAsync(string root, string redisEndPoint)
        {
            var address = new Uri($"http://127.0.0.1:{FreePort().ToString(CultureInfo.InvariantCulture)}/");
            var start = new ProcessStartInfo("dotnet") { WorkingDirectory = root, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            start.Environment["KAKAOFLOW_ADMIN_TOKEN"] = AdminToken;
            foreach (var argument in new[] { Path.Combine(AppContext.BaseDirectory, "kakaoflow.dll"), "serve", "flows", "--urls", address.ToString().TrimEnd('/'), "--store", $"redis://{redisEndPoint}/0", "--no-watch" })
            {
                start.ArgumentList.Add(argument);
            }

            var serve = new Serve(Process.Start(start)!, address);
            serve._process.OutputDataReceived += (_, e) => serve.Append(e.Data);
            serve._process.ErrorDataReceived += (_, e) => serve.Append(e.Data);
            serve._process.BeginOutputReadLine();
            serve._process.BeginErrorReadLine();
            using var probe = new HttpClient();
            var waited = Stopwatch.StartNew();
            while (true)
            {
                try
                {
                    using var response = await probe.GetAsync(new Uri(address, "counter/keyboard"));
                    if (response.IsSuccessStatusCode)
                    {
                        return serve;
                    }
                }
                catch (HttpRequestException)
                {
                }

                if (serve._process.HasExited || waited.Elapsed > TimeSpan.FromSeconds(60))
                {
                    serve.Dispose();
                    throw new InvalidOperationException("kakaoflow serve did not start:\n" + serve);
                }

                await Task.Delay(100);
            }
        }

        /// <summary>The reply's text, or null when the host did not answer (it is gone).</summary>
        public async Task<string?> TrySayAsync(HttpClient http, string userKey, string content)
        {
            using var body = new StringContent(Json.Message(userKey, "text", content), Encoding.UTF8, "application/json");
            try
            {
                using var response = await http.PostAsync(new Uri(Address, "counter/message"), body);
                var text = await response.Content.ReadAsStringAsync();
                Assert.True(response.StatusCode == HttpStatusCode.OK, text);
                return Hosts.TextOf(text);
            }
            catch (HttpRequestException) when (Volatile.Read(ref _killed))
            {
                return null;
            }
        }

        /// <summary>SIGKILL: nothing of the process runs any more, its leases are left to run out.</summary>
        public void Kill()
        {
            Volatile.Write(ref _killed, true);
            _process.Kill(entireProcessTree: true);
            _process.WaitForExit();
        }

        public void Dispose()
        {
            if (!_process.HasExited)
            {
                Kill();
            }

            _process.Dispose();
        }

        public override string ToString()
        {
            lock (_log)
            {
                return _log.ToString();
            }
        }

        private void Append(string? line)
        {
            lock (_log)
            {
                _log.AppendLine(line);
            }
        }

        private static int FreePort()
        {
            using var listener = new TcpListener(IPAddress.Loopback, 0);
            listener.Start();
            return ((IPEndPoint)listener.LocalEndpoint).Port;
        }
    }
}
