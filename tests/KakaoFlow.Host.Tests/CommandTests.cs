using KakaoFlow.Host.Tests.Support;

namespace KakaoFlow.Host.Tests;

/// <summary><c>kakaoflow apitest</c> against a good and a broken server, and <c>kakaoflow admin</c> against a running host.</summary>
public sealed class CommandTests
{
    [Fact]
    public async Task Apitest_passes_a_good_server()
    {
        await using var host = await TestHost.StartPizzaAsync();
        var output = await Apitest.PassingAsync(host);

        OutputAssert.ContainsAll(
            output,
            "PASS  keyboard: status 200 — status 200",
            "PASS  keyboard: buttons are non-empty strings — 2 buttons",
            "(content \"영업 시간\")",
            "PASS  message: has at least one part",
            "PASS  reply keyboard: type is buttons or text");
        Assert.NotNull(host.SessionOf("pizza", "kakaoflow-apitest"));
    }

    [Fact]
    public async Task Apitest_fails_a_server_with_wrong_shapes_and_says_why()
    {
        var longText = new string('가', 1001);
        await using var server = await LoopbackServer.StartAsync((context, _) => context.Request.Path.Value switch
        {
            "/bot/keyboard" => LoopbackServer.WriteAsync(context, 200, "text/html", """{"type":"dropdown","buttons":[]}"""),
            "/bot/message" => LoopbackServer.WriteAsync(context, 200, "application/json",
                $$$"""{"message":{"text":"{{{longText}}}","photo":{"url":"https://x/y.jpg"},"message_button":{"label":""}},"keyboard":{"type":"buttons","buttons":["", 3]}}"""),
            _ => LoopbackServer.WriteAsync(context, 404, "text/plain", "no"),
        });

        var output = await Apitest.FailingAsync(server.Url);

        OutputAssert.ContainsAll(
            output,
            "FAIL  keyboard: JSON content type — Content-Type: text/html",
            "FAIL  keyboard: type is buttons or text — type \"dropdown\"",
            "(content \"안녕하세요\")",
            "FAIL  message.text: a string of at most 1000 characters — 1001 characters",
            "FAIL  message.photo: url, width and height — width must be a positive integer; height must be a positive integer",
            "FAIL  message.message_button: label and url",
            "FAIL  reply keyboard: buttons are non-empty strings — 2 of 2 buttons are not non-empty strings");
        Assert.EndsWith("API TEST failed" + Environment.NewLine, output, StringComparison.Ordinal);
        Assert.Equal(["GET /bot/keyboard", "POST /bot/message"], server.Requests.Select(request => $"{request.Method} {request.Path}"));
    }

    [Fact]
    public async Task Apitest_fails_on_an_error_status_a_non_json_body_and_an_empty_message()
    {
        await using var server = await LoopbackServer.StartAsync((context, _) => context.Request.Path.Value switch
        {
            "/bot/keyboard" => LoopbackServer.WriteAsync(context, 500, "application/json; charset=utf-8", "oops"),
            _ => LoopbackServer.WriteAsync(context, 200, "application/json", """{"message":{}}"""),
        });

        var output = await Apitest.FailingAsync(server.Url);

        OutputAssert.ContainsAll(
            output,
            "FAIL  keyboard: status 200 — status 500",
            "FAIL  keyboard: body is a JSON object — not JSON",
            "FAIL  message: has at least one part — a message needs text, photo or message_button",
            "PASS  reply keyboard: absent or valid");
    }

    [Fact]
    public async Task Apitest_fails_when_nothing_answers_and_refuses_a_bad_url()
    {
        await using var server = await LoopbackServer.StartAsync((context, _) => Task.CompletedTask);
        var url = server.Url;
        await server.DisposeAsync();

        var output = await Apitest.FailingAsync(url);
        Assert.Contains("FAIL  keyboard: server answers — no answer", output, StringComparison.Ordinal);

        Assert.Equal(2, (await Kakaoflow.RunAsync("apitest", "ftp://example.com/bot")).Exit);
        Assert.Equal(2, (await Kakaoflow.RunAsync("apitest")).Exit);
    }

