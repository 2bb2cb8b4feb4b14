using System.Net;
using System.Text;
using System.Text.Json;
using KakaoFlow.Host.Tests.Support;
using KakaoFlow.Hosting.Admin;
using KakaoFlow.Hosting.Lifecycle;

namespace KakaoFlow.Host.Tests;

/// <summary>Service states through the admin API: start, stop, block, unblock, roles, restarts, and what a bot that is not running answers.</summary>
public sealed class ServiceLifecycleTests
{
    private const string PizzaHome = """{"type":"buttons","buttons":["영업 시간","메뉴 보기"]}""";
    private const string PizzaStopped = """{"message":{"text":"지금은 서비스를 잠시 쉬고 있어요."},"keyboard":""" + PizzaHome + "}";
    private const string Success = """{"code":0,"message":"SUCCESS"}""";

    private static Task<TestHost> StartAsync(Func<TestHostOptions, TestHostOptions>? more = null) =>
        TestHost.StartAsync(
            new Dictionary<string, string> { ["pizza"] = Flows.Pizza, ["noconsent"] = Lifecycle.NoConsent, ["broken"] = Flows.Broken },
            Lifecycle.WithTokens(more));

    [Fact]
    public async Task A_qualifying_bot_starts_by_itself_and_one_without_consent_stays_not_started_with_the_reason()
    {
        await using var host = await StartAsync();
        var (status, body) = await host.AdminAsync(HttpMethod.Get, "/_admin/bots", Lifecycle.OwnerToken);
        Assert.Equal(200, status);
        var bots = body.GetProperty("bots").EnumerateArray().ToDictionary(bot => bot.GetProperty("id").GetString()!);
        Assert.Equal(["noconsent", "pizza", "broken"], bots.Keys);

        Assert.Equal("running", bots["pizza"].GetProperty("state").GetString());
        Assert.Equal("피자나라", bots["pizza"].GetProperty("name").GetString());
        Assert.Equal(3000, bots["pizza"].GetProperty("error_limit").GetInt32());
        Assert.Equal(0, bots["pizza"].GetProperty("errors_today").GetInt32());
        Assert.Equal(JsonValueKind.String, bots["pizza"].GetProperty("version").ValueKind);

        Assert.Equal("not-started", bots["noconsent"].GetProperty("state").GetString());
        Assert.Contains("privacy_consent", bots["noconsent"].GetProperty("reason").GetString(), StringComparison.Ordinal);

        Assert.False(bots["broken"].GetProperty("served").GetBoolean());
        Assert.Contains(bots["broken"].GetProperty("diagnostics").EnumerateArray(), line => line.GetString()!.Contains("error KF", StringComparison.Ordinal));

        // Not started: every endpoint still answers valid JSON; the owner cannot start it until the flow qualifies.
        Assert.Equal("""{"message":{"text":"지금은 서비스를 잠시 쉬고 있어요."},"keyboard":{"type":"buttons","buttons":["안녕"]}}""", await host.MessageTextAsync("noconsent", "u", "안녕"));
        var (refused, answer) = await host.AdminAsync(HttpMethod.Post, "/_admin/bots/noconsent/start", Lifecycle.OwnerToken);
        Assert.Equal(409, refused);
        Assert.Contains("privacy_consent is not true", answer.GetProperty("error").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Sessions_and_friends_are_counted_per_bot()
    {
        await using var host = await StartAsync();
        await host.MessageTextAsync("pizza", "a", "영업 시간");
        await host.MessageTextAsync("pizza", "b", "영업 시간");
        using (await host.PostJsonAsync("/pizza/friend", Json.Friend("a")))
        {
        }

        var (_, bot) = await host.AdminAsync(HttpMethod.Get, "/_admin/bots/pizza", Lifecycle.OwnerToken);
        Assert.Equal(2, bot.GetProperty("sessions").GetInt32());
        Assert.Equal(1, bot.GetProperty("friends").GetInt32());
        Assert.Empty(bot.GetProperty("recent_errors").EnumerateArray());
    }

    [Theory]
    [InlineData("stop")]
    [InlineData("block")]
    public async Task A_stopped_or_blocked_bot_answers_valid_json_on_every_endpoint(string action)
    {
        await using var host = await StartAsync();
        var token = action == "block" ? Lifecycle.OperatorToken : Lifecycle.OwnerToken;
        var (status, _) = await host.AdminAsync(HttpMethod.Post, $"/_admin/bots/pizza/{action}", token, """{"reason":"정책 위반 테스트"}""");
        Assert.Equal(200, status);

        async Task Expect(HttpResponseMessage response, string body)
        {
            using (response)
            {
                Assert.Equal(HttpStatusCode.OK, response.StatusCode);
                Assert.Equal("application/json; charset=utf-8", response.Content.Headers.ContentType?.ToString());
                Assert.Equal(body, Encoding.UTF8.GetString(await response.Content.ReadAsByteArrayAsync()));
            }
        }

        await Expect(await host.Http.GetAsync(new Uri("/pizza/keyboard", UriKind.Relative)), PizzaHome);
        await Expect(await host.SendMessageAsync("pizza", "사용자", "영업 시간"), PizzaStopped);
        await Expect(await host.SendMessageAsync("pizza", "사용자", "https://example.com/a.jpg", "photo"), PizzaStopped);
        await Expect(await host.PostJsonAsync("/pizza/friend", Json.Friend("사용자")), Success);
        await Expect(await host.Http.DeleteAsync(new Uri("/pizza/friend/사용자", UriKind.Relative)), Success);
        await Expect(await host.Http.DeleteAsync(new Uri("/pizza/chat_room/사용자", UriKind.Relative)), Success);
        Assert.Null(host.SessionOf("pizza", "사용자"));
    }

    [Fact]
    public async Task The_owner_cannot_unblock_or_restart_a_blocked_bot_the_operator_can_lift_it()
    {
        await using var host = await StartAsync();
        var (status, body) = await host.AdminAsync(HttpMethod.Post, "/_admin/bots/pizza/block", Lifecycle.OperatorToken, """{"reason":"허위 광고"}""");
        Assert.Equal(200, status);
        Assert.Equal("blocked", body.GetProperty("bot").GetProperty("state").GetString());
        Assert.Equal("허위 광고", body.GetProperty("bot").GetProperty("reason").GetString());

        (status, body) = await host.AdminAsync(HttpMethod.Post, "/_admin/bots/pizza/unblock", Lifecycle.OwnerToken);
        Assert.Equal(403, status);
        Assert.Equal(403, body.GetProperty("status").GetInt32());
        (status, _) = await host.AdminAsync(HttpMethod.Post, "/_admin/bots/pizza/start", Lifecycle.OwnerToken);
        Assert.Equal(409, status);
        (status, _) = await host.AdminAsync(HttpMethod.Post, "/_admin/bots/pizza/stop", Lifecycle.OwnerToken);
        Assert.Equal(409, status);
        Assert.Equal("blocked", await host.StateAsync("pizza"));

        (status, body) = await host.AdminAsync(HttpMethod.Post, "/_admin/bots/pizza/unblock", Lifecycle.OperatorToken);
        Assert.Equal(200, status);
        Assert.Equal("stopped", body.GetProperty("bot").GetProperty("state").GetString());
        (status, _) = await host.AdminAsync(HttpMethod.Post, "/_admin/bots/pizza/start", Lifecycle.OwnerToken);
        Assert.Equal(200, status);
        Assert.Equal("running", await host.StateAsync("pizza"));

        var (_, notes) = await host.AdminAsync(HttpMethod.Get, "/_admin/notifications?bot=pizza", Lifecycle.OwnerToken);
        var kinds = notes.GetProperty("notifications").EnumerateArray().Select(note => note.GetProperty("kind").GetString()).ToList();
        Assert.Equal([NotificationTexts.Unblocked, NotificationTexts.Blocked], kinds);
        Assert.Contains("허위 광고", notes.GetProperty("notifications")[1].GetProperty("text").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_block_needs_a_reason()
    {
        await using var host = await StartAsync();
        var (status, body) = await host.AdminAsync(HttpMethod.Post, "/_admin/bots/pizza/block", Lifecycle.OperatorToken);
        Assert.Equal(400, status);
        Assert.Contains("reason", body.GetProperty("error").GetString(), StringComparison.Ordinal);
        Assert.Equal("running", await host.StateAsync("pizza"));
    }

    [Fact]
    public async Task No_token_is_401_a_wrong_token_is_401_and_the_owner_on_an_operator_action_is_403_all_as_json()
    {
        await using var host = await StartAsync();
        foreach (var token in new string?[] { null, "wrong", "" + Lifecycle.OwnerToken + "x" })
        {
            var (status, body) = await host.AdminAsync(HttpMethod.Get, "/_admin/bots", token);
            Assert.Equal(401, status);
            Assert.Equal(401, body.GetProperty("status").GetInt32());
            (status, _) = await host.AdminAsync(HttpMethod.Post, "/_admin/bots/pizza/stop", token);
            Assert.Equal(401, status);
        }

        foreach (var action in new[] { "block", "unblock" })
        {
            var (status, body) = await host.AdminAsync(HttpMethod.Post, $"/_admin/bots/pizza/{action}", Lifecycle.OwnerToken, """{"reason":"x"}""");
            Assert.Equal(403, status);
            Assert.Equal("only an operator can do this", body.GetProperty("error").GetString());
        }

        // The operator can do everything the owner can.
        foreach (var path in new[] { "/_admin/bots", "/_admin/bots/pizza", "/_admin/notifications" })
        {
            Assert.Equal(200, (await host.AdminAsync(HttpMethod.Get, path, Lifecycle.OperatorToken)).Status);
        }

        Assert.Equal(200, (await host.AdminAsync(HttpMethod.Post, "/_admin/bots/pizza/stop", Lifecycle.OperatorToken)).Status);
        Assert.Equal(200, (await host.AdminAsync(HttpMethod.Post, "/_admin/bots/pizza/start", Lifecycle.OperatorToken)).Status);
        Assert.Equal(404, (await host.AdminAsync(HttpMethod.Get, "/_admin/bots/nobody", Lifecycle.OwnerToken)).Status);
        Assert.DoesNotContain(host.Logs.Lines, line => line.Contains(Lifecycle.OwnerToken, StringComparison.Ordinal) || line.Contains(Lifecycle.OperatorToken, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Stored_states_survive_a_restart_and_win_over_the_automatic_start()
    {
        await using var host = await StartAsync();
        Assert.Equal(200, (await host.AdminAsync(HttpMethod.Post, "/_admin/bots/pizza/stop", Lifecycle.OwnerToken)).Status);
        var changedAt = host.Store.Services.Find("pizza")!.ChangedAt;

        host.Clock.Advance(TimeSpan.FromHours(1));
        await host.RestartAsync();
        Assert.Equal("stopped", await host.StateAsync("pizza"));
        Assert.Equal(changedAt, host.Store.Services.Find("pizza")!.ChangedAt);
        Assert.Equal(PizzaStopped, await host.MessageTextAsync("pizza", "u", "영업 시간"));

        Assert.Equal(200, (await host.AdminAsync(HttpMethod.Post, "/_admin/bots/pizza/block", Lifecycle.OperatorToken, """{"reason":"r"}""")).Status);
        await host.RestartAsync();
        Assert.Equal("blocked", await host.StateAsync("pizza"));
        Assert.Equal("not-started", await host.StateAsync("noconsent"));
    }

    [Theory]
    [InlineData("644")]
    [InlineData("640")]
    [InlineData("620")]
    [InlineData("700")]
    [InlineData("link")]
    public async Task An_existing_token_file_others_may_use_or_that_is_a_link_is_refused_and_serve_exits_1(string kind)
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        var root = Path.Combine(Path.GetTempPath(), "kakaoflow-host-tests", Guid.NewGuid().ToString("N"));
        try
        {
            var bot = Directory.CreateDirectory(Path.Combine(root, "flows", "pizza")).FullName;
            await File.WriteAllTextAsync(Path.Combine(bot, "flow.yaml"), Flows.Pizza);
            var tokenFile = AdminTokenFile.NextTo(Path.Combine(root, "kakaoflow.litedb"));
            var contentFile = tokenFile;
            if (kind == "link")
            {
                contentFile = Path.Combine(root, "someone-elses-token");
                File.CreateSymbolicLink(tokenFile, contentFile);
            }

            await File.WriteAllTextAsync(contentFile, "existing-token-0123456789\n");
            var mode = kind == "link" ? UnixFileMode.UserRead | UnixFileMode.UserWrite : (UnixFileMode)Convert.ToInt32(kind, 8);
            File.SetUnixFileMode(contentFile, mode);

            var stdout = new StringWriter();
            var stderr = new StringWriter();
            var serve = KakaoFlow.Cli.CommandLine.RunAsync(
                ["serve", Path.Combine(root, "flows"), "--data", Path.Combine(root, "kakaoflow.litedb"), "--urls", "http://127.0.0.1:0", "--no-watch"], stdout, stderr);
            Assert.True(await Task.WhenAny(serve, Task.Delay(TimeSpan.FromSeconds(30))) == serve, "serve started anyway:\n" + stdout);

            Assert.Equal(1, await serve);
            var message = stderr.ToString();
            Assert.Contains(tokenFile, message, StringComparison.Ordinal);
            Assert.Contains(kind == "link" ? "symbolic link" : $"mode {kind}", message, StringComparison.Ordinal);
            Assert.Contains(kind == "link" ? "mode 600" : "chmod 600", message, StringComparison.Ordinal);
            Assert.DoesNotContain("listening on", stdout.ToString(), StringComparison.Ordinal);

            // Neither the file nor what a link points to was touched.
            Assert.Equal("existing-token-0123456789\n", await File.ReadAllTextAsync(contentFile));
            Assert.Equal(mode, File.GetUnixFileMode(contentFile));
            Assert.Equal(kind == "link", new FileInfo(tokenFile).LinkTarget is not null);
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    [Fact]
    public async Task A_bot_whose_stored_state_was_lost_does_not_start_by_itself_once_it_has_users()
    {
        await using var host = await StartAsync();
        Assert.Contains("불고기 피자", await host.MessageTextAsync("pizza", "u", "메뉴 보기"), StringComparison.Ordinal);
        Assert.Equal(200, (await host.AdminAsync(HttpMethod.Post, "/_admin/bots/pizza/block", Lifecycle.OperatorToken, """{"reason":"허위 광고"}""")).Status);

        // The services collection loses the bot (an old backup restored, a damaged file rebuilt): its users stay.
        await host.RestartAsync(whileStopped: () =>
        {
            using var database = new LiteDB.LiteDatabase(host.DataFile);
            Assert.Equal(2, database.GetCollection("services").DeleteAll());
        });

        var (_, bot) = await host.AdminAsync(HttpMethod.Get, "/_admin/bots/pizza", Lifecycle.OwnerToken);
        Assert.Equal("not-started", bot.GetProperty("state").GetString());
        Assert.Contains("may have been lost", bot.GetProperty("reason").GetString(), StringComparison.Ordinal);
        Assert.Equal(PizzaStopped, await host.MessageTextAsync("pizza", "u", "영업 시간"));

        // A bot nobody has used yet still starts by itself.
        Assert.Equal("not-started", await host.StateAsync("noconsent"));
    }

    [Fact]
    public async Task Without_an_owner_token_one_is_generated_once_kept_with_mode_600_and_only_its_path_is_logged()
    {
        await using var host = await TestHost.StartPizzaAsync();
        var file = AdminTokenFile.NextTo(host.DataFile);
        Assert.True(File.Exists(file));
        var token = (await File.ReadAllTextAsync(file)).Trim();
        Assert.True(token.Length >= 40, token);
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(file));
        }

        Assert.Contains(host.Logs.Lines, line => line.Contains(file, StringComparison.Ordinal));
        Assert.DoesNotContain(host.Logs.Lines, line => line.Contains(token, StringComparison.Ordinal));
        Assert.Equal(200, (await host.AdminAsync(HttpMethod.Get, "/_admin/bots", token)).Status);
        Assert.Equal(403, (await host.AdminAsync(HttpMethod.Post, "/_admin/bots/pizza/unblock", token)).Status);

        await host.RestartAsync();
        Assert.Equal(token, (await File.ReadAllTextAsync(file)).Trim());
        Assert.Equal(200, (await host.AdminAsync(HttpMethod.Get, "/_admin/bots", token)).Status);
    }
}
