using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using KakaoFlow.Compiling;
using KakaoFlow.Host.Tests.Support;
using KakaoFlow.Hosting;
using KakaoFlow.Hosting.Lifecycle;
using KakaoFlow.Redis.Tests.Support;
using KakaoFlow.Storage;
using KakaoFlow.Store.Redis;
using Microsoft.Extensions.DependencyInjection;

namespace KakaoFlow.Redis.Tests;

/// <summary>
/// Two hosts (in this process, each with its own port, flows folder and clock) serving the same bots from one Redis,
/// behind what would be one address: one conversation per user, one service state, one error budget, one notification
/// per event, one sweep per period (docs/scale-out.md).
/// </summary>
public sealed class MultiHostTests
{
    private static readonly FlowMessages Texts = FlowMessages.Default;
    private static readonly Dictionary<string, string> Pizza = new() { ["pizza"] = Flows.Pizza };

    [Fact]
    public async Task A_user_whose_messages_alternate_between_hosts_continues_one_conversation()
    {
        var (a, b) = await Hosts.StartTwoAsync(Pizza);
        await using (a)
        await using (b)
        {
            await a.SayAsync("pizza", "손님", "메뉴 보기");
            Assert.Equal("불고기 피자의 크기를 골라 주세요.", await b.SayAsync("pizza", "손님", "불고기 피자"));
            Assert.Contains("배달 받을 주소를 입력해 주세요.", await a.SayAsync("pizza", "손님", "라지"), StringComparison.Ordinal);
            Assert.Contains("불고기 피자 라지를 인천시 남동구 1(으)로 보낼까요? (18000원)", await b.SayAsync("pizza", "손님", "인천시 남동구 1"), StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Forty_messages_from_one_user_at_once_over_two_hosts_leave_the_counter_at_forty()
    {
        var (a, b) = await Hosts.StartTwoAsync(new Dictionary<string, string> { ["counter"] = Flows.Counter });
        await using (a)
        await using (b)
        {
            var replies = await Task.WhenAll(Enumerable.Range(0, 40).Select(i => (i % 2 == 0 ? a : b).SayAsync("counter", "racer", "하나 더")));

            // Each turn saw the one before it, whichever host ran it: the counts are 1 to 40, each once.
            Assert.Equal(Enumerable.Range(1, 40).Select(i => i.ToString(CultureInfo.InvariantCulture)).Order(StringComparer.Ordinal), replies.Order(StringComparer.Ordinal));
            Assert.Equal(40, b.SessionOf("counter", "racer")?.Vars["count"].GetDouble());
            Assert.Equal(0, a.App.Services.GetRequiredService<RedisStore>().Coordination.HeldLeases + b.App.Services.GetRequiredService<RedisStore>().Coordination.HeldLeases);
        }
    }

    [Fact]
    public async Task A_stop_start_block_or_unblock_on_one_host_is_obeyed_by_the_other_within_a_second()
    {
        var (a, b) = await Hosts.StartTwoAsync(Pizza);
        await using (a)
        await using (b)
        {
            var answer = await b.SayAsync("pizza", "손님", "영업 시간");

            await ObeyedWithinASecondAsync(a, "stop", Lifecycle.OwnerToken, b, Texts.Stopped);
            Assert.Equal("stopped", await b.StateAsync("pizza"));
            await ObeyedWithinASecondAsync(b, "start", Lifecycle.OwnerToken, a, answer);
            await ObeyedWithinASecondAsync(a, "block", Lifecycle.OperatorToken, b, Texts.Stopped);
            Assert.Equal("blocked", await b.StateAsync("pizza"));

            var (status, _) = await b.AdminAsync(HttpMethod.Post, "/_admin/bots/pizza/unblock", Lifecycle.OperatorToken);
            Assert.Equal(200, status);
            var watch = Stopwatch.StartNew();
            while (await a.StateAsync("pizza") != "stopped")
            {
                Assert.True(watch.Elapsed < TimeSpan.FromSeconds(1), "host A still sees the block after 1 s");
                await Task.Delay(20);
            }
        }
    }

    [Fact]
    public async Task Errors_on_both_hosts_count_against_one_budget_and_each_event_is_notified_once()
    {
        await using var webhook = await LoopbackServer.StartAsync((context, _) => LoopbackServer.WriteAsync(context, 200, "application/json", "{}"));
        var (a, b) = await Hosts.StartTwoAsync(
            new Dictionary<string, string> { ["flaky"] = Lifecycle.Flaky(4) },
            options => options with { NotifyUrl = webhook.Url, NotifyPollInterval = TimeSpan.FromMilliseconds(100) });
        await using (a)
        await using (b)
        {
            // Four errors are within the limit of 4 (the fourth warns at 80 %); the fifth, on the other host, stops the bot.
            for (var i = 0; i < 5; i++)
            {
                Assert.Equal(Texts.Error, await (i % 2 == 0 ? a : b).SayAsync("flaky", $"user-{i}", "고장"));
            }

            var day = a.App.Services.GetRequiredService<IServiceStore>().ErrorsOn("flaky", SeoulDay.Of(TestHost.Start));
            Assert.Equal(5, day?.Count);
            Assert.Equal("stopped-by-errors", await a.StateAsync("flaky"));
            await Lifecycle.EventuallyAsync(() => b.SayAsync("flaky", "user-9", "정상").GetAwaiter().GetResult() == Texts.Stopped, "host B stops answering", seconds: 1);

            // Both hosts' dispatchers read the outbox every 100 ms; each notification is posted by one of them, once.
            await Lifecycle.EventuallyAsync(() => webhook.Requests.Count >= 2, "two notifications delivered");
            await Task.Delay(TimeSpan.FromSeconds(1.5));
            var kinds = webhook.Requests.Select(request => JsonDocument.Parse(request.Body).RootElement.GetProperty("kind").GetString()).Order(StringComparer.Ordinal);
            Assert.Equal(["error-budget-80", "stopped-by-errors"], kinds);
            Assert.Empty(a.App.Services.GetRequiredService<IServiceStore>().Undelivered(10));
        }
    }

    [Fact]
    public async Task The_retention_sweep_runs_once_per_period_across_hosts()
    {
        var period = TimeSpan.FromSeconds(2); // a claim lasts 1.8 s: the other host's tick, a few ms later, finds it taken
        var (a, b) = await Hosts.StartTwoAsync(Pizza, options => options with { SweepInterval = period });
        await using (a)
        await using (b)
        {
            int Sweeps() => a.App.Services.GetRequiredService<SessionSweeper>().Sweeps + b.App.Services.GetRequiredService<SessionSweeper>().Sweeps;

            await Task.Delay(period + TimeSpan.FromMilliseconds(200));
            var before = Sweeps();
            for (var tick = 1; tick <= 3; tick++)
            {
                // Both hosts' timers fire at once: the first to claim the period sweeps, the other skips it.
                a.Clock.Advance(period);
                b.Clock.Advance(period);
                await Lifecycle.EventuallyAsync(() => Sweeps() == before + tick, $"sweep {tick}", seconds: 5);
                await Task.Delay(period + TimeSpan.FromMilliseconds(100));
                Assert.Equal(before + tick, Sweeps());
            }
        }
    }

    [Fact]
    public async Task Redis_down_answers_messages_error_fast_logs_once_and_service_resumes_when_it_is_back_even_empty()
    {
        using var server = RedisServerProcess.Start();
        var (a, b) = await Hosts.StartTwoAsync(Pizza, options => options with { ReplyTimeout = TimeSpan.FromSeconds(3) }, new RedisStoreOptions { EndPoint = server.EndPoint });
        await using (a)
        await using (b)
        {
            var menu = await a.SayAsync("pizza", "손님", "메뉴 보기");
            var home = JsonDocument.Parse(await a.Http.GetStringAsync(new Uri("/pizza/keyboard", UriKind.Relative))).RootElement.GetRawText();

            server.Stop();
            for (var i = 0; i < 8; i++)
            {
                var host = i % 2 == 0 ? a : b;
                var watch = Stopwatch.StartNew();
                using var response = await host.SendMessageAsync("pizza", "손님", "메뉴 보기");
                var body = await response.Content.ReadAsStringAsync();
                Assert.True(watch.Elapsed < TimeSpan.FromSeconds(1.5), $"answered after {watch.ElapsedMilliseconds} ms");
                Assert.Equal(System.Net.HttpStatusCode.OK, response.StatusCode);
                Assert.Equal(Texts.Error, Hosts.TextOf(body));
                Assert.Equal(home, JsonDocument.Parse(body).RootElement.GetProperty("keyboard").GetRawText());
            }

            // Per host, one line about the lost connection (the store's) and one about the failed turns (the error budget's,
            // once a minute per bot), and at most one from the background poll of the states: not one per request.
            foreach (var host in new[] { a, b })
            {
                Assert.Single(host.Logs.Lines, line => line.Contains("lost the connection to Redis", StringComparison.Ordinal));
                Assert.Single(host.Logs.Lines, line => line.Contains("failed because the data store is unavailable", StringComparison.Ordinal));
                Assert.True(host.Logs.Lines.Count(line => line.Contains("Store unavailable (", StringComparison.Ordinal)) <= 1);
                Assert.False(host.App.Services.GetRequiredService<IStoreHealth>().Status.Available);
            }

            // A skill turn is answered the same way: 200, messages.error and the Home buttons as quick replies.
            using (var skill = await b.PostJsonAsync("/pizza/skill", """{"userRequest":{"user":{"id":"스킬 손님"},"utterance":"메뉴 보기"}}"""))
            {
                Assert.Equal(System.Net.HttpStatusCode.OK, skill.StatusCode);
                var template = JsonDocument.Parse(await skill.Content.ReadAsStringAsync()).RootElement.GetProperty("template");
                Assert.Equal(Texts.Error, template.GetProperty("outputs")[0].GetProperty("simpleText").GetProperty("text").GetString());
                Assert.Equal(
                    JsonDocument.Parse(home).RootElement.GetProperty("buttons").EnumerateArray().Select(button => button.GetString()),
                    template.GetProperty("quickReplies").EnumerateArray().Select(reply => reply.GetProperty("label").GetString()));
            }

            // Once per interval, not once per outage either: a minute on (the flow clock), the next failed turn is logged again.
            foreach (var host in new[] { a, b })
            {
                host.Clock.Advance(TimeSpan.FromMinutes(1));
                for (var i = 0; i < 3; i++)
                {
                    Assert.Equal(Texts.Error, await host.SayAsync("pizza", "손님", "메뉴 보기"));
                }

                Assert.Equal(2, host.Logs.Lines.Count(line => line.Contains("failed because the data store is unavailable", StringComparison.Ordinal)));
            }

            // Back, and empty (a Redis restarted without persistence): no host restarts, the bot starts again as first seen.
            server.StartAgain();
            var lines = a.Logs.Lines.Count;
            foreach (var host in new[] { a, b })
            {
                var attempt = 0;
                var last = "";
                await Lifecycle.EventuallyAsync(
                    () => (last = host.SayAsync("pizza", $"새 손님 {attempt++}", "메뉴 보기").GetAwaiter().GetResult()) == menu,
                    $"answers again (last answer: {last}; log: {string.Join(" / ", host.Logs.Lines.TakeLast(3))})",
                    seconds: 10);
            }

            await Lifecycle.EventuallyAsync(() => a.Logs.Lines.Skip(lines).Any(line => line.Contains("connected to Redis", StringComparison.Ordinal)), "the reconnection logged", seconds: 5);
            Assert.True(a.App.Services.GetRequiredService<IStoreHealth>().Status.Available);
            // The hosts see the states gone at their next poll of the version (every 250 ms).
            using var check = new RedisStore(new RedisStoreOptions { EndPoint = server.EndPoint });
            await Lifecycle.EventuallyAsync(() => check.Services.Find("pizza") is not null, "the bot's state decided again", seconds: 2);
            var state = check.Services.Find("pizza");
            Assert.Equal((ServiceState.Running, "serve"), (state?.State, state?.ChangedBy));
        }
    }

    /// <summary>Posts the admin <paramref name="action"/> to one host and waits until the other answers <paramref name="expected"/>.</summary>
    private static async Task ObeyedWithinASecondAsync(TestHost on, string action, string token, TestHost other, string expected)
    {
        var (status, body) = await on.AdminAsync(HttpMethod.Post, $"/_admin/bots/pizza/{action}", token, """{"reason":"다중 호스트 시험"}""");
        Assert.True(status == 200, body.ToString());
        var watch = Stopwatch.StartNew();
        while (await other.SayAsync("pizza", "손님", "영업 시간") != expected)
        {
            Assert.True(watch.Elapsed < TimeSpan.FromSeconds(1), $"the other host did not obey '{action}' within 1 s");
            await Task.Delay(20);
        }
    }
}
