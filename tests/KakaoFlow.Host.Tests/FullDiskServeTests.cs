using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using KakaoFlow.Host.Tests.Support;
using Xunit.Abstractions;

namespace KakaoFlow.Host.Tests;

/// <summary>
/// <c>kakaoflow serve</c> with its data on a full disk (a 3 MB tmpfs, filled): every turn is answered within the 3 s
/// bound, the outage shows in <c>/_admin/bots</c>, the host recovers by itself when space comes back, no acknowledged
/// turn is lost, and SIGTERM ends the process within seconds — also in the middle of the outage.
/// </summary>
/// <remarks>
/// Each user's replies count their turns (<c>세기 1</c>, <c>세기 2</c>, …) in a session variable: a reply is an
/// acknowledged turn, so the counts a user sees must go up by one each time, through the outage and across restarts; a
/// lost acknowledged turn would show as a repeated count. The <c>세기</c> users' hook also writes bot data on every
/// turn (a LiteDB write that fails while the disk is full); the <c>조용히</c> users' turns only touch the journal.
/// </remarks>
public sealed class FullDiskServeTests : IDisposable
{
    private const string Bot = "counter";
    private const string ErrorText = "잠시 후 다시 시도해 주세요.";
    private const string Token = "owner-token-for-the-full-disk-test";
    private const int Users = 12;

    // serve answers within its own 3 s bound; measured from this side of the socket on a loaded CI machine, a margin
    // on top (what the bound guards against is a hang of a minute and more).
    private static readonly TimeSpan ReplyBound = TimeSpan.FromSeconds(5);

    private const string CounterFlow = """
        name: 카운터
        monitor: { phone: "010-0000-0000" }
        privacy_consent: true
        messages:
          error: 잠시 후 다시 시도해 주세요.
        home:
          - 세기: { goto: count }
          - 조용히: { goto: quiet }
        steps:
          count:
            js: |
              vars.n = (vars.n || 0) + 1;
              data.set('memo' + (vars.n % 4), '메모'.repeat(4000));
              say('세기 ' + vars.n);
            buttons:
              - 세기: { goto: count }
          quiet:
            js: |
              vars.n = (vars.n || 0) + 1;
              say('조용히 ' + vars.n);
            buttons:
              - 조용히: { goto: quiet }
        """;

    private readonly string _root = Path.Combine(Path.GetTempPath(), "kakaoflow-host-tests", Guid.NewGuid().ToString("N"));
    private readonly SmallDisk _disk = SmallDisk.Mount();
    private readonly Dictionary<string, int> _acknowledged = [];
    private readonly ITestOutputHelper _output;
    private int _failedTurns;
    private long _slowestTicks;

    public FullDiskServeTests(ITestOutputHelper output)
    {
        _output = output;
        var bot = Path.Combine(_root, "flows", Bot);
        Directory.CreateDirectory(bot);
        File.WriteAllText(Path.Combine(bot, "flow.yaml"), CounterFlow, Encoding.UTF8);
    }

    private string DataFile => _disk.Path("kakaoflow.litedb");

