using System.Diagnostics;
using System.Net;
using KakaoFlow.Host.Tests.Support;
using KakaoFlow.Hosting;
using KakaoFlow.Runtime;
using Microsoft.Extensions.DependencyInjection;

namespace KakaoFlow.Host.Tests;

/// <summary>Late or failing turns, broken bots and what the logs may contain.</summary>
public sealed class RobustnessTests
{
    private const string ErrorReply =
        """{"message":{"text":"일시적인 오류가 발생했어요. 처음부터 다시 시작해 주세요."},"keyboard":{"type":"buttons","buttons":["영업 시간","메뉴 보기"]}}""";

    [Fact]
    public async Task A_turn_past_the_reply_bound_gets_messages_error_and_its_token_is_cancelled()
    {
        var cancelled = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var host = await TestHost.StartPizzaAsync(options => options with
        {
            ReplyTimeout = TimeSpan.FromMilliseconds(300),
            Stepper = Steppers.RealStepAfter((turn, cancellation) =>
            {
                if (turn.Content == "느림")
                {
                    // A hook that would run for a minute if nobody stopped it.
                    cancellation.WaitHandle.WaitOne(TimeSpan.FromMinutes(1));
                    cancelled.TrySetResult();
                    cancellation.ThrowIfCancellationRequested();
                }
            }),
        });
        await host.MessageTextAsync("pizza", "user-slow", "메뉴 보기");
        var vars = SessionAssert.Vars(host.SessionOf("pizza", "user-slow")!);

        var watch = Stopwatch.StartNew();
        using var response = await host.SendMessageAsync("pizza", "user-slow", "느림");
        var body = await response.Content.ReadAsStringAsync();
        watch.Stop();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(ErrorReply, body);
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(5), $"answered after {watch.Elapsed}");
        await cancelled.Task.WaitAsync(TimeSpan.FromSeconds(5));

        // The client now shows Home, and so does the session; variables are kept.
        var session = host.SessionOf("pizza", "user-slow")!;
        Assert.Equal(Session.HomeStepId, session.StepId);
        Assert.Equal(vars, SessionAssert.Vars(session));
        Assert.Contains(host.Logs.Lines, line => line.Contains("took longer than 300 ms", StringComparison.Ordinal));

