using System.Text;
using System.Text.Json;
using KakaoFlow.Host.Tests.Support;
using KakaoFlow.Hosting.Lifecycle;
using KakaoFlow.Storage;
using KakaoFlow.Store;

namespace KakaoFlow.Host.Tests;

/// <summary>The daily error budget in Asia/Seoul days, the 80 % warning and the automatic stop, over real HTTP and LiteDB.</summary>
public sealed class ErrorBudgetTests
{
    private const string Bot = "flaky";
    private static readonly string StoppedText = """{"message":{"text":"지금은 서비스를 잠시 쉬고 있어요."},"keyboard":{"type":"buttons","buttons":["고장","정상"]}}""";
    private static readonly string ErrorText = """{"message":{"text":"일시적인 오류가 발생했어요. 처음부터 다시 시작해 주세요."},"keyboard":{"type":"buttons","buttons":["고장","정상"]}}""";

    [Theory]
    [InlineData("2026-11-25T14:59:59.9999999Z", "2026-11-25")]
    [InlineData("2026-11-25T15:00:00Z", "2026-11-26")]
    [InlineData("2026-12-31T15:00:00Z", "2027-01-01")]
    [InlineData("2026-11-25T00:00:00+09:00", "2026-11-25")]
    public void The_day_is_the_Asia_Seoul_calendar_day(string at, string day) =>
        Assert.Equal(day, SeoulDay.Of(DateTimeOffset.Parse(at, System.Globalization.CultureInfo.InvariantCulture)));

    [Fact]
    public async Task Errors_count_per_Seoul_day_and_the_count_starts_again_at_15_00_UTC()
    {
        await using var host = await TestHost.StartAsync(new Dictionary<string, string> { [Bot] = Lifecycle.Flaky(3) }, Lifecycle.WithTokens());
        host.Clock.SetUtcNow(new DateTimeOffset(2026, 11, 25, 14, 59, 0, TimeSpan.Zero));
        for (var i = 0; i < 3; i++)
        {
            Assert.Equal(ErrorText, await host.MessageTextAsync(Bot, "사용자", "고장"));
        }

        // 3 errors on the 25th (Seoul): at the limit, not past it.
        Assert.Equal(3, host.Store.Services.ErrorsOn(Bot, "2026-11-25")?.Count);
        Assert.Equal("running", await host.StateAsync(Bot));

        host.Clock.SetUtcNow(new DateTimeOffset(2026, 11, 25, 15, 0, 0, TimeSpan.Zero));
        for (var i = 0; i < 3; i++)
        {
            Assert.Equal(ErrorText, await host.MessageTextAsync(Bot, "사용자", "고장"));
        }

        Assert.Equal(3, host.Store.Services.ErrorsOn(Bot, "2026-11-25")?.Count);
        Assert.Equal(3, host.Store.Services.ErrorsOn(Bot, "2026-11-26")?.Count);
        Assert.Equal("running", await host.StateAsync(Bot));

        var (_, bot) = await host.AdminAsync(HttpMethod.Get, $"/_admin/bots/{Bot}", Lifecycle.OwnerToken);
        Assert.Equal("2026-11-26", bot.GetProperty("day").GetString());
        Assert.Equal(3, bot.GetProperty("errors_today").GetInt32());
        Assert.Equal(3, bot.GetProperty("error_limit").GetInt32());
    }

