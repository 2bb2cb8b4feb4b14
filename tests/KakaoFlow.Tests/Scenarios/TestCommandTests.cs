using System.Text;
using KakaoFlow.Cli;
using KakaoFlow.Tests.Support;

namespace KakaoFlow.Tests.Scenarios;

/// <summary><c>kakaoflow test</c> on bots written to a temp folder: pass, fail, new, accept, paths and hooks.</summary>
public sealed class TestCommandTests : IDisposable
{
    internal const string Flow = TestFlows.Header + """
        home:
          - 안녕: 반가워요
          - 메뉴:
              say: 무엇을 드릴까요?
              buttons:
                - 커피: { set: { drink: 커피 }, goto: size }
                - 처음으로: { goto: home }
          - 시간:
              js: say('지금은 ' + now());
          - 방문:
              js: |
                var n = (data.get('visits') || 0) + 1;
                data.set('visits', n);
                log('visit ' + n);
                say('방문 ' + n + '번째');
          - 고장:
              js: throw new Error('주문 서버가 응답하지 않아요');
          - 추천:
              say: 오늘의 추천이에요.
              js: |
                buttons(['김치찌개', '된장찌개'], { save: 'dish', next: 'picked' });
        steps:
          picked:
            say: "{{dish}} 주문을 받았어요."
          size:
            say: "{{drink}} 크기를 골라 주세요."
            buttons:
              - 작은 것: 나왔습니다.
              - 큰 것: 나왔습니다.
        """;

    private const string Scenario = """
        name: 인사
        turns:
          - user: 메뉴
          - user: 안녕
        """;

    private readonly string _root = Directory.CreateTempSubdirectory("kakaoflow-test-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private string Bot(string name = "cafe", string flow = Flow)
    {
        var folder = Path.Combine(_root, name);
        Directory.CreateDirectory(Path.Combine(folder, "tests"));
        File.WriteAllText(Path.Combine(folder, "flow.yaml"), flow);
        return folder;
    }

    private static string WriteScenario(string bot, string name, string yaml)
    {
        var file = Path.Combine(bot, "tests", name + ".yaml");
        File.WriteAllText(file, yaml);
        return file;
    }

    private static (int Exit, string Out, string Err) Run(params string[] args) => Run(Terminal.Plain, args);

    private static (int Exit, string Out, string Err) Run(Terminal terminal, params string[] args)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        var exit = CommandLine.RunAsync(["test", .. args], new ConsoleIo(TextReader.Null, stdout, stderr) { Terminal = terminal }).GetAwaiter().GetResult();
        return (exit, stdout.ToString().ReplaceLineEndings("\n"), stderr.ToString());
    }

    private static string Read(string file) => File.ReadAllText(file, Encoding.UTF8);

    [Fact]
    public void A_new_scenario_writes_received_says_how_to_accept_and_fails()
    {
        var bot = Bot();
        var scenario = WriteScenario(bot, "greeting", Scenario);

        var (exit, output, _) = Run(bot);

        Assert.Equal(1, exit);
        Assert.True(File.Exists(TestCommand.ReceivedFileOf(scenario)));
        Assert.False(File.Exists(TestCommand.VerifiedFileOf(scenario)));
        Assert.Contains($"kakaoflow test {scenario} --accept", output, StringComparison.Ordinal);
        Assert.EndsWith("1 scenario: 0 passed, 1 new\n", output, StringComparison.Ordinal);
    }

    [Fact]
    public void Accept_turns_the_transcript_into_the_verified_file_and_then_it_passes()
    {
        var bot = Bot();
        var scenario = WriteScenario(bot, "greeting", Scenario);
        Run(bot);

        var accepted = Run(bot, "--accept");
        var again = Run(bot);

        Assert.Equal(0, accepted.Exit);
        Assert.Contains("accepted", accepted.Out, StringComparison.Ordinal);
        Assert.False(File.Exists(TestCommand.ReceivedFileOf(scenario)));
        Assert.Equal(0, again.Exit);
        Assert.Equal($"ok       {scenario} (인사)\n1 scenario: 1 passed\n", again.Out);
        Assert.Equal(
            """
            scenario: 인사
            flow: 테스트
            clock: 2026-01-05T10:00:00+09:00

            [start] home
              keyboard:
                - 안녕
                - 메뉴
                - 시간
                - 방문
                - 고장
                - 추천

            [1] user: 메뉴
              text:
                | 무엇을 드릴까요?
              keyboard:
                - 커피
                - 처음으로
              step: home/메뉴

            [2] user: 안녕
              fallback: matched no button
              text:
                | 아래 버튼 중에서 선택해 주세요.
              keyboard:
                - 커피
                - 처음으로
              step: home/메뉴

            """,
            Read(TestCommand.VerifiedFileOf(scenario)));
    }

