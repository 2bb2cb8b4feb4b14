using System.Globalization;
using KakaoFlow.Cli;
using KakaoFlow.Cli.Language;
using KakaoFlow.Tests.Support;

namespace KakaoFlow.Tests.Cli;

/// <summary>Which language the commands speak: <c>--lang</c>, else <c>$KAKAOFLOW_LANG</c>, else <c>LC_ALL</c>, then <c>LANG</c>.</summary>
public sealed class LanguageTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("kakaoflow-lang-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private static Func<string, string?> Env(params (string Name, string Value)[] variables) =>
        name => variables.FirstOrDefault(v => v.Name == name).Value;

    private static string Resolve(string[] args, params (string Name, string Value)[] variables) =>
        CliLanguage.Resolve(args, Env(variables)).Culture.Name;

    [Theory]
    [InlineData("ko_KR.UTF-8", "ko")]
    [InlineData("ko_KR.utf8", "ko")]
    [InlineData("ko-KR", "ko")]
    [InlineData("ko", "ko")]
    [InlineData("KO_kr", "ko")]
    [InlineData("ko_KR@euro", "ko")]
    [InlineData("en_US.UTF-8", "en")]
    [InlineData("C", "en")]
    [InlineData("POSIX", "en")]
    [InlineData("C.UTF-8", "en")]
    [InlineData("kok_IN", "en")]
    [InlineData("ja_JP.UTF-8", "en")]
    public void The_locale_says_Korean_only_when_it_names_Korean(string locale, string expected)
    {
        Assert.Equal(expected, Resolve(["check"], ("LANG", locale)));
        Assert.Equal(expected, Resolve(["check"], ("LC_ALL", locale)));
    }

    [Fact]
    public void No_locale_at_all_is_English() => Assert.Equal("en", Resolve(["check"]));

    [Fact]
    public void LC_ALL_comes_before_LANG_and_an_empty_one_counts_as_unset()
    {
        Assert.Equal("en", Resolve([], ("LC_ALL", "C"), ("LANG", "ko_KR.UTF-8")));
        Assert.Equal("ko", Resolve([], ("LC_ALL", "ko_KR.UTF-8"), ("LANG", "en_US.UTF-8")));
        Assert.Equal("ko", Resolve([], ("LC_ALL", ""), ("LANG", "ko_KR.UTF-8")));
    }

    [Fact]
    public void KAKAOFLOW_LANG_comes_before_the_locale()
    {
        Assert.Equal("en", Resolve([], ("KAKAOFLOW_LANG", "en"), ("LC_ALL", "ko_KR.UTF-8")));
        Assert.Equal("ko", Resolve([], ("KAKAOFLOW_LANG", "ko"), ("LC_ALL", "C")));
        Assert.Equal("ko", Resolve([], ("KAKAOFLOW_LANG", "ko_KR.UTF-8")));
    }

    [Fact]
    public void The_option_comes_before_everything_in_each_of_its_spellings()
    {
        (string, string)[] korean = [("KAKAOFLOW_LANG", "ko"), ("LC_ALL", "ko_KR.UTF-8"), ("LANG", "ko_KR.UTF-8")];
        Assert.Equal("en", Resolve(["check", "--lang", "en"], korean));
        Assert.Equal("en", Resolve(["--lang=en", "check"], korean));
        Assert.Equal("en", Resolve(["check", "flows", "--lang:EN"], korean));
        Assert.Equal("ko", Resolve(["check", "--lang", "ko"], ("KAKAOFLOW_LANG", "en")));
    }

    [Fact]
    public void A_bad_option_value_leaves_the_choice_to_the_environment_and_the_parser_refuses_it()
    {
        Assert.Equal("ko", Resolve(["check", "--lang", "xx"], ("LANG", "ko_KR.UTF-8")));
        Assert.Equal("en", Resolve(["check", "--", "--lang", "ko"]));
    }

    [Fact]
    public void A_bad_variable_is_reported()
    {
        var choice = CliLanguage.Resolve([], Env(("KAKAOFLOW_LANG", "fr"), ("LANG", "ko_KR.UTF-8")));

        Assert.Equal("fr", choice.BadVariable);
        Assert.Equal("ko", choice.Culture.Name);
    }

    private static async Task<(int Exit, string Out, string Err)> Run(string[] args, params (string Name, string Value)[] variables)
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        var io = new ConsoleIo(TextReader.Null, stdout, stderr) { Environment = Env(variables) };
        var exit = await CommandLine.RunAsync(args, io);
        return (exit, stdout.ToString().ReplaceLineEndings("\n"), stderr.ToString().ReplaceLineEndings("\n"));
    }

    private string Bot(string yaml)
    {
        var folder = Path.Combine(_root, "bot");
        Directory.CreateDirectory(folder);
        File.WriteAllText(Path.Combine(folder, "flow.yaml"), yaml);
        return folder;
    }

    [Fact]
    public async Task Check_sums_up_in_Korean_with_codes_and_locations_as_in_English()
    {
        var bot = Bot(TestFlows.Header + "home:\n  - 주문: { goto: nowhere }\n");

        var korean = await Run(["check", bot, "--lang", "ko"]);
        var english = await Run(["check", bot, "--lang", "en"]);

        Assert.Equal(1, korean.Exit);
        Assert.Equal("봇 1개를 검사했어요: 오류 1개, 경고 0개", korean.Out.TrimEnd('\n').Split('\n')[^1]);
        Assert.Equal("checked 1 bot: 1 error, 0 warnings", english.Out.TrimEnd('\n').Split('\n')[^1]);
        var location = $"{Path.Combine(bot, "flow.yaml")}:5:17: error KF010: ";
        Assert.StartsWith(location, korean.Out, StringComparison.Ordinal);
        Assert.StartsWith(location, english.Out, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_locale_chooses_when_nothing_else_does()
    {
        var bot = Bot(TestFlows.Header + "home:\n  - 안녕: 반가워요\n");

        var (_, korean, _) = await Run(["check", bot], ("LANG", "ko_KR.UTF-8"));
        var (_, english, _) = await Run(["check", bot], ("LANG", "C.UTF-8"));
        var (_, chosen, _) = await Run(["check", bot], ("KAKAOFLOW_LANG", "en"), ("LANG", "ko_KR.UTF-8"));

        Assert.Equal("봇 1개를 검사했어요: 오류 0개, 경고 0개\n", korean);
        Assert.Equal("checked 1 bot: 0 errors, 0 warnings\n", english);
        Assert.Equal("checked 1 bot: 0 errors, 0 warnings\n", chosen);
    }

    [Fact]
    public async Task New_refuses_an_existing_folder_in_Korean()
    {
        var flows = Path.Combine(_root, "flows");
        Directory.CreateDirectory(Path.Combine(flows, "bakery"));

        var (exit, _, error) = await Run(["new", "bakery", "--in", flows, "--lang", "ko"]);

        Assert.Equal(1, exit);
        Assert.Equal($"kakaoflow new: '{Path.Combine(flows, "bakery")}' 폴더가 이미 있어서 아무것도 쓰지 않았어요. 다른 이름을 고르거나 그 폴더를 먼저 지우세요.\n", error);
    }

    [Fact]
    public async Task New_prints_its_next_steps_in_Korean_with_commands_that_work_as_printed()
    {
        var flows = Path.Combine(_root, "flows");

        var (exit, output, _) = await Run(["--lang", "ko", "new", "bakery", "--in", flows]);

        Assert.Equal(0, exit);
        Assert.Contains("다음에 해 볼 일:", output, StringComparison.Ordinal);
        Assert.Contains($"  kakaoflow check {Path.Combine(flows, "bakery")}     실수 찾기\n", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Test_says_its_outcomes_in_Korean_in_the_same_columns_as_English()
    {
        var flows = Path.Combine(_root, "flows");
        Assert.Equal(0, (await Run(["new", "bakery", "--in", flows])).Exit);
        var scenario = Path.Combine(flows, "bakery", "tests", "처음-대화.yaml");

        var korean = (await Run(["test", scenario, "--lang", "ko"])).Out.Split('\n');
        var english = (await Run(["test", scenario, "--lang", "en"])).Out.Split('\n');

        // 통과 is two Hangul, four columns wide: five spaces bring the scenario to the English column.
        Assert.Equal($"통과     {scenario} (메뉴를 보고 예약하기)", korean[0]);
        Assert.Equal($"ok       {scenario} (메뉴를 보고 예약하기)", english[0]);
        Assert.Equal("시나리오 1개: 통과 1개", korean[1]);
        Assert.Equal("1 scenario: 1 passed", english[1]);
    }

    [Fact]
    public async Task A_bad_language_option_is_a_usage_error_that_says_what_is_allowed()
    {
        var (exit, _, error) = await Run(["check", "--lang", "xx"]);

        Assert.Equal(2, exit);
        Assert.StartsWith("kakaoflow check: --lang must be ko or en, not 'xx'\n", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_bad_language_option_is_refused_in_the_language_of_the_environment()
    {
        var (exit, _, error) = await Run(["check", "--lang", "fr"], ("LANG", "ko_KR.UTF-8"));

        Assert.Equal(2, exit);
        Assert.StartsWith("kakaoflow check: --lang에는 ko나 en만 쓸 수 있어요 (받은 값: 'fr')\n", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_bad_KAKAOFLOW_LANG_is_a_usage_error()
    {
        var (exit, output, error) = await Run(["check", "nowhere"], ("KAKAOFLOW_LANG", "fr"));

        Assert.Equal(2, exit);
        Assert.Equal("", output);
        Assert.Equal("kakaoflow: $KAKAOFLOW_LANG must be ko or en (or a locale such as ko_KR.UTF-8), not 'fr'\n", error);
    }

    [Fact]
    public async Task The_caller_keeps_its_own_culture()
    {
        var before = CultureInfo.CurrentUICulture;

        await Run(["check", "nowhere", "--lang", "ko"]);

        Assert.Equal(before, CultureInfo.CurrentUICulture);
    }
}
