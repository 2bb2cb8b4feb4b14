using System.Diagnostics;
using System.Net;
using System.Text;
using System.Text.Json;
using KakaoFlow.Host.Tests.Support;
using KakaoFlow.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Xunit.Abstractions;

namespace KakaoFlow.Host.Tests;

/// <summary>
/// Hot reload over real HTTP with the real file system: edits made the way editors make them, while requests run.
/// Waits are polls with a generous bound (10 s) so a slow machine does not flake; the typical latency is printed.
/// </summary>
public sealed class HotReloadTests(ITestOutputHelper output) : IAsyncLifetime
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(10);

    private TestHost _host = null!;

    public async Task InitializeAsync() => _host = await TestHost.StartAsync(new Dictionary<string, string> { ["hello"] = Hello(1) });

    public async Task DisposeAsync() => await _host.DisposeAsync();

    private BotCatalog Catalog => _host.App.Services.GetRequiredService<BotCatalog>();

    private string FlowFile(string botId = "hello") => Path.Combine(_host.FlowsDirectory, botId, "flow.yaml");

    /// <summary>Version <paramref name="n"/>: its answers name the number; step <c>menu</c> only while <paramref name="withMenu"/>.</summary>
    private static string Hello(int n, bool withMenu = true) => Flows.Header + $"""
        home:
          - 인사: 안녕하세요 v{n}
        {(withMenu ? "  - 메뉴: { goto: menu }\n" : "")}
        steps:
        {(withMenu ? $"  menu:\n    say: 메뉴 v{n}\n    buttons:\n      - 하나: 하나 v{n}\n      - 둘: 둘 v{n}\n" : "  unused:\n    say: 없음\n")}
        """;

    private const string BadHello = Flows.Header + """
        home:
          - 인사: { goto: nowhere }
        """;

    private async Task<string> GreetingAsync(string botId = "hello")
    {
        using var response = await _host.SendMessageAsync(botId, "greeter", "인사");
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, body);
        return body;
    }

    /// <summary>Polls until <paramref name="done"/>; returns how long it took. Fails past <see cref="Bound"/>.</summary>
    private static async Task<TimeSpan> UntilAsync(Func<Task<bool>> done, string what)
    {
        var watch = Stopwatch.StartNew();
        while (!await done())
        {
            Assert.True(watch.Elapsed < Bound, $"not within {Bound.TotalSeconds} s: {what}");
            await Task.Delay(10);
        }

        return watch.Elapsed;
    }

    /// <summary>Polls until version <paramref name="n"/> answers (a bot not served yet answers 400 meanwhile).</summary>
    private Task<TimeSpan> UntilGreetingAsync(int n, string botId = "hello") =>
        UntilAsync(async () =>
        {
            using var response = await _host.SendMessageAsync(botId, "greeter", "인사");
            return response.StatusCode == HttpStatusCode.OK
                && (await response.Content.ReadAsStringAsync()).Contains($"안녕하세요 v{n}\"", StringComparison.Ordinal);
        }, $"version {n} of {botId} answers");

    /// <summary>Writes the way editors that save "atomically" do: a temporary file renamed over the old one.</summary>
    private static void SaveByReplace(string file, string text)
    {
        var temporary = file + ".tmp" + Guid.NewGuid().ToString("N")[..6];
        File.WriteAllText(temporary, text, Encoding.UTF8);
        File.Move(temporary, file, overwrite: true);
    }

    /// <summary>Vim without <c>backupcopy</c>: the old file is renamed away, a new one written, the backup deleted.</summary>
    private static void SaveByRenameAway(string file, string text)
    {
        var backup = file + "~";
        File.Move(file, backup, overwrite: true);
        Thread.Sleep(30);
        File.WriteAllText(file, text, Encoding.UTF8);
        File.Delete(backup);
    }

    private string LogsWith(string text) =>
        string.Join("\n", _host.Logs.Lines.Where(line => line.Contains(text, StringComparison.Ordinal)));

    [Fact]
    public async Task A_good_edit_goes_live_and_the_log_names_old_and_new_version()
    {
        var v1 = Catalog.Find("hello")!.Version;
        Assert.Contains("안녕하세요 v1", await GreetingAsync(), StringComparison.Ordinal);

        File.WriteAllText(FlowFile(), Hello(2), Encoding.UTF8);
        var took = await UntilGreetingAsync(2);
        output.WriteLine($"edit in place: live after {took.TotalMilliseconds:F0} ms");

        var v2 = Catalog.Find("hello")!.Version;
        Assert.NotEqual(v1, v2);
        Assert.Contains($"Reloaded bot hello: version {v1} -> {v2}", LogsWith("Reloaded bot hello"), StringComparison.Ordinal);
        Assert.Equal(v2, _host.SessionOf("hello", "greeter")!.FlowVersion);
        Assert.Equal($"serving version {v2}", Catalog.Status("hello")!.Summary);
    }

    [Fact]
    public async Task Reload_latency_over_several_edits()
    {
        var times = new List<double>();
        for (var n = 2; n <= 8; n++)
        {
            File.WriteAllText(FlowFile(), Hello(n), Encoding.UTF8);
            times.Add((await UntilGreetingAsync(n)).TotalMilliseconds);
        }

        times.Sort();
        output.WriteLine($"save -> new answer over HTTP, ms: {string.Join(", ", times.Select(t => t.ToString("F0", System.Globalization.CultureInfo.InvariantCulture)))}; median {times[times.Count / 2]:F0}");
    }

    [Fact]
    public async Task A_bad_edit_keeps_the_last_good_version_and_shows_why_until_it_is_fixed()
    {
        var v1 = Catalog.Find("hello")!.Version;
        File.WriteAllText(FlowFile(), BadHello, Encoding.UTF8);
        await UntilAsync(() => Task.FromResult(Catalog.Status("hello")!.LastReloadFailed), "the failed reload is recorded");

        // Still answering, with the old version.
        Assert.Contains("안녕하세요 v1", await GreetingAsync(), StringComparison.Ordinal);
        Assert.Equal(v1, Catalog.Find("hello")!.Version);

        var status = Catalog.Status("hello")!;
        Assert.Equal($"last reload failed (1 error), serving version {v1}", status.Summary);
        var line = Assert.Single(status.DiagnosticLines, l => l.Contains(": error KF", StringComparison.Ordinal));
        Assert.StartsWith(Path.Combine(_host.FlowsDirectory, "hello", "flow.yaml") + ":", line, StringComparison.Ordinal);
        Assert.Contains("nowhere", line, StringComparison.Ordinal);

        // The log has the same line, as `kakaoflow check` prints it, and says what keeps serving.
        Assert.Contains(line, LogsWith(": error KF"), StringComparison.Ordinal);
        Assert.Contains($"still serving version {v1}", LogsWith("Reload of bot hello failed"), StringComparison.Ordinal);

        File.WriteAllText(FlowFile(), Hello(3), Encoding.UTF8);
        await UntilGreetingAsync(3);
        status = Catalog.Status("hello")!;
        Assert.False(status.LastReloadFailed);
        Assert.Equal(0, status.Errors);
        Assert.Contains($"version {v1} -> {status.Version}", LogsWith("Reloaded bot hello"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Saving_by_rename_and_replace_goes_live_without_a_moment_unserved()
    {
        using var stop = new CancellationTokenSource();
        var failures = new List<string>();
        var watching = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                using var response = await _host.SendMessageAsync("hello", "watcher", "인사");
                if (response.StatusCode != HttpStatusCode.OK)
                {
                    failures.Add(await response.Content.ReadAsStringAsync());
                }
            }
        });

        SaveByReplace(FlowFile(), Hello(2));
        var replace = await UntilGreetingAsync(2);
        SaveByRenameAway(FlowFile(), Hello(3));
        var renameAway = await UntilGreetingAsync(3);
        await stop.CancelAsync();
        await watching;

        output.WriteLine($"temp file renamed over: {replace.TotalMilliseconds:F0} ms; renamed away and rewritten: {renameAway.TotalMilliseconds:F0} ms");
        Assert.Empty(failures);
        Assert.Empty(LogsWith("Bot hello removed"));
    }

    [Fact]
    public async Task Several_quick_saves_end_with_the_last_one()
    {
        for (var n = 2; n <= 9; n++)
        {
            File.WriteAllText(FlowFile(), Hello(n), Encoding.UTF8);
            await Task.Delay(15);
        }

        await UntilGreetingAsync(9);
        await Task.Delay(600);
        Assert.Contains("안녕하세요 v9", await GreetingAsync(), StringComparison.Ordinal);

        // Debounced: far fewer compiles than saves, and the last one is what serves.
        var reloads = _host.Logs.Lines.Count(line => line.Contains("Reloaded bot hello", StringComparison.Ordinal));
        output.WriteLine($"8 saves 15 ms apart -> {reloads} reload(s)");
        Assert.InRange(reloads, 1, 8);
    }

    [Fact]
    public async Task Editing_a_script_file_goes_live()
    {
        var folder = Path.Combine(_host.FlowsDirectory, "hello");
        File.WriteAllText(Path.Combine(folder, "greet.js"), "function greet() { return 'js v1'; }", Encoding.UTF8);
        File.WriteAllText(FlowFile(), Flows.Header + """
            scripts: [greet.js]
            home:
              - 인사:
                  js: "vars.greeting = greet()"
                  say: "{{greeting}}"
            """, Encoding.UTF8);
        await UntilAsync(async () => (await GreetingAsync()).Contains("js v1", StringComparison.Ordinal), "the scripted flow answers");

        SaveByReplace(Path.Combine(folder, "greet.js"), "function greet() { return 'js v2'; }");
        var took = await UntilAsync(async () => (await GreetingAsync()).Contains("js v2", StringComparison.Ordinal), "the edited script answers");
        output.WriteLine($".js edit: live after {took.TotalMilliseconds:F0} ms");
    }

    [Fact]
    public async Task A_new_bot_folder_starts_serving_and_a_removed_one_stops()
    {
        using (var before = await _host.Http.GetAsync(new Uri("/fresh/keyboard", UriKind.Relative)))
        {
            Assert.Equal(HttpStatusCode.BadRequest, before.StatusCode);
        }

        var folder = Path.Combine(_host.FlowsDirectory, "fresh");
        Directory.CreateDirectory(folder);
        File.WriteAllText(Path.Combine(folder, "flow.yaml"), Hello(7), Encoding.UTF8);
        var added = await UntilGreetingAsync(7, "fresh");
        output.WriteLine($"new bot folder: serving after {added.TotalMilliseconds:F0} ms");
        using (var keyboard = await _host.Http.GetAsync(new Uri("/fresh/keyboard", UriKind.Relative)))
        {
            Assert.Equal(HttpStatusCode.OK, keyboard.StatusCode);
        }

        Assert.Contains("Serving bot fresh", LogsWith("Serving bot fresh"), StringComparison.Ordinal);

        Directory.Delete(Path.Combine(_host.FlowsDirectory, "hello"), recursive: true);
        var removed = await UntilAsync(async () =>
        {
            using var response = await _host.SendMessageAsync("hello", "greeter", "인사");
            return response.StatusCode == HttpStatusCode.BadRequest
                && (await response.Content.ReadAsStringAsync()).Contains("\"code\":202", StringComparison.Ordinal);
        }, "the removed bot answers as an unknown bot");
        output.WriteLine($"removed bot folder: unknown after {removed.TotalMilliseconds:F0} ms");
        Assert.Null(Catalog.Status("hello"));
        Assert.Contains("Bot hello removed", LogsWith("Bot hello removed"), StringComparison.Ordinal);
        Assert.Contains("안녕하세요 v7", await GreetingAsync("fresh"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_new_bot_folder_with_errors_is_listed_with_its_diagnostics_and_served_once_fixed()
    {
        var folder = Path.Combine(_host.FlowsDirectory, "draft");
        Directory.CreateDirectory(folder);
        File.WriteAllText(Path.Combine(folder, "flow.yaml"), BadHello, Encoding.UTF8);
        await UntilAsync(() => Task.FromResult(Catalog.Status("draft") is not null), "the draft is seen");

        var status = Catalog.Status("draft")!;
        Assert.False(status.Served);
        Assert.Equal("not served: 1 error in its flow", status.Summary);
        Assert.Contains("draft", Catalog.Refused);

        SaveByReplace(Path.Combine(folder, "flow.yaml"), Hello(4));
        await UntilGreetingAsync(4, "draft");
        Assert.DoesNotContain("draft", Catalog.Refused);
    }

    [Fact]
    public async Task A_user_at_a_step_that_the_edit_deleted_continues_from_Home()
    {
        using (var response = await _host.SendMessageAsync("hello", "deep", "메뉴"))
        {
            Assert.Contains("메뉴 v1", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }

        Assert.Equal("menu", _host.SessionOf("hello", "deep")!.StepId);
        var v1 = _host.SessionOf("hello", "deep")!.FlowVersion;

        File.WriteAllText(FlowFile(), Hello(2, withMenu: false), Encoding.UTF8);
        await UntilGreetingAsync(2);
        var v2 = Catalog.Find("hello")!.Version;

        // A button of the deleted step: not an error, the Home keyboard with the fallback text.
        using (var response = await _host.SendMessageAsync("hello", "deep", "하나"))
        {
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            var body = await response.Content.ReadAsStringAsync();
            Assert.Contains("아래 버튼 중에서 선택해 주세요.", body, StringComparison.Ordinal);
            Assert.Contains("""["인사"]""", body, StringComparison.Ordinal);
            Assert.DoesNotContain("오류", body, StringComparison.Ordinal);
        }

        var session = _host.SessionOf("hello", "deep")!;
        Assert.Equal("home", session.StepId);
        Assert.Equal(v2, session.FlowVersion);
        Assert.Contains($"step menu of version {v1} is not in version {v2}; continuing from Home", LogsWith("continuing from Home"), StringComparison.Ordinal);

        // And the Home buttons work from there.
        Assert.Contains("안녕하세요 v2", await _host.MessageTextAsync("hello", "deep", "인사"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_user_at_a_step_deleted_by_the_edit_who_presses_a_Home_button_gets_its_answer()
    {
        await _host.MessageTextAsync("hello", "deep2", "메뉴");
        File.WriteAllText(FlowFile(), Hello(2, withMenu: false), Encoding.UTF8);
        await UntilGreetingAsync(2);
        Assert.Contains("안녕하세요 v2", await _host.MessageTextAsync("hello", "deep2", "인사"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Requests_during_repeated_reloads_all_succeed()
    {
        using var stop = new CancellationTokenSource();
        var failures = new System.Collections.Concurrent.ConcurrentQueue<string>();
        var answered = 0;
        var clients = Enumerable.Range(0, 4).Select(client => Task.Run(async () =>
        {
            string[] walk = ["메뉴", "하나", "메뉴", "둘", "인사", "없는 버튼"];
            var i = 0;
            while (!stop.IsCancellationRequested)
            {
                var content = walk[i++ % walk.Length];
                try
                {
                    using var response = client % 2 == 0 || i % 3 != 0
                        ? await _host.SendMessageAsync("hello", $"client-{client}", content)
                        : await _host.Http.GetAsync(new Uri("/hello/keyboard", UriKind.Relative));
                    var body = await response.Content.ReadAsStringAsync();
                    if (response.StatusCode != HttpStatusCode.OK || !IsValidAnswer(body))
                    {
                        failures.Enqueue($"{(int)response.StatusCode} {body}");
                    }

                    Interlocked.Increment(ref answered);
                }
                catch (HttpRequestException e)
                {
                    failures.Enqueue(e.Message);
                }
            }
        })).ToList();

        // Edits every 60-150 ms for 4 s: good versions with and without the menu step, and now and then a bad one.
        var edits = 0;
        var random = new Random(7);
        var until = Stopwatch.StartNew();
        while (until.Elapsed < TimeSpan.FromSeconds(4))
        {
            edits++;
            var text = edits % 5 == 0 ? BadHello : Hello(edits, withMenu: edits % 2 == 0);
            if (edits % 3 == 0)
            {
                SaveByReplace(FlowFile(), text);
            }
            else
            {
                File.WriteAllText(FlowFile(), text, Encoding.UTF8);
            }

            await Task.Delay(random.Next(60, 150));
        }

        File.WriteAllText(FlowFile(), Hello(1000), Encoding.UTF8);
        await UntilGreetingAsync(1000);
        await stop.CancelAsync();
        await Task.WhenAll(clients);

        var reloads = _host.Logs.Lines.Count(line => line.Contains("Reloaded bot hello", StringComparison.Ordinal));
        output.WriteLine($"{answered} answers during {edits} edits ({reloads} reloads); failures: {failures.Count}");
        Assert.Empty(failures);
        Assert.True(reloads >= 5, $"only {reloads} reloads happened");
        Assert.True(answered > 40, $"only {answered} answers");
        Assert.Empty(LogsWith("failed; answered messages.error"));
    }

    /// <summary>A Kakao answer: a keyboard, or a message with text and (for messages) a keyboard; never messages.error.</summary>
    private static bool IsValidAnswer(string body)
    {
        using var document = JsonDocument.Parse(body);
        var root = document.RootElement;
        if (root.TryGetProperty("type", out var type))
        {
            return type.GetString() == "buttons" && root.GetProperty("buttons").GetArrayLength() > 0;
        }

        return root.TryGetProperty("message", out var message)
            && message.TryGetProperty("text", out var text)
            && text.GetString() is { Length: > 0 } shown
            && !shown.Contains("오류", StringComparison.Ordinal)
            && root.TryGetProperty("keyboard", out _);
    }

    [Fact]
    public async Task A_flow_yaml_missing_for_a_moment_keeps_the_bot_and_one_gone_for_good_stops_it()
    {
        var answers = new List<HttpStatusCode>();
        File.Move(FlowFile(), FlowFile() + ".old");
        var away = Stopwatch.StartNew();
        while (away.Elapsed < TimeSpan.FromMilliseconds(300))
        {
            using var response = await _host.SendMessageAsync("hello", "greeter", "인사");
            answers.Add(response.StatusCode);
            await Task.Delay(60);
        }

        File.Move(FlowFile() + ".old", FlowFile());
        await Task.Delay(BotCatalog.MissingFlowGrace + TimeSpan.FromMilliseconds(500));
        Assert.All(answers, status => Assert.Equal(HttpStatusCode.OK, status));
        Assert.Contains("안녕하세요 v1", await GreetingAsync(), StringComparison.Ordinal);
        Assert.Empty(LogsWith("Bot hello removed"));

        File.Delete(FlowFile());
        var took = await UntilAsync(() => Task.FromResult(Catalog.Find("hello") is null), "the bot without flow.yaml stops");
        Assert.True(took >= BotCatalog.MissingFlowGrace - TimeSpan.FromMilliseconds(100), $"stopped after {took.TotalMilliseconds} ms, before the grace");
        Assert.Contains("Bot hello removed", LogsWith("Bot hello removed"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task When_file_events_are_lost_the_poll_still_finds_the_change()
    {
        await using var host = await TestHost.StartAsync(
            new Dictionary<string, string> { ["hello"] = Hello(1) },
            options => options with { WatchFileEvents = false, WatchPollInterval = TimeSpan.FromMilliseconds(300) });
        File.WriteAllText(Path.Combine(host.FlowsDirectory, "hello", "flow.yaml"), Hello(2), Encoding.UTF8);
        var took = await UntilAsync(
            async () => (await host.MessageTextAsync("hello", "u", "인사")).Contains("안녕하세요 v2", StringComparison.Ordinal),
            "the poll reloads");
        output.WriteLine($"poll only (300 ms): live after {took.TotalMilliseconds:F0} ms");
    }

    [Fact]
    public async Task A_request_running_during_the_swap_finishes_on_the_version_it_started_with()
    {
        var runtime = new KakaoFlow.Runtime.FlowRuntime();
        using var entered = new ManualResetEventSlim();
        using var release = new ManualResetEventSlim();
        await using var host = await TestHost.StartAsync(
            new Dictionary<string, string> { ["hello"] = Hello(1) },
            options => options with
            {
                Stepper = (flow, session, turn, now, cancellation) =>
                {
                    if (turn.Content == "천천히 인사")
                    {
                        entered.Set();
                        release.Wait(cancellation);
                        turn = KakaoFlow.Runtime.Turn.Text("인사");
                    }

                    return runtime.Step(flow, session, turn, now, cancellation);
                },
            });
        var slow = host.MessageTextAsync("hello", "slow", "천천히 인사");
        Assert.True(entered.Wait(Bound), "the slow turn did not start");
        var v1 = host.App.Services.GetRequiredService<BotCatalog>().Find("hello")!.Version;

        File.WriteAllText(Path.Combine(host.FlowsDirectory, "hello", "flow.yaml"), Hello(2), Encoding.UTF8);
        await UntilAsync(
            async () => (await host.MessageTextAsync("hello", "other", "인사")).Contains("안녕하세요 v2", StringComparison.Ordinal),
            "version 2 answers other users");

        release.Set();
        Assert.Contains("안녕하세요 v1", await slow, StringComparison.Ordinal);
        Assert.Equal(v1, host.SessionOf("hello", "slow")!.FlowVersion);
    }

    [Fact]
    public async Task With_watching_off_an_edit_is_not_served()
    {
        await using var host = await TestHost.StartAsync(
            new Dictionary<string, string> { ["hello"] = Hello(1) },
            options => options with { Watch = false });
        File.WriteAllText(Path.Combine(host.FlowsDirectory, "hello", "flow.yaml"), Hello(2), Encoding.UTF8);
        await Task.Delay(1500);
        Assert.Contains("안녕하세요 v1", await host.MessageTextAsync("hello", "u", "인사"), StringComparison.Ordinal);
        Assert.True(host.App.Services.GetRequiredService<FlowWatcher>().ExecuteTask?.IsCompleted, "the watcher does not run");
    }
}
