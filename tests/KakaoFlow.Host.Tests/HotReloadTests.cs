using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Text;
using System.Text.Json;
using KakaoFlow.Compiling;
using KakaoFlow.Host.Tests.Support;
using KakaoFlow.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Xunit.Abstractions;

namespace KakaoFlow.Host.Tests;

/// <summary>
/// Hot reload over real HTTP with the real file system: edits made the way editors make them, while requests run.
/// A test arms a wait for the catalog change it expects (<see cref="BotCatalog.Changed"/>), makes the edit, and
/// awaits the change; <see cref="Bound"/> is only there so that a reload that never comes fails the test instead of
/// hanging it. The typical latency is printed.
/// </summary>
public sealed class HotReloadTests(ITestOutputHelper output) : IAsyncLifetime
{
    private static readonly TimeSpan Bound = CatalogChanges.Bound;

    private TestHost _host = null!;
    private CatalogChanges _changes = null!;

    public async Task InitializeAsync()
    {
        _host = await TestHost.StartAsync(new Dictionary<string, string> { ["hello"] = Hello(1) });
        _changes = new CatalogChanges(Catalog);
    }

    public async Task DisposeAsync()
    {
        _changes.Dispose();
        await _host.DisposeAsync();
    }

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

    /// <summary>
    /// Polls until <paramref name="done"/>, for a state the catalog reaches without raising a change (a pending
    /// removal cleared); returns how long it took. Fails past <see cref="Bound"/>.
    /// </summary>
    private static async Task<TimeSpan> UntilAsync(Func<bool> done, string what)
    {
        var watch = Stopwatch.StartNew();
        while (!done())
        {
            Assert.True(watch.Elapsed < Bound, $"not within {Bound.TotalSeconds} s: {what}");
            await Task.Delay(10);
        }

        return watch.Elapsed;
    }

    /// <summary>Writes version <paramref name="n"/> and awaits its swap; checks that it answers over HTTP; returns the time to the swap.</summary>
    private async Task<TimeSpan> EditAsync(int n, Action<string, string> save, string botId = "hello", bool withMenu = true)
    {
        var live = _changes.SwappedIn(botId, Hello(n, withMenu));
        save(FlowFile(botId), Hello(n, withMenu));
        var took = await live;
        Assert.Contains($"안녕하세요 v{n}\"", await GreetingAsync(botId), StringComparison.Ordinal);
        return took;
    }

    /// <summary>Writes over the file in place (truncate, then write), as <c>echo &gt;</c> and many editors do.</summary>
    private static void SaveInPlace(string file, string text) => File.WriteAllText(file, text, Encoding.UTF8);

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

        // Not a wait for the server: the moment without flow.yaml that such a save leaves, made long enough to be seen.
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