    [Fact]
    public void A_changed_answer_fails_with_a_diff_naming_the_first_differing_turn_and_writes_received()
    {
        var bot = Bot();
        var scenario = WriteScenario(bot, "greeting", "name: 인사\nturns:\n  - user: 메뉴\n  - user: 처음으로\n  - user: 안녕\n");
        Run(bot, "--accept");
        var verifiedBefore = Read(TestCommand.VerifiedFileOf(scenario));
        File.WriteAllText(Path.Combine(bot, "flow.yaml"), Flow.Replace("안녕: 반가워요", "안녕: 어서 오세요", StringComparison.Ordinal));

        var (exit, output, _) = Run(bot);

        Assert.Equal(1, exit);
        var lines = output.Split('\n');
        Assert.Equal($"FAIL     {scenario} (인사): first difference at turn 3: user: 안녕 (line 5 of the scenario)", lines[0]);
        Assert.Equal("--- " + TestCommand.VerifiedFileOf(scenario), lines[1]);
        Assert.Equal("+++ " + TestCommand.ReceivedFileOf(scenario), lines[2]);
        Assert.Matches(@"^@@ -\d+,\d+ \+\d+,\d+ @@$", lines[3]);
        Assert.Contains("-    | 반가워요", lines);
        Assert.Contains("+    | 어서 오세요", lines);
        Assert.Contains($"kakaoflow test {scenario} --accept", output, StringComparison.Ordinal);
        Assert.EndsWith("1 scenario: 0 passed, 1 failed\n", output, StringComparison.Ordinal);
        Assert.Contains("    | 어서 오세요", Read(TestCommand.ReceivedFileOf(scenario)), StringComparison.Ordinal);
        Assert.Equal(verifiedBefore, Read(TestCommand.VerifiedFileOf(scenario)));

        var accepted = Run(bot, "--accept");

        Assert.Equal(0, accepted.Exit);
        Assert.False(File.Exists(TestCommand.ReceivedFileOf(scenario)));
        Assert.Contains("    | 어서 오세요", Read(TestCommand.VerifiedFileOf(scenario)), StringComparison.Ordinal);
    }

    [Fact]
    public void The_diff_is_coloured_on_a_terminal()
    {
        var bot = Bot();
        WriteScenario(bot, "greeting", "turns:\n  - user: 안녕\n");
        Run(bot, "--accept");
        File.WriteAllText(Path.Combine(bot, "flow.yaml"), Flow.Replace("안녕: 반가워요", "안녕: 어서 오세요", StringComparison.Ordinal));

        var (exit, output, _) = Run(new Terminal(color: true), bot);

        Assert.Equal(1, exit);
        Assert.Contains("\u001b[31m-    | 반가워요\u001b[0m", output, StringComparison.Ordinal);
        Assert.Contains("\u001b[32m+    | 어서 오세요\u001b[0m", output, StringComparison.Ordinal);
        Assert.Contains("\u001b[31mFAIL\u001b[0m", output, StringComparison.Ordinal);
    }

    [Fact]
    public void A_matching_run_deletes_a_stale_received_file()
    {
        var bot = Bot();
        var scenario = WriteScenario(bot, "greeting", Scenario);
        Run(bot, "--accept");
        File.WriteAllText(TestCommand.ReceivedFileOf(scenario), "old\n");

        var (exit, _, _) = Run(bot);

        Assert.Equal(0, exit);
        Assert.False(File.Exists(TestCommand.ReceivedFileOf(scenario)));
    }

    [Fact]
    public void Verified_files_with_windows_line_endings_still_match()
    {
        var bot = Bot();
        var scenario = WriteScenario(bot, "greeting", Scenario);
        Run(bot, "--accept");
        var verified = TestCommand.VerifiedFileOf(scenario);
        File.WriteAllText(verified, Read(verified).Replace("\n", "\r\n", StringComparison.Ordinal));

        Assert.Equal(0, Run(bot).Exit);
    }