    [Fact]
    public async Task The_bot_stops_at_limit_plus_one_with_exactly_one_notification_and_warns_once_at_80_percent()
    {
        await using var host = await TestHost.StartAsync(new Dictionary<string, string> { [Bot] = Lifecycle.Flaky(5) }, Lifecycle.WithTokens());

        // 3 errors: under 80 % of 5. The fourth reaches 80 %: one warning.
        for (var i = 1; i <= 3; i++)
        {
            Assert.Equal(ErrorText, await host.MessageTextAsync(Bot, $"user-{i}", "고장"));
        }

        Assert.Empty(host.Store.Services.Notifications(Bot, 10));
        Assert.Equal(ErrorText, await host.MessageTextAsync(Bot, "user-4", "고장"));
        var warning = Assert.Single(host.Store.Services.Notifications(Bot, 10));
        Assert.Equal(NotificationTexts.ErrorBudget80, warning.Kind);
        Assert.Equal("010-9999-0000", warning.Phone);
        Assert.Contains("80%", warning.Text, StringComparison.Ordinal);

        // The fifth is at the limit: still running, no new notification.
        Assert.Equal(ErrorText, await host.MessageTextAsync(Bot, "user-5", "고장"));
        Assert.Equal("running", await host.StateAsync(Bot));
        Assert.Single(host.Store.Services.Notifications(Bot, 10));

        // The sixth passes it: this turn still gets its answer, then the bot is stopped-by-errors.
        Assert.Equal(ErrorText, await host.MessageTextAsync(Bot, "user-6", "고장"));
        Assert.Equal("stopped-by-errors", await host.StateAsync(Bot));
        Assert.Equal(StoppedText, await host.MessageTextAsync(Bot, "user-7", "정상"));
        Assert.Equal(StoppedText, await host.MessageTextAsync(Bot, "user-7", "고장"));

        var notes = host.Store.Services.Notifications(Bot, 10);
        Assert.Equal([NotificationTexts.StoppedByErrors, NotificationTexts.ErrorBudget80], notes.Select(note => note.Kind));
        Assert.Contains("6건", notes[0].Text, StringComparison.Ordinal);
        Assert.Equal(6, host.Store.Services.ErrorsOn(Bot, "2026-11-25")?.Count);

        // Details: time, a hash of the user (never the user_key), the flow location, the message.
        var (_, bot) = await host.AdminAsync(HttpMethod.Get, $"/_admin/bots/{Bot}", Lifecycle.OwnerToken);
        var errors = bot.GetProperty("recent_errors").EnumerateArray().ToList();
        Assert.Equal(6, errors.Count);
        Assert.Equal(Hosting.UserTag.Of("user-6"), errors[0].GetProperty("user").GetString());
        Assert.Equal("hook-error", errors[0].GetProperty("kind").GetString());
        Assert.Contains("flow.yaml:", errors[0].GetProperty("location").GetString(), StringComparison.Ordinal);
        Assert.Contains("고장났어요", errors[0].GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.DoesNotContain(host.Logs.Lines, line => line.Contains("user-6", StringComparison.Ordinal));

        // Both go to the log; with no webhook that is their delivery.
        await Lifecycle.EventuallyAsync(() => host.Store.Services.Undelivered(10).Count == 0, "notifications logged");
        Assert.Contains(host.Logs.Lines, line => line.Contains("Monitoring message", StringComparison.Ordinal) && line.Contains("stopped-by-errors", StringComparison.Ordinal));

        // The owner fixes and restarts it: running again, and today's count still stands (the next error stops it again).
        var (status, _) = await host.AdminAsync(HttpMethod.Post, $"/_admin/bots/{Bot}/start", Lifecycle.OwnerToken);
        Assert.Equal(200, status);
        Assert.Equal("잘 돼요", JsonDocument.Parse(await host.MessageTextAsync(Bot, "user-7", "정상")).RootElement.GetProperty("message").GetProperty("text").GetString());
    }

    [Fact]
    public async Task Concurrent_errors_past_the_limit_stop_the_bot_once()
    {
        await using var host = await TestHost.StartAsync(new Dictionary<string, string> { [Bot] = Lifecycle.Flaky(3) }, Lifecycle.WithTokens());
        var replies = await Task.WhenAll(Enumerable.Range(0, 12).Select(i => host.MessageTextAsync(Bot, $"동시-{i}", "고장")));

        Assert.All(replies, reply => Assert.True(reply == ErrorText || reply == StoppedText, reply));
        Assert.Equal("stopped-by-errors", await host.StateAsync(Bot));
        var notes = host.Store.Services.Notifications(Bot, 50);
        Assert.Single(notes, note => note.Kind == NotificationTexts.StoppedByErrors);
        Assert.Single(notes, note => note.Kind == NotificationTexts.ErrorBudget80);
        Assert.Equal(replies.Count(reply => reply == ErrorText), host.Store.Services.ErrorsOn(Bot, "2026-11-25")?.Count);
    }

    [Fact]
    public async Task While_the_store_is_unavailable_a_bots_errors_count_once_a_minute_not_once_per_turn()
    {
        var health = new SwitchableHealth { Status = new StoreStatus(false, TestHost.Start, "the data file: No space left on device") };
        await using var host = await TestHost.StartAsync(
            new Dictionary<string, string> { [Bot] = Lifecycle.Flaky(3) },
            Lifecycle.WithTokens(options => options with { StoreHealth = health }));

        // Twelve failures from twelve users in one minute: one error, and the bot (limit 3) keeps running.
        for (var i = 0; i < 12; i++)
        {
            Assert.Equal(ErrorText, await host.MessageTextAsync(Bot, $"user-{i}", "고장"));
        }

        var day = host.Store.Services.ErrorsOn(Bot, "2026-11-25");
        Assert.Equal(1, day?.Count);
        Assert.Equal(ErrorBudget.StoreUnavailable, Assert.Single(day!.Recent).Kind);
        Assert.Equal("running", await host.StateAsync(Bot));
        Assert.Single(host.Logs.Lines, line => line.Contains("failed because the data store is unavailable", StringComparison.Ordinal));
        var (_, list) = await host.AdminAsync(HttpMethod.Get, "/_admin/bots", Lifecycle.OwnerToken);
        var store = list.GetProperty("store");
        Assert.Equal("unavailable", store.GetProperty("status").GetString());
        Assert.Equal("2026-11-25T03:00:00.000Z", store.GetProperty("since").GetString());
        Assert.Equal("the data file: No space left on device", store.GetProperty("reason").GetString());

        // The next minute counts once more, and says how many failures the minute before did not count.
        host.Clock.Advance(TimeSpan.FromMinutes(1));
        for (var i = 0; i < 5; i++)
        {
            Assert.Equal(ErrorText, await host.MessageTextAsync(Bot, $"user-{i}", "고장"));
        }

        Assert.Equal(2, host.Store.Services.ErrorsOn(Bot, "2026-11-25")?.Count);
        Assert.Contains("11 more failure(s)", host.Store.Services.RecentErrors(Bot, 1)[0].Message, StringComparison.Ordinal);

        // Available again: each error counts.
        health.Status = StoreStatus.Ok;
        Assert.Equal(ErrorText, await host.MessageTextAsync(Bot, "user-20", "고장"));
        Assert.Equal(3, host.Store.Services.ErrorsOn(Bot, "2026-11-25")?.Count);
        (_, list) = await host.AdminAsync(HttpMethod.Get, "/_admin/bots", Lifecycle.OwnerToken);
        Assert.Equal("""{"status":"ok"}""", list.GetProperty("store").GetRawText());
    }

    [Fact]
    public async Task Malformed_requests_are_logged_but_not_counted()
    {
        await using var host = await TestHost.StartAsync(new Dictionary<string, string> { [Bot] = Lifecycle.Flaky(1) }, Lifecycle.WithTokens());
        for (var i = 0; i < 5; i++)
        {
            using var response = await host.PostJsonAsync($"/{Bot}/message", """{"user_key":"x","type":"text"}""");
            Assert.Equal(System.Net.HttpStatusCode.BadRequest, response.StatusCode);
        }

        Assert.Null(host.Store.Services.ErrorsOn(Bot, "2026-11-25"));
        Assert.Equal(ServiceState.Running, host.Store.Services.Find(Bot)?.State);
        Assert.Contains(host.Logs.Lines, line => line.Contains("Refused POST message", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Answers_over_the_time_bound_internal_failures_and_repaired_replies_are_counted()
    {
        const string flow = """
            name: 긴답
            monitor: { phone: "010-0000-0000" }
            privacy_consent: true
            home:
              - 길게:
                  js: "vars.t = '가'.repeat(1200)"
                  say: "{{t}}"
              - 느림: 안 보여요
              - 터짐: 안 보여요
            """;
        await using var host = await TestHost.StartAsync(new Dictionary<string, string> { ["long"] = flow }, Lifecycle.WithTokens(options => options with
        {
            ReplyTimeout = TimeSpan.FromMilliseconds(1500),
            Stepper = Steppers.RealStepAfter((turn, cancellation) =>
            {
                switch (turn.Content)
                {
                    case "느림":
                        cancellation.WaitHandle.WaitOne(TimeSpan.FromMinutes(1));
                        cancellation.ThrowIfCancellationRequested();
                        break;
                    case "터짐":
                        throw new InvalidOperationException("runtime bug");
                }
            }),
        }));

        var cut = JsonDocument.Parse(await host.MessageTextAsync("long", "u1", "길게")).RootElement.GetProperty("message").GetProperty("text").GetString()!;
        Assert.Equal(1000, Runtime.TextLength.Of(cut));
        Assert.EndsWith("…", cut, StringComparison.Ordinal);
        await host.MessageTextAsync("long", "u2", "느림");
        await host.MessageTextAsync("long", "u3", "터짐");

        var (_, bot) = await host.AdminAsync(HttpMethod.Get, "/_admin/bots/long", Lifecycle.OwnerToken);
        Assert.Equal(3, bot.GetProperty("errors_today").GetInt32());
        Assert.Equal(
            ["internal", "timeout", "reply-repaired"],
            bot.GetProperty("recent_errors").EnumerateArray().Select(error => error.GetProperty("kind").GetString()));
    }

    [Fact]
    public async Task A_huge_hook_error_message_is_logged_once_cut_to_about_1_KB_and_kept_cut()
    {
        const string flow = """
            name: 긴오류
            monitor: { phone: "010-0000-0000" }
            privacy_consent: true
            home:
              - 터짐:
                  js: "throw new Error('오류'.repeat(50000))"
                  say: 안 보여요
            """;
        await using var host = await TestHost.StartAsync(new Dictionary<string, string> { ["huge"] = flow }, Lifecycle.WithTokens(options => options with { ErrorsPerUserPerDay = 1 }));
        await host.MessageTextAsync("huge", "u1", "터짐");

        var marker = string.Concat(Enumerable.Repeat("오류", 20));
        var line = Assert.Single(host.Logs.Lines, line => line.Contains(marker, StringComparison.Ordinal));
        Assert.Contains("HookError", line, StringComparison.Ordinal);

        // The captured line holds the rendered message and each structured value: the message at most twice.
        Assert.True(Encoding.UTF8.GetByteCount(line) < 3 * 1024, $"{Encoding.UTF8.GetByteCount(line)} bytes");

        var (_, bot) = await host.AdminAsync(HttpMethod.Get, "/_admin/bots/huge", Lifecycle.OwnerToken);
        var message = bot.GetProperty("recent_errors")[0].GetProperty("message").GetString()!;
        Assert.StartsWith("Error: 오류오류", message, StringComparison.Ordinal);
        Assert.EndsWith("…", message, StringComparison.Ordinal);
        Assert.InRange(Encoding.UTF8.GetByteCount(message), 900, 1024);

        // Past the user's cap the error is logged, not counted: still one line for it, still cut.
        await host.MessageTextAsync("huge", "u1", "터짐");
        Assert.Equal(2, host.Logs.Lines.Count(line => line.Contains(marker, StringComparison.Ordinal)));
        Assert.All(host.Logs.Lines, line => Assert.True(Encoding.UTF8.GetByteCount(line) < 3 * 1024, line[..Math.Min(line.Length, 200)]));
    }

    [Fact]
    public async Task One_user_counts_at_most_the_per_user_cap_a_day_and_cannot_stop_the_bot_alone()
    {
        await using var host = await TestHost.StartAsync(
            new Dictionary<string, string> { [Bot] = Lifecycle.Flaky(12) },
            Lifecycle.WithTokens(options => options with { ErrorsPerUserPerDay = 4 }));
        for (var i = 0; i < 20; i++)
        {
            Assert.Equal(ErrorText, await host.MessageTextAsync(Bot, "공격자", "고장"));
        }

        Assert.Equal(4, host.Store.Services.ErrorsOn(Bot, "2026-11-25")?.Count);
        Assert.Equal("running", await host.StateAsync(Bot));
        Assert.Equal(16, host.Logs.Lines.Count(line => line.Contains("Error not counted", StringComparison.Ordinal)));

        // Another user still counts; and the next Seoul day the first one counts again.
        Assert.Equal(ErrorText, await host.MessageTextAsync(Bot, "다른 사용자", "고장"));
        Assert.Equal(5, host.Store.Services.ErrorsOn(Bot, "2026-11-25")?.Count);
        host.Clock.SetUtcNow(new DateTimeOffset(2026, 11, 25, 15, 0, 0, TimeSpan.Zero));
        Assert.Equal(ErrorText, await host.MessageTextAsync(Bot, "공격자", "고장"));
        Assert.Equal(1, host.Store.Services.ErrorsOn(Bot, "2026-11-26")?.Count);
    }

    [Fact]
    public async Task A_reply_cut_only_because_of_a_long_typed_answer_is_logged_not_counted()
    {
        await using var host = await TestHost.StartWithSamplesAsync(Lifecycle.WithTokens());
        foreach (var text in new[] { "메뉴 보기", "불고기 피자", "레귤러", "동의합니다" })
        {
            await host.MessageTextAsync("pizza", "echo", text);
        }

        var confirm = await host.MessageTextAsync("pizza", "echo", "서울시 " + new string('가', 1500));

        Assert.Contains("…", confirm, StringComparison.Ordinal);
        Assert.Null(host.Store.Services.ErrorsOn("pizza", "2026-11-25"));
        Assert.Contains(host.Logs.Lines, line => line.Contains("not counted (caused by the user's input)", StringComparison.Ordinal));
    }

    private sealed class SwitchableHealth : IStoreHealth
    {
        public StoreStatus Status { get; set; } = StoreStatus.Ok;
    }
}