    public void Dispose()
    {
        _disk.Dispose();
        try
        {
            Directory.Delete(_root, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    [Fact]
    public async Task A_full_disk_answers_every_turn_in_time_recovers_by_itself_and_loses_no_acknowledged_turn()
    {
        using (var server = await StartAsync())
        {
            await RoundsAsync(server, 2);
            Assert.Equal(0, _failedTurns);

            _disk.Fill();
            var watch = Stopwatch.StartNew();
            Interlocked.Exchange(ref _slowestTicks, 0);
            await RoundsAsync(server, 4);
            Assert.True(_failedTurns > 0, "no turn failed on the full disk: the test did not test anything");
            _output.WriteLine($"disk full: {_failedTurns} of {4 * Users} turns answered messages.error; slowest answer {TimeSpan.FromTicks(_slowestTicks).TotalMilliseconds:F0} ms");

            var outage = await StoreStatusAsync(server);
            Assert.Equal("unavailable", outage.GetProperty("status").GetString());
            Assert.Contains("No space left on device", outage.GetProperty("reason").GetString(), StringComparison.Ordinal);
            Assert.True(outage.TryGetProperty("since", out _));

            // The admin API answers at once while the store cannot write.
            foreach (var action in new[] { "stop", "start" })
            {
                var (status, took) = await TimedAsync(() => server.AdminAsync(HttpMethod.Post, $"/_admin/bots/{Bot}/{action}", Token));
                Assert.True(took < ReplyBound, $"admin {action} took {took.TotalMilliseconds:F0} ms");
                Assert.True(status.Status is HttpStatusCode.ServiceUnavailable or HttpStatusCode.OK, $"admin {action}: {status.Status} {status.Body}");
            }

            var outageTook = watch.Elapsed;
            _disk.Free();

            // Back by itself, without a restart.
            watch.Restart();
            while ((await StoreStatusAsync(server)).GetProperty("status").GetString() != "ok")
            {
                Assert.True(watch.Elapsed < TimeSpan.FromSeconds(20), "the store was not available again 20 s after space came back:\n" + server);
                await Task.Delay(200);
            }

            var failedDuringOutage = _failedTurns;
            await RoundsAsync(server, 2);
            Assert.Equal(failedDuringOutage, _failedTurns);

            // The bot kept running, and the outage counted once a minute, not once per failed turn.
            var (_, detail) = await server.AdminAsync(HttpMethod.Get, $"/_admin/bots/{Bot}", Token);
            using var view = JsonDocument.Parse(detail);
            Assert.Equal("running", view.RootElement.GetProperty("state").GetString());
            var errors = view.RootElement.GetProperty("errors_today").GetInt32();
            Assert.InRange(errors, 1, (int)Math.Ceiling(outageTook.TotalMinutes) + 1);

            // The journal is flushed and deleted once the writes stop: users are written to LiteDB when they have been
            // quiet for 15 s, at the next flush (every 15 s), so within about 30 s of their last turn.
            watch.Restart();
            while (Directory.GetFiles(_disk.Folder, "*.journal").Length > 0)
            {
                Assert.True(watch.Elapsed < TimeSpan.FromSeconds(40), "journal segments left 40 s after the last turn: " + string.Join(", ", Directory.GetFiles(_disk.Folder, "*.journal")));
                await Task.Delay(200);
            }

            var (exit, stopping) = await server.TerminateTimedAsync();
            _output.WriteLine($"space back: store ok again; SIGTERM took {stopping.TotalMilliseconds:F0} ms");
            Assert.Equal(0, exit);
            Assert.True(stopping < TimeSpan.FromSeconds(5), $"SIGTERM took {stopping.TotalSeconds:F1} s:\n{server}");
            Assert.DoesNotContain("Unhandled exception", server.ToString(), StringComparison.Ordinal);
        }

        await AfterRestartNothingAcknowledgedIsLostAsync();
    }

    [Fact]
    public async Task Sigterm_on_a_full_disk_ends_within_seconds_and_the_next_start_has_every_acknowledged_turn()
    {
        using (var server = await StartAsync())
        {
            await RoundsAsync(server, 2);
            _disk.Fill();
            await RoundsAsync(server, 2);

            var (exit, stopping) = await server.TerminateTimedAsync();
            _output.WriteLine($"SIGTERM on the full disk took {stopping.TotalMilliseconds:F0} ms");
            Assert.Equal(0, exit);
            Assert.True(stopping < TimeSpan.FromSeconds(8), $"SIGTERM took {stopping.TotalSeconds:F1} s:\n{server}");
            Assert.DoesNotContain("Unhandled exception", server.ToString(), StringComparison.Ordinal);
        }

        _disk.Free();
        await AfterRestartNothingAcknowledgedIsLostAsync();
    }

    private async Task AfterRestartNothingAcknowledgedIsLostAsync()
    {
        _failedTurns = 0;
        using var again = await StartAsync();
        await RoundsAsync(again, 1);
        Assert.Equal(0, _failedTurns);
        Assert.Equal(0, await again.TerminateAsync());
    }

    private Task<ServeProcess> StartAsync() =>
        ServeProcess.StartAsync(_root, DataFile, new Dictionary<string, string> { ["KAKAOFLOW_ADMIN_TOKEN"] = Token });

    /// <summary>Every user takes one turn per round; each reply comes within the bound and is a count one up, or the error text.</summary>
    private async Task RoundsAsync(ServeProcess server, int rounds)
    {
        for (var round = 0; round < rounds; round++)
        {
            await Task.WhenAll(Enumerable.Range(0, Users).Select(i => TurnAsync(server, i)));
            await Task.Delay(150);
        }
    }

    private async Task TurnAsync(ServeProcess server, int user)
    {
        var userKey = "user-" + user.ToString(CultureInfo.InvariantCulture);
        var button = user % 2 == 0 ? "세기" : "조용히";
        var (reply, took) = await TimedAsync(() => server.SayAsync(Bot, userKey, button));
        InterlockedMax(ref _slowestTicks, took.Ticks);
        Assert.True(took < ReplyBound, $"{userKey} was answered after {took.TotalMilliseconds:F0} ms");
        using var json = JsonDocument.Parse(reply);
        var text = json.RootElement.GetProperty("message").GetProperty("text").GetString()!;
        if (text == ErrorText)
        {
            Interlocked.Increment(ref _failedTurns);
            return;
        }

        Assert.StartsWith(button + " ", text, StringComparison.Ordinal);
        var count = int.Parse(text[(button.Length + 1)..], CultureInfo.InvariantCulture);
        lock (_acknowledged)
        {
            var before = _acknowledged.GetValueOrDefault(userKey);
            Assert.True(count == before + 1, $"{userKey} saw count {count} after {before}: an acknowledged turn was lost");
            _acknowledged[userKey] = count;
        }
    }

    private static void InterlockedMax(ref long target, long value)
    {
        var seen = Volatile.Read(ref target);
        while (value > seen && Interlocked.CompareExchange(ref target, value, seen) is var actual && actual != seen)
        {
            seen = actual;
        }
    }

    private static async Task<JsonElement> StoreStatusAsync(ServeProcess server)
    {
        var (status, body) = await server.AdminAsync(HttpMethod.Get, "/_admin/bots", Token);
        Assert.True(status == HttpStatusCode.OK, body);
        return JsonDocument.Parse(body).RootElement.GetProperty("store").Clone();
    }

    private static async Task<(T Result, TimeSpan Took)> TimedAsync<T>(Func<Task<T>> call)
    {
        var watch = Stopwatch.StartNew();
        var result = await call();
        return (result, watch.Elapsed);
    }
}