        // The user goes on normally.
        Assert.Contains("오늘의 메뉴입니다.", await host.MessageTextAsync("pizza", "user-slow", "메뉴 보기"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Stopping_the_host_finishes_a_turn_in_flight_before_closing_the_store()
    {
        var inside = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var host = await TestHost.StartPizzaAsync(options => options with
        {
            Stepper = Steppers.RealStepAfter((_, _) =>
            {
                inside.TrySetResult();
                Thread.Sleep(500);
            }),
        });

        var pending = host.SendMessageAsync("pizza", "user-stop", "메뉴 보기");
        await inside.Task.WaitAsync(TimeSpan.FromSeconds(10));
        var store = host.Store;
        await host.App.StopAsync();

        using var response = await pending;
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("오늘의 메뉴입니다.", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal("home/메뉴 보기", store.Sessions.Find("pizza", "user-stop")?.StepId);
    }

    [Fact]
    public async Task A_turn_that_throws_gets_messages_error_not_a_5xx()
    {
        await using var host = await TestHost.StartAsync(
            new Dictionary<string, string> { ["pizza"] = Flows.Pizza },
            options => options with { Stepper = (_, _, _, _, _) => throw new InvalidOperationException("bug") });

        using var response = await host.SendMessageAsync("pizza", "user-bug", "메뉴 보기");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(ErrorReply, await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task A_bot_with_errors_is_not_served_and_its_diagnostics_are_logged_in_the_check_format()
    {
        await using var host = await TestHost.StartAsync(new Dictionary<string, string>
        {
            ["pizza"] = Flows.Pizza,
            ["broken"] = Flows.Broken,
        });

        using var broken = await host.Http.GetAsync(new Uri("/broken/keyboard", UriKind.Relative));
        Assert.Equal(HttpStatusCode.BadRequest, broken.StatusCode);
        Assert.Equal("""{"code":202,"message":"wrong bot url"}""", await broken.Content.ReadAsStringAsync());
        using var pizza = await host.Http.GetAsync(new Uri("/pizza/keyboard", UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, pizza.StatusCode);

        var flowFile = Path.Combine(host.FlowsDirectory, "broken", "flow.yaml");
        Assert.Contains(host.Logs.Lines, line =>
            line.Contains($" {flowFile}:5:", StringComparison.Ordinal) && line.Contains(": error KF010: ", StringComparison.Ordinal));
        Assert.Contains(host.Logs.Lines, line => line.Contains("Bot broken is not served: 1 error(s)", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_script_linked_outside_its_bot_folder_is_refused_and_its_content_shows_nowhere()
    {
        const string secret = "SECRET_TOKEN_3f9a";
        await using var host = await TestHost.StartAsync(new Dictionary<string, string> { ["pizza"] = Flows.Pizza }, Lifecycle.WithTokens());
        var outside = Path.Combine(host.Root, "outside.js");
        await File.WriteAllTextAsync(outside, secret + ";\n");
        var bot = Directory.CreateDirectory(Path.Combine(host.FlowsDirectory, "leaky")).FullName;
        File.CreateSymbolicLink(Path.Combine(bot, "s.js"), outside);
        await File.WriteAllTextAsync(Path.Combine(bot, "flow.yaml"), Flows.Header + """
            scripts: [s.js]
            home:
              - 인사:
                  js: "vars.x = 1"
                  say: 안녕하세요
            """);
        var catalog = host.App.Services.GetRequiredService<BotCatalog>();
        await Lifecycle.EventuallyAsync(() => catalog.Status("leaky") is not null, "the new bot folder is looked at");

        using (var response = await host.SendMessageAsync("leaky", "u", "인사"))
        {
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        }

        var (_, status) = await host.AdminAsync(HttpMethod.Get, "/_admin/bots/leaky", Lifecycle.OwnerToken);
        Assert.Contains("KF033", status.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain(secret, status.ToString(), StringComparison.Ordinal);
        Assert.Contains(host.Logs.Lines, line => line.Contains("KF033", StringComparison.Ordinal));
        Assert.DoesNotContain(host.Logs.Lines, line => line.Contains(secret, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Logs_never_contain_a_user_key_in_clear()
    {
        const string userKey = "SeCrEtUsErKeY123";
        await using var host = await TestHost.StartPizzaAsync();

        using (await host.PostJsonAsync("/pizza/friend", Json.Friend(userKey)))
        {
        }

        await host.MessageTextAsync("pizza", userKey, "메뉴 보기");
        await host.MessageTextAsync("pizza", userKey, "없는 버튼");
        using (await host.PostJsonAsync("/pizza/message", $$"""{"user_key":"{{userKey}}","type":"video","content":"x"}"""))
        {
        }

        using (await host.Http.DeleteAsync(new Uri($"/pizza/chat_room/{userKey}", UriKind.Relative)))
        {
        }

        using (await host.Http.DeleteAsync(new Uri($"/pizza/friend/{userKey}", UriKind.Relative)))
        {
        }

        using (await host.Http.GetAsync(new Uri($"/pizza/nothing/{userKey}", UriKind.Relative)))
        {
        }

        Assert.NotEmpty(host.Logs.Lines);
        Assert.DoesNotContain(host.Logs.Lines, line => line.Contains(userKey, StringComparison.OrdinalIgnoreCase));
        var tag = UserTag.Of(userKey);
        Assert.Equal(12, tag.Length);
        Assert.Contains(host.Logs.Lines, line => line.Contains($"user {tag}", StringComparison.Ordinal));
    }
}