        var took = await EditAsync(2, SaveInPlace);
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
            times.Add((await EditAsync(n, SaveInPlace)).TotalMilliseconds);
        }

        times.Sort();
        output.WriteLine($"save -> new version swapped in, ms: {string.Join(", ", times.Select(t => t.ToString("F0", System.Globalization.CultureInfo.InvariantCulture)))}; median {times[times.Count / 2]:F0}");
    }

    [Fact]
    public async Task A_bad_edit_keeps_the_last_good_version_and_shows_why_until_it_is_fixed()
    {
        var v1 = Catalog.Find("hello")!.Version;
        var failed = _changes.ReloadFailed("hello");
        File.WriteAllText(FlowFile(), BadHello, Encoding.UTF8);
        await failed;

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

        await EditAsync(3, SaveInPlace);
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

        var replace = await EditAsync(2, SaveByReplace);
        var renameAway = await EditAsync(3, SaveByRenameAway);
        await stop.CancelAsync();
        await watching;

        output.WriteLine($"temp file renamed over: {replace.TotalMilliseconds:F0} ms; renamed away and rewritten: {renameAway.TotalMilliseconds:F0} ms");
        Assert.Empty(failures);
        Assert.Empty(LogsWith("Bot hello removed"));
    }

    [Fact]
    public async Task Several_quick_saves_end_with_the_last_one()
    {
        var last = _changes.SwappedIn("hello", Hello(9));
        for (var n = 2; n <= 9; n++)
        {
            File.WriteAllText(FlowFile(), Hello(n), Encoding.UTF8);

            // Not a wait for the server: the pace of the saves, quicker than the debounce.
            await Task.Delay(15);
        }

        await last;
        var changesAtLast = _changes.Seen.Count;

        // Nothing to await when nothing should happen: give the watcher a few debounce times (100 ms each, a round
        // lasts at most 4) to see the last events of the saves, and check that no older save is swapped in after the last.
        await Task.Delay(600);
        Assert.Equal(changesAtLast, _changes.Seen.Count);
        Assert.Contains("안녕하세요 v9", await GreetingAsync(), StringComparison.Ordinal);

        // Debounced: far fewer compiles than saves, and the last one is what serves.
        var reloads = _host.Logs.Lines.Count(line => line.Contains("Reloaded bot hello", StringComparison.Ordinal));
        output.WriteLine($"8 saves 15 ms apart -> {reloads} reload(s)");
        Assert.InRange(reloads, 1, 8);
    }

    [Fact]
    public async Task Editing_a_script_file_goes_live()
    {
        const string ScriptedHello = Flows.Header + """
            scripts: [greet.js]
            home:
              - 인사:
                  js: "vars.greeting = greet()"
                  say: "{{greeting}}"
            """;
        const string GreetV1 = "function greet() { return 'js v1'; }";
        const string GreetV2 = "function greet() { return 'js v2'; }";
        var script = Path.Combine(_host.FlowsDirectory, "hello", "greet.js");

        var scripted = _changes.SwappedIn("hello", ScriptedHello, GreetV1);
        File.WriteAllText(script, GreetV1, Encoding.UTF8);
        File.WriteAllText(FlowFile(), ScriptedHello, Encoding.UTF8);
        await scripted;
        Assert.Contains("js v1", await GreetingAsync(), StringComparison.Ordinal);

        var edited = _changes.SwappedIn("hello", ScriptedHello, GreetV2);
        SaveByReplace(script, GreetV2);
        var took = await edited;
        Assert.Contains("js v2", await GreetingAsync(), StringComparison.Ordinal);
        output.WriteLine($".js edit: live after {took.TotalMilliseconds:F0} ms");
    }

    [Fact]
    public async Task Files_the_flow_does_not_name_are_not_read_a_change_there_compiles_nothing()
    {
        await using var host = await TestHost.StartAsync(
            new Dictionary<string, string> { ["hello"] = Hello(1) },
            options => options with { WatchPollInterval = TimeSpan.FromMilliseconds(200) });
        var catalog = host.App.Services.GetRequiredService<BotCatalog>();
        var package = Directory.CreateDirectory(Path.Combine(host.FlowsDirectory, "hello", "node_modules", "pkg")).FullName;
        await UntilAsync(() => catalog.Generation > 0, "the first look");
        var generation = catalog.Generation;

        // Several polls and events: the catalog never swaps, because nothing it reads changed.
        for (var i = 0; i < 8; i++)
        {
            File.WriteAllText(Path.Combine(package, $"index{i % 2}.js"), $"module.exports = {i};", Encoding.UTF8);
            await Task.Delay(150);
        }

        Assert.Equal(generation, catalog.Generation);
    }

    [Fact]
    public async Task A_flow_file_over_1_MiB_is_not_served_and_says_why()
    {
        var folder = Directory.CreateDirectory(Path.Combine(_host.FlowsDirectory, "huge")).FullName;
        var refused = _changes.ReloadFailed("huge");
        // Written aside and renamed into place: a 1.6 MB write in place can be read half-way, below the cap, and served.
        var aside = Path.Combine(folder, "flow.yaml.saving");
        File.WriteAllText(aside, Hello(1) + string.Concat(Enumerable.Repeat("# 주석 한 줄\n", 100_000)), Encoding.UTF8);
        File.Move(aside, Path.Combine(folder, "flow.yaml"));
        await refused;

        var status = Catalog.Status("huge")!;
        Assert.False(status.Served);
        Assert.Equal("KF034", Assert.Single(status.Diagnostics).Code);
    }

    [Fact]
    public async Task A_new_bot_folder_starts_serving_and_a_removed_one_stops()
    {
        using (var before = await _host.Http.GetAsync(new Uri("/fresh/keyboard", UriKind.Relative)))
        {
            Assert.Equal(HttpStatusCode.BadRequest, before.StatusCode);
        }

        Directory.CreateDirectory(Path.Combine(_host.FlowsDirectory, "fresh"));
        var added = await EditAsync(7, SaveInPlace, "fresh");
        output.WriteLine($"new bot folder: serving after {added.TotalMilliseconds:F0} ms");
        using (var keyboard = await _host.Http.GetAsync(new Uri("/fresh/keyboard", UriKind.Relative)))
        {
            Assert.Equal(HttpStatusCode.OK, keyboard.StatusCode);
        }

        Assert.Contains("Serving bot fresh", LogsWith("Serving bot fresh"), StringComparison.Ordinal);

        var gone = _changes.Removed("hello");
        Directory.Delete(Path.Combine(_host.FlowsDirectory, "hello"), recursive: true);
        var removed = await gone;
        output.WriteLine($"removed bot folder: unknown after {removed.TotalMilliseconds:F0} ms");
        using (var response = await _host.SendMessageAsync("hello", "greeter", "인사"))
        {
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
            Assert.Contains("\"code\":202", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }

        Assert.Null(Catalog.Status("hello"));
        Assert.Contains("Bot hello removed", LogsWith("Bot hello removed"), StringComparison.Ordinal);
        Assert.Contains("안녕하세요 v7", await GreetingAsync("fresh"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_new_bot_folder_with_errors_is_listed_with_its_diagnostics_and_served_once_fixed()
    {
        var folder = Path.Combine(_host.FlowsDirectory, "draft");
        var refused = _changes.ReloadFailed("draft");
        Directory.CreateDirectory(folder);
        File.WriteAllText(Path.Combine(folder, "flow.yaml"), BadHello, Encoding.UTF8);
        await refused;

        var status = Catalog.Status("draft")!;
        Assert.False(status.Served);
        Assert.Equal("not served: 1 error in its flow", status.Summary);
        Assert.Contains("draft", Catalog.Refused);

        await EditAsync(4, SaveByReplace, "draft");
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

        await EditAsync(2, SaveInPlace, withMenu: false);
        var v2 = Catalog.Find("hello")!.Version;

        // A button of the deleted step: not an error, the Home keyboard with messages.changed.
        using (var response = await _host.SendMessageAsync("hello", "deep", "하나"))
        {
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            var body = await response.Content.ReadAsStringAsync();
            Assert.Contains("봇이 바뀌어 처음으로 돌아왔어요.", body, StringComparison.Ordinal);
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
    public async Task A_user_at_a_step_deleted_by_the_edit_is_told_first_even_when_the_text_is_also_a_Home_button()
    {
        await _host.MessageTextAsync("hello", "deep2", "메뉴");
        await EditAsync(2, SaveInPlace, withMenu: false);

        // What they sent was meant for the step that is gone: it is not read as the Home button of the same name.
        var first = await _host.MessageTextAsync("hello", "deep2", "인사");
        Assert.Contains("봇이 바뀌어 처음으로 돌아왔어요.", first, StringComparison.Ordinal);
        Assert.DoesNotContain("안녕하세요 v2", first, StringComparison.Ordinal);
        Assert.Contains("안녕하세요 v2", await _host.MessageTextAsync("hello", "deep2", "인사"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Requests_during_repeated_reloads_all_succeed()
    {
        using var stop = new CancellationTokenSource();
        var traffic = new Traffic(_host);
        var clients = Enumerable.Range(0, 4).Select(client => Task.Run(() => traffic.ClientAsync(client, stop.Token))).ToList();

        var edits = await EditRepeatedlyAsync(TimeSpan.FromSeconds(4));
        var last = _changes.SwappedIn("hello", Hello(1000));
        File.WriteAllText(FlowFile(), Hello(1000), Encoding.UTF8);
        await last;
        await stop.CancelAsync();
        await Task.WhenAll(clients);

        var reloads = _host.Logs.Lines.Count(line => line.Contains("Reloaded bot hello", StringComparison.Ordinal));
        output.WriteLine($"{traffic.Answered} answers during {edits} edits ({reloads} reloads); failures: {traffic.Failures.Count}");
        Assert.Empty(traffic.Failures);
        Assert.True(reloads >= 5, $"only {reloads} reloads happened");
        Assert.True(traffic.Answered > 40, $"only {traffic.Answered} answers");
        Assert.Empty(LogsWith("failed; answered messages.error"));
    }

    /// <summary>
    /// Edits every 60-150 ms for <paramref name="duration"/>: good versions with and without the menu step, and now
    /// and then a bad one, in place or by replacing the file. Returns how many edits were made.
    /// </summary>
    private async Task<int> EditRepeatedlyAsync(TimeSpan duration)
    {
        var edits = 0;
        var random = new Random(7);
        var until = Stopwatch.StartNew();
        while (until.Elapsed < duration)
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

            // Not a wait for the server: the pace of the edits, some quicker than a reload and some slower.
            await Task.Delay(random.Next(60, 150));
        }

        return edits;
    }

    /// <summary>Clients talking to the hello bot while it reloads: every answer they get must be a good one.</summary>
    private sealed class Traffic(TestHost host)
    {
        private int _answered;

        public ConcurrentQueue<string> Failures { get; } = new();

        public int Answered => Volatile.Read(ref _answered);

        /// <summary>Walks the menu until stopped; odd clients now and then ask for the Home keyboard instead.</summary>
        public async Task ClientAsync(int client, CancellationToken stop)
        {
            string[] walk = ["메뉴", "하나", "메뉴", "둘", "인사", "없는 버튼"];
            var i = 0;
            while (!stop.IsCancellationRequested)
            {
                var content = walk[i++ % walk.Length];
                try
                {
                    using var response = client % 2 == 0 || i % 3 != 0
                        ? await host.SendMessageAsync("hello", $"client-{client}", content)
                        : await host.Http.GetAsync(new Uri("/hello/keyboard", UriKind.Relative));
                    var body = await response.Content.ReadAsStringAsync();
                    if (response.StatusCode != HttpStatusCode.OK || !IsValidAnswer(body))
                    {
                        Failures.Enqueue($"{(int)response.StatusCode} {body}");
                    }

                    Interlocked.Increment(ref _answered);
                }
                catch (HttpRequestException e)
                {
                    Failures.Enqueue(e.Message);
                }
            }
        }
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

        // Requests while flow.yaml is away: for 300 ms, and at least until the catalog has seen it missing.
        var away = Stopwatch.StartNew();
        while (away.Elapsed < TimeSpan.FromMilliseconds(300) || !Catalog.HasPendingRemoval)
        {
            Assert.True(away.Elapsed < Bound, $"not within {Bound.TotalSeconds} s: the catalog sees flow.yaml missing");
            using var response = await _host.SendMessageAsync("hello", "greeter", "인사");
            answers.Add(response.StatusCode);

            // Not a wait for the server: the pace of the requests made while flow.yaml is away.
            await Task.Delay(60);
        }

        File.Move(FlowFile() + ".old", FlowFile());

        // Back before the grace ran out: once the catalog no longer waits to remove the bot, nothing will remove it
        // (only a missing flow.yaml does), so there is no need to sit out the grace.
        await UntilAsync(() => !Catalog.HasPendingRemoval, "the catalog sees flow.yaml back");
        Assert.All(answers, status => Assert.Equal(HttpStatusCode.OK, status));
        Assert.Contains("안녕하세요 v1", await GreetingAsync(), StringComparison.Ordinal);
        Assert.Empty(LogsWith("Bot hello removed"));
        Assert.DoesNotContain(_changes.Seen, change => change.Kind == BotChangeKind.Removed);

        var gone = _changes.Removed("hello");
        File.Delete(FlowFile());
        var took = await gone;
        Assert.Null(Catalog.Find("hello"));
        Assert.True(took >= BotCatalog.MissingFlowGrace - TimeSpan.FromMilliseconds(100), $"stopped after {took.TotalMilliseconds} ms, before the grace");
        Assert.Contains("Bot hello removed", LogsWith("Bot hello removed"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task When_file_events_are_lost_the_poll_still_finds_the_change()
    {
        await using var host = await TestHost.StartAsync(
            new Dictionary<string, string> { ["hello"] = Hello(1) },
            options => options with { WatchFileEvents = false, WatchPollInterval = TimeSpan.FromMilliseconds(300) });
        using var changes = new CatalogChanges(host.App.Services.GetRequiredService<BotCatalog>());

        var polled = changes.SwappedIn("hello", Hello(2));
        File.WriteAllText(Path.Combine(host.FlowsDirectory, "hello", "flow.yaml"), Hello(2), Encoding.UTF8);
        var took = await polled;
        Assert.Contains("안녕하세요 v2", await host.MessageTextAsync("hello", "u", "인사"), StringComparison.Ordinal);
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
        var catalog = host.App.Services.GetRequiredService<BotCatalog>();
        using var changes = new CatalogChanges(catalog);
        var slow = host.MessageTextAsync("hello", "slow", "천천히 인사");
        Assert.True(entered.Wait(Bound), "the slow turn did not start");
        var v1 = catalog.Find("hello")!.Version;

        var swapped = changes.SwappedIn("hello", Hello(2));
        File.WriteAllText(Path.Combine(host.FlowsDirectory, "hello", "flow.yaml"), Hello(2), Encoding.UTF8);
        await swapped;
        Assert.Contains("안녕하세요 v2", await host.MessageTextAsync("hello", "other", "인사"), StringComparison.Ordinal);

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
        // Ended, or ending: .NET 10 runs a BackgroundService's ExecuteAsync on the thread pool, so it may not have yet.
        var watcher = host.App.Services.GetRequiredService<FlowWatcher>().ExecuteTask;
        Assert.True(watcher is not null && await Task.WhenAny(watcher, Task.Delay(Bound)) == watcher, "the watcher does not run");
        using var changes = new CatalogChanges(host.App.Services.GetRequiredService<BotCatalog>());
        File.WriteAllText(Path.Combine(host.FlowsDirectory, "hello", "flow.yaml"), Hello(2), Encoding.UTF8);

        // Nothing to await when nothing should happen: a watcher would have reloaded within a few debounce
        // times (100 ms each), so well over that with no change means none is coming.
        await Task.Delay(1500);
        Assert.Empty(changes.Seen);
        Assert.Contains("안녕하세요 v1", await host.MessageTextAsync("hello", "u", "인사"), StringComparison.Ordinal);
    }
}