    [Fact]
    public async Task Admin_prints_tables_and_reports_refusals()
    {
        await using var host = await TestHost.StartAsync(
            new Dictionary<string, string> { ["pizza"] = Flows.Pizza, ["flaky"] = Lifecycle.Flaky(10) },
            Lifecycle.WithTokens());
        var url = host.Http.BaseAddress!.ToString();
        await host.MessageTextAsync("flaky", "사용자", "고장");

        var (exit, output, error) = await Kakaoflow.RunAsync("admin", "status", "--url", url, "--token", Lifecycle.OwnerToken);
        Assert.True(exit == 0, error);
        var lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.StartsWith("BOT    NAME      STATE    ERRORS TODAY  SESSIONS  FRIENDS  REASON", lines[0], StringComparison.Ordinal);
        Assert.StartsWith("flaky  불안정    running  1/10          1         0        started automatically", lines[1], StringComparison.Ordinal);
        Assert.StartsWith("pizza  피자나라  running  0/3000        0         0        ", lines[2], StringComparison.Ordinal);

        (exit, output, _) = await Kakaoflow.RunAsync("admin", "errors", "flaky", "--url", url, "--token", Lifecycle.OwnerToken);
        Assert.Equal(0, exit);
        Assert.Contains("hook-error", output, StringComparison.Ordinal);
        Assert.Contains(Hosting.UserTag.Of("사용자"), output, StringComparison.Ordinal);
        Assert.DoesNotContain("사용자", output, StringComparison.Ordinal);

        (exit, output, _) = await Kakaoflow.RunAsync("admin", "stop", "pizza", "--url", url, "--token", Lifecycle.OwnerToken);
        Assert.Equal(0, exit);
        Assert.Contains("pizza stopped", output, StringComparison.Ordinal);

        (exit, output, _) = await Kakaoflow.RunAsync("admin", "unblock", "pizza", "--url", url, "--token", Lifecycle.OwnerToken);
        Assert.Equal(1, exit);
        Assert.Equal("refused (403): only an operator can do this" + Environment.NewLine, output);

        (exit, output, _) = await Kakaoflow.RunAsync("admin", "block", "pizza", "--reason", "정책 위반", "--url", url, "--token", Lifecycle.OperatorToken);
        Assert.Equal(0, exit);
        (exit, output, _) = await Kakaoflow.RunAsync("admin", "start", "pizza", "--url", url, "--token", Lifecycle.OperatorToken);
        Assert.Equal(1, exit);
        Assert.StartsWith("refused (409): blocked by an operator (정책 위반)", output, StringComparison.Ordinal);

        (exit, output, _) = await Kakaoflow.RunAsync("admin", "status", "pizza", "--url", url, "--token", Lifecycle.OwnerToken);
        Assert.Equal(0, exit);
        Assert.Contains("state            blocked", output, StringComparison.Ordinal);

        (exit, _, error) = await Kakaoflow.RunAsync("admin", "status", "--url", url, "--token", "nope");
        Assert.Equal(1, exit);
        Assert.Contains("401", error, StringComparison.Ordinal);
        Assert.Equal(2, (await Kakaoflow.RunAsync("admin", "block", "pizza", "--url", url, "--token", "x")).Exit);
        Assert.Equal(2, (await Kakaoflow.RunAsync("admin", "frobnicate")).Exit);
    }

    [Fact]
    public async Task Admin_status_says_when_the_data_store_is_unavailable()
    {
        var outage = new KakaoFlow.Storage.StoreStatus(false, TestHost.Start, "the data file: No space left on device");
        await using var host = await TestHost.StartAsync(
            new Dictionary<string, string> { ["pizza"] = Flows.Pizza },
            Lifecycle.WithTokens(options => options with { StoreHealth = new FixedHealth(outage) }));

        var (exit, output, error) = await Kakaoflow.RunAsync("admin", "status", "--url", host.Http.BaseAddress!.ToString(), "--token", Lifecycle.OwnerToken);
        Assert.True(exit == 0, error);
        var lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("store: unavailable since 2026-11-25T03:00:00.000Z: the data file: No space left on device", lines[0]);
        Assert.StartsWith("BOT ", lines[1], StringComparison.Ordinal);
    }

    private sealed class FixedHealth(KakaoFlow.Storage.StoreStatus status) : KakaoFlow.Storage.IStoreHealth
    {
        public KakaoFlow.Storage.StoreStatus Status => status;
    }
}