    [Fact]
    public void Hooks_run_in_the_sandbox_with_a_fixed_clock_bot_data_logs_and_errors_in_the_transcript()
    {
        var bot = Bot();
        var scenario = WriteScenario(bot, "hooks", """
            turns:
              - user: 시간
              - wait: 1h30m
              - user: 시간
              - user: 방문
              - user: 방문
              - user: 고장
              - user: 추천
              - user: 된장찌개
            """);

        Run(bot, "--accept");
        var transcript = Read(TestCommand.VerifiedFileOf(scenario));

        Assert.Contains("    | 지금은 2026-01-05T10:00:00.000+09:00", transcript, StringComparison.Ordinal);
        Assert.Contains("[2] wait: 1h30m → 2026-01-05T11:30:00+09:00", transcript, StringComparison.Ordinal);
        Assert.Contains("    | 지금은 2026-01-05T11:30:00.000+09:00", transcript, StringComparison.Ordinal);
        Assert.Contains("    | 방문 1번째", transcript, StringComparison.Ordinal);
        Assert.Contains("    | 방문 2번째", transcript, StringComparison.Ordinal);
        Assert.Matches(@"  log: flow\.yaml:\d+:\d+: visit 2\n", transcript);
        Assert.Contains("    | 일시적인 오류가 발생했어요. 처음부터 다시 시작해 주세요.", transcript, StringComparison.Ordinal);
        Assert.Matches(@"  error: HookError at flow\.yaml:\d+:\d+: .*주문 서버가 응답하지 않아요", transcript);
        Assert.Contains("    - 김치찌개\n    - 된장찌개\n  step: home/추천 (buttons from a hook)\n", transcript, StringComparison.Ordinal);
        Assert.Contains("    | 된장찌개 주문을 받았어요.\n", transcript, StringComparison.Ordinal);
        Assert.Contains("    + dish = \"된장찌개\"\n", transcript, StringComparison.Ordinal);
        Assert.DoesNotContain(_root, transcript, StringComparison.Ordinal);

        // A second run starts from empty bot data and the same clock: same transcript.
        Assert.Equal(0, Run(bot).Exit);
    }

    [Fact]
    public void Start_and_vars_begin_at_a_deep_step_and_each_as_user_has_their_own_session()
    {
        var bot = Bot();
        var scenario = WriteScenario(bot, "deep", """
            start: size
            vars: { drink: 라떼 }
            turns:
              - as: friend
              - user: 작은 것
              - as: default
              - user: 작은 것
            """);

        Run(bot, "--accept");
        var transcript = Read(TestCommand.VerifiedFileOf(scenario));

        Assert.Contains("vars:\n  drink = \"라떼\"\n\n[start] size\n  text:\n    | 라떼 크기를 골라 주세요.\n", transcript, StringComparison.Ordinal);
        Assert.Contains("[1] as: friend (new user)\n", transcript, StringComparison.Ordinal);
        Assert.Contains("[2] user (friend): 작은 것\n  fallback: matched no button\n", transcript, StringComparison.Ordinal);
        Assert.Contains("[3] as: default\n\n[4] user: 작은 것\n  text:\n    | 나왔습니다.\n", transcript, StringComparison.Ordinal);
    }

    [Fact]
    public void A_flow_with_errors_fails_its_scenarios_and_prints_the_diagnostics()
    {
        var bot = Bot(flow: TestFlows.Header + "home:\n  - 주문: { goto: nowhere }\n");
        WriteScenario(bot, "any", Scenario);

        var (exit, output, _) = Run(bot);

        Assert.Equal(1, exit);
        Assert.Contains("error KF010", output, StringComparison.Ordinal);
        Assert.Contains("the flow has errors", output, StringComparison.Ordinal);
    }

    [Fact]
    public void Paths_name_a_scenario_a_tests_folder_a_bot_a_flow_file_or_a_folder_of_bots()
    {
        var cafe = Bot("cafe");
        var one = WriteScenario(cafe, "one", Scenario);
        WriteScenario(cafe, "two", Scenario);
        var bar = Bot("bar");
        WriteScenario(bar, "three", Scenario);
        Run(_root, "--accept");

        Assert.Equal("1 scenario: 1 passed", Run(one).Out.Split('\n')[^2]);
        Assert.Equal("2 scenarios: 2 passed", Run(Path.Combine(cafe, "tests")).Out.Split('\n')[^2]);
        Assert.Equal("2 scenarios: 2 passed", Run(Path.Combine(cafe, "flow.yaml")).Out.Split('\n')[^2]);
        Assert.Equal("3 scenarios: 3 passed", Run(_root).Out.Split('\n')[^2]);
        Assert.Equal("2 scenarios: 2 passed", Run(one, cafe).Out.Split('\n')[^2]);
    }

