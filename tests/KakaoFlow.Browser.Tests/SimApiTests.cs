using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using KakaoFlow.Browser.Tests.Support;
using KakaoFlow.Cli;

namespace KakaoFlow.Browser.Tests;

/// <summary>The simulator's HTTP side without a browser: what it refuses, what it serves, and that it needs no internet.</summary>
public sealed partial class SimApiTests : IAsyncLifetime
{
    private SimServer _server = null!;

    private HttpClient Http => _server.Http;

    public async Task InitializeAsync() => _server = await SimServer.StartAsync();

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [GeneratedRegex("""(?:src|href)="([^"]*)"|url\(([^)]*)\)""")]
    private static partial Regex Reference();

    [Theory]
    [InlineData("/")]
    [InlineData("/pizza")]
    public async Task Every_script_and_style_of_the_pages_is_served_by_the_simulator_itself(string page)
    {
        using var response = await Http.GetAsync(page);
        var html = await response.Content.ReadAsStringAsync();
        // And the browser is told to run scripts, and to load styles and connect, from here only.
        var policy = string.Join(' ', response.Headers.GetValues("Content-Security-Policy"));
        Assert.StartsWith("default-src 'self';", policy, StringComparison.Ordinal);
        Assert.DoesNotContain("script-src", policy, StringComparison.Ordinal);
        Assert.Contains("style-src 'self' 'unsafe-inline';", policy, StringComparison.Ordinal);
        Assert.Contains("connect-src 'self'", policy, StringComparison.Ordinal);
        var references = Reference().Matches(html).Select(m => m.Groups[1].Success ? m.Groups[1].Value : m.Groups[2].Value).ToList();

        Assert.NotEmpty(references);
        foreach (var reference in references.Where(r => r != "/" && !r.StartsWith("data:", StringComparison.Ordinal)))
        {
            Assert.StartsWith("/_sim/", reference, StringComparison.Ordinal);
            using var file = await Http.GetAsync(reference);
            Assert.Equal(HttpStatusCode.OK, file.StatusCode);
        }

        var css = await Http.GetStringAsync("/_sim/sim.css");
        Assert.DoesNotContain("http", string.Concat(Reference().Matches(css).Select(m => m.Value)), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("/")]
    [InlineData("/pizza")]
    public async Task Pages_are_written_in_the_simulators_language_with_every_text_filled_in(string page)
    {
        var html = await Http.GetStringAsync(page);

        Assert.Contains("<html lang=\"ko\">", html, StringComparison.Ordinal);
        Assert.Contains("<title>KakaoFlow 시뮬레이터</title>", html, StringComparison.Ordinal);
        Assert.DoesNotContain("{{", html, StringComparison.Ordinal);
    }

    [GeneratedRegex("""data-testid="([a-z0-9-]+)"|dataset\.testid = '([a-z0-9-]+)'""")]
    private static partial Regex TestId();

    [Fact]
    public async Task Every_hook_the_issue_names_is_on_the_pages_and_every_hook_of_the_pages_is_in_the_README()
    {
        string[] named = ["bot-message", "user-message", "keyboard-button", "text-input", "send", "vars", "current-step",
            "clock-forward-10m", "reset", "graph", "reload-notice", "diagnostics", "bot-status"];
        var files = await Task.WhenAll(new[] { "/pizza", "/", "/_sim/bot.js", "/_sim/index.js" }.Select(path => Http.GetStringAsync(path)));
        var onPages = files.SelectMany(text => TestId().Matches(text)).Select(m => m.Groups[1].Success ? m.Groups[1].Value : m.Groups[2].Value).ToHashSet();
        var readme = await File.ReadAllTextAsync(Path.Combine(Repo.Root, "README.md"));
        var hooks = readme[readme.IndexOf("Stable hooks for tests and automation", StringComparison.Ordinal)..];
        hooks = hooks[..hooks.IndexOf("\n\n", StringComparison.Ordinal)];
        var simulatorMd = await File.ReadAllTextAsync(Path.Combine(Repo.Root, "docs", "simulator.md"));

        Assert.Subset(onPages, named.ToHashSet());
        Assert.All(onPages, id => Assert.Contains($"`{id}`", hooks, StringComparison.Ordinal));
        Assert.All(onPages, id => Assert.Contains($"`{id}`", simulatorMd, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Files_carry_an_etag_and_mermaid_ships_with_its_licence()
    {
        using var first = await Http.GetAsync("/_sim/mermaid.min.js");
        var etag = first.Headers.ETag;
        using var again = new HttpRequestMessage(HttpMethod.Get, "/_sim/mermaid.min.js");
        again.Headers.IfNoneMatch.Add(etag!);
        using var second = await Http.SendAsync(again);
        var licence = await Http.GetStringAsync("/_sim/mermaid.LICENSE.txt");

        Assert.Equal("text/javascript", first.Content.Headers.ContentType?.MediaType);
        Assert.True(first.Content.Headers.ContentLength > 1_000_000);
        Assert.Equal(HttpStatusCode.NotModified, second.StatusCode);
        Assert.Contains("The MIT License", licence, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.NotFound, (await Http.GetAsync("/_sim/nothing.js")).StatusCode);
    }

    [Fact]
    public async Task Bad_requests_are_refused_and_change_nothing()
    {
        Assert.Equal(HttpStatusCode.BadRequest, (await Http.GetAsync("/_api/bots/pizza/state?user=a%20b")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await Http.GetAsync("/_api/bots/nobot/state?user=u1")).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await Http.PostAsJsonAsync("/_api/bots/pizza/clock", new { user = "u1", by = "soon" })).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await Http.PostAsJsonAsync("/_api/bots/pizza/send", new { user = "u1", photo = "file:///etc/passwd" })).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await Http.PostAsJsonAsync("/_api/bots/pizza/send", new { user = "u1" })).StatusCode);

        var state = await Http.GetFromJsonAsync<JsonElement>("/_api/bots/pizza/state?user=u1");
        Assert.Equal("home", state.GetProperty("user").GetProperty("step").GetString());
        Assert.Equal(0, state.GetProperty("user").GetProperty("entries").GetArrayLength());
    }

    [Fact]
    public async Task A_bot_that_never_compiled_answers_its_diagnostics_as_check_prints_them()
    {
        var folder = Directory.CreateDirectory(Path.Combine(_server.FlowsDirectory, "broken")).FullName;
        await File.WriteAllTextAsync(Path.Combine(folder, "flow.yaml"), "home:\n  - 가기: { goto: nowhere }\n");
        var check = new StringWriter();
        await CommandLine.RunAsync(["check", folder, "--lang", "ko"], check, new StringWriter()); // the simulator's language
        var expected = check.ToString().ReplaceLineEndings("\n").Split('\n').Where(l => l.Contains(": error ", StringComparison.Ordinal) || l.Contains(": warning ", StringComparison.Ordinal));

        using var response = await Http.PostAsJsonAsync("/_api/bots/broken/send", new { user = "u1", text = "가기" });
        var state = await response.Content.ReadFromJsonAsync<JsonElement>();

        Assert.Equal(HttpStatusCode.Conflict, response.StatusCode);
        Assert.Equal(JsonValueKind.Null, state.GetProperty("user").ValueKind);
        Assert.False(state.GetProperty("status").GetProperty("served").GetBoolean());
        Assert.Equal(expected, state.GetProperty("status").GetProperty("diagnostics").EnumerateArray().Select(d => d.GetProperty("line").GetString()));
    }

    [Fact]
    public async Task Hook_logs_and_problems_join_the_conversation_and_the_clock_moves_only_when_asked()
    {
        var folder = Directory.CreateDirectory(Path.Combine(_server.FlowsDirectory, "hooks")).FullName;
        await File.WriteAllTextAsync(Path.Combine(folder, "flow.yaml"), """
            name: 훅
            monitor: { phone: "010-0000-0000" }
            privacy_consent: true
            settings: { hook_timeout: 4s }
            home:
              - 시각: { js: "log('지금 ' + now()); say(now());" }
              - 고장: { js: "throw new Error('깨짐');" }
              - 무한: { js: "while (true) {}" }
            """);
        using var wait = await Http.PostAsJsonAsync("/_api/bots/hooks/clock", new { user = "u1", by = "1d" });
        Assert.Equal(HttpStatusCode.OK, wait.StatusCode);

        using var first = await Http.PostAsJsonAsync("/_api/bots/hooks/send", new { user = "u1", text = "시각" });
        using var second = await Http.PostAsJsonAsync("/_api/bots/hooks/send", new { user = "u1", text = "고장" });
        var entries = (await second.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("user").GetProperty("entries").EnumerateArray()
            .Select(e => (Kind: e.GetProperty("kind").GetString(), Text: e.GetProperty("text").GetString()))
            .ToList();

        Assert.Equal(("note", "시계 +1d → 2026-01-06 (화) 10:00 KST"), entries[0]);
        Assert.Equal(("bot", "2026-01-06T10:00:00.000+09:00"), entries[2]);
        Assert.Equal("log", entries[3].Kind);
        Assert.EndsWith(": 지금 2026-01-06T10:00:00.000+09:00", entries[3].Text, StringComparison.Ordinal);
        Assert.Equal("issue", entries[^1].Kind);
        Assert.StartsWith("! HookError at ", entries[^1].Text, StringComparison.Ordinal);
        Assert.Contains("깨짐", entries[^1].Text, StringComparison.Ordinal);

        // The sandbox of serve: a hook that never ends is stopped, and the user still gets an answer.
        using var third = await Http.PostAsJsonAsync("/_api/bots/hooks/send", new { user = "u1", text = "무한" });
        var after = (await third.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("user").GetProperty("entries").EnumerateArray().ToList();
        Assert.Equal(("user", "무한"), (after[^3].GetProperty("kind").GetString(), after[^3].GetProperty("text").GetString()));
        Assert.Equal("bot", after[^2].GetProperty("kind").GetString());
        Assert.Equal("issue", after[^1].GetProperty("kind").GetString());
        Assert.StartsWith("! HookLimit at ", after[^1].GetProperty("text").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Bot_data_is_shared_in_memory_and_no_file_is_written()
    {
        var folder = Directory.CreateDirectory(Path.Combine(_server.FlowsDirectory, "counter")).FullName;
        await File.WriteAllTextAsync(Path.Combine(folder, "flow.yaml"), """
            name: 세기
            monitor: { phone: "010-0000-0000" }
            privacy_consent: true
            home:
              - 하나 더: { js: "say('지금 ' + data.update('count', (n) => (n || 0) + 1) + '번째');" }
            """);
        var before = Files();

        foreach (var user in new[] { "u1", "u2", "u1" })
        {
            using var turn = await Http.PostAsJsonAsync("/_api/bots/counter/send", new { user, text = "하나 더" });
            Assert.Equal(HttpStatusCode.OK, turn.StatusCode);
        }

        var state = await Http.GetFromJsonAsync<JsonElement>("/_api/bots/counter/state?user=u1");
        var replies = state.GetProperty("user").GetProperty("entries").EnumerateArray()
            .Where(e => e.GetProperty("kind").GetString() == "bot").Select(e => e.GetProperty("text").GetString());
        Assert.Equal(["지금 1번째", "지금 3번째"], replies);

        // No session file, data file or journal, neither beside the bots nor where serve would keep its state.
        Assert.Equal(before, Files());

        List<string> Files() =>
        [
            .. Directory.GetFiles(_server.FlowsDirectory, "*", SearchOption.AllDirectories)
                .Select(f => $"{f} {new FileInfo(f).Length} {File.GetLastWriteTimeUtc(f):O}"),
            .. Directory.GetFiles(Directory.GetCurrentDirectory()).Select(Path.GetFileName)
                .Where(name => name!.StartsWith("kakaoflow.litedb", StringComparison.Ordinal) || name == "kakaoflow.admin-token")
                .Select(name => name!),
        ];
    }

    [Fact]
    public async Task The_command_refuses_a_missing_flows_folder()
    {
        var stderr = new StringWriter();

        var exit = await CommandLine.RunAsync(["sim", Path.Combine(_server.FlowsDirectory, "none")], new StringWriter(), stderr);

        Assert.Equal(1, exit);
        Assert.Contains("does not exist", stderr.ToString(), StringComparison.Ordinal);
    }
}