    [Fact]
    public void Usage_errors_exit_two_and_no_scenarios_at_all_fails()
    {
        var bot = Bot();

        Assert.Equal(2, Run("--frobnicate").Exit);
        Assert.Equal(2, Run(Path.Combine(_root, "missing")).Exit);
        var stray = Path.Combine(_root, "stray.yaml");
        File.WriteAllText(stray, Scenario);
        Assert.Equal(2, Run(stray).Exit);

        var empty = Run(bot);
        Assert.Equal(1, empty.Exit);
        Assert.Contains("no scenarios found", empty.Out, StringComparison.Ordinal);
    }

    [Fact]
    public void A_verified_file_without_its_scenario_is_pointed_out()
    {
        var bot = Bot();
        var scenario = WriteScenario(bot, "greeting", Scenario);
        Run(bot, "--accept");
        File.Move(scenario, Path.Combine(bot, "tests", "hello.yaml"));

        var (_, output, _) = Run(bot);

        Assert.Contains($"note: {TestCommand.VerifiedFileOf(scenario)} has no scenario greeting.yaml", output, StringComparison.Ordinal);
    }

    [Fact]
    public void An_unreadable_scenario_is_a_diagnostic_not_a_crash()
    {
        var folder = Path.Combine(Bot(), "tests", "folder.yaml");
        Directory.CreateDirectory(folder);
        var diagnostics = new KakaoFlow.Diagnostics.DiagnosticBag();

        Assert.Null(TestCommand.ReadScenario(folder, diagnostics));

        var error = Assert.Single(diagnostics.Items);
        Assert.Equal("KF042", error.Code);
        Assert.StartsWith($"{folder}:1:1: error KF042: cannot read the scenario: ", error.Format(), StringComparison.Ordinal);
    }

    public static TheoryData<string, string, string> BadScenarios() => new()
    {
        { "unknown top key", "turn:\n  - user: 안녕\n", "1:1: error KF004: unknown key 'turn' in the scenario (did you mean 'turns'?)" },
        { "unknown turn key", "turns:\n  - user: 안녕\n  - usr: 메뉴\n", "3:5: error KF004: unknown key 'usr' in turn 2 (did you mean 'user'?)" },
        { "a turn with two keys", "turns:\n  - user: 안녕\n    wait: 11m\n", "3:5: error KF040: a turn needs exactly one of user, wait, photo and as; this one has 2 keys (user, wait) (write each turn as its own list item: '- user: …', '- wait: 11m', '- photo: https://…' or '- as: other-user')" },
        { "a bare text turn", "turns:\n  - 안녕\n", "2:5: error KF040: a turn needs exactly one of user, wait, photo and as; this one has no key (write '- user: 안녕')" },
        { "a bad duration", "turns:\n  - wait: 11 minutes\n", "2:11: error KF021: '11 minutes' is not a duration; write a number and a unit, like 500ms, 30s, 10m, 2h or 30d" },
        { "start naming no step", "start: sise\nturns:\n  - user: 안녕\n", "1:8: error KF041: start 'sise' is not a step of this flow (did you mean 'size'?)" },
        { "a user turn that is not text", "turns:\n  - user: [안녕, 메뉴]\n", "2:11: error KF005: turn 1 user must be the text the user sends (a button label or typed text)" },
        { "an empty user turn", "turns:\n  - user:\n  - user: 안녕\n", "2:5: error KF005: turn 1 user must be the text the user sends (a button label or typed text)" },
        { "a photo that is not a URL", "turns:\n  - photo: cup.jpg\n", "2:12: error KF023: 'cup.jpg' is not an absolute http(s) URL" },
        { "no turns", "name: 빈 시나리오\n", "1:1: error KF006: a scenario needs 'turns'" },
        { "vars not a mapping", "vars: [a]\nturns:\n  - user: 안녕\n", "1:7: error KF005: vars must be a mapping of variable names to values, like { item: 불고기 피자 }" },
        { "YAML syntax", "turns:\n  - user: \"안녕\n", "2:11: error KF001: YAML syntax error: the \" that starts this text is never closed (end the text with \" on the same line)" },
    };

    [Theory]
    [MemberData(nameof(BadScenarios))]
    public void A_scenario_mistake_is_a_located_diagnostic_in_the_check_format(string why, string yaml, string expected)
    {
        var bot = Bot();
        var scenario = WriteScenario(bot, "bad", yaml);

        var (exit, output, _) = Run(bot);

        Assert.True(exit == 1, why);
        Assert.Equal($"{scenario}:{expected}", output.Split('\n')[0]);
        Assert.Contains($"FAIL     {scenario}: the scenario has errors (see above)", output, StringComparison.Ordinal);
        Assert.False(File.Exists(TestCommand.ReceivedFileOf(scenario)));
    }
}
