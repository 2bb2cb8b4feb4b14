using KakaoFlow.Compiling;
using KakaoFlow.Diagnostics;
using KakaoFlow.Scenarios;
using KakaoFlow.Tests.Support;

namespace KakaoFlow.Tests.Diagnostics;

/// <summary>
/// What a Korean owner reads: <c>check</c> in Korean (the UI language is Korean), with the particles a name takes,
/// and the same codes and places as in English.
/// </summary>
public sealed class KoreanMessagesTests
{
    private static IReadOnlyList<Diagnostic> InKorean(string yaml)
    {
        using var _ = UiLanguage.Korean();
        return TestFlows.Diagnostics(yaml);
    }

    [Fact]
    public void KF004_names_the_unknown_key_and_suggests_the_one_meant()
    {
        var diagnostic = Assert.Single(InKorean(TestFlows.Header + """
            home:
              - 메뉴:
                  sya: 오늘의 메뉴입니다.
            """));

        Assert.Equal("KF004", diagnostic.Code);
        Assert.Equal("'sya'는 버튼 '메뉴'에 쓸 수 있는 키가 아니에요", diagnostic.Message);
        Assert.Equal("'say'를 쓰려고 했나요?", diagnostic.Hint);
    }

    [Theory]
    [InlineData("메뉴", "버튼 '메뉴'가 한 키보드에 두 번 있어요; 처음 것은 5번째 줄에 있어요")]
    [InlineData("주문", "버튼 '주문'이 한 키보드에 두 번 있어요; 처음 것은 5번째 줄에 있어요")]
    public void KF011_picks_the_particle_the_label_takes(string label, string expected)
    {
        var diagnostic = Assert.Single(InKorean(TestFlows.Header + $"""
            home:
              - {label}: 하나
              - {label}: 둘
            """));

        Assert.Equal("KF011", diagnostic.Code);
        Assert.Equal(expected, diagnostic.Message);
        Assert.Equal(6, diagnostic.Span.Line);
    }

    [Fact]
    public void KF011_for_labels_users_cannot_tell_apart_says_why_in_korean()
    {
        var diagnostic = Assert.Single(InKorean(TestFlows.Header + """
            home:
              - 메뉴: 하나
              - "메뉴 ": 둘
            """), d => d.Code == "KF011");

        Assert.Equal("사용자는 '메뉴'와 구별할 수 없어요: 라벨 앞뒤의 빈칸과 한글 인코딩 차이는 따지지 않아요", diagnostic.Hint);
    }

    [Fact]
    public void KF060_says_where_next_belongs()
    {
        var diagnostic = Assert.Single(InKorean(TestFlows.Header + """
            home:
              - 주소:
                  say: 주소를 입력해 주세요.
                  input:
                    save: address
                  next: 주문확인
            steps:
              주문확인: "{{address|으로}} 보낼게요."
            """));

        Assert.Equal("KF060", diagnostic.Code);
        Assert.Equal("'input' 옆에 'next: 주문확인' 줄이 있어요; 답을 받은 뒤 갈 단계는 'input' 아래에 'next: 주문확인'처럼 써요", diagnostic.Message);
        Assert.Equal("input: { save: address, next: 주문확인 }처럼 써 주세요", diagnostic.Hint);
    }

    [Fact]
    public void A_colon_inside_a_text_is_explained_in_korean_at_the_line_to_fix()
    {
        var diagnostic = Assert.Single(InKorean(TestFlows.Header + """
            home:
              - 안내: 영업시간: 오전 9시부터
            """));

        Assert.Equal("KF001", diagnostic.Code);
        Assert.Equal(5, diagnostic.Span.Line);
        Assert.Equal("YAML 문법 오류: 텍스트 안에 ': '가 있으면 YAML은 그 앞의 말을 키로 읽어요", diagnostic.Message);
        Assert.Equal("텍스트 전체를 큰따옴표로 감싸 주세요: - 안내: \"영업시간: 오전 9시부터\"", diagnostic.Hint);
    }

    [Fact]
    public void A_check_that_is_not_one_expression_is_reported_in_korean()
    {
        var diagnostic = Assert.Single(InKorean(TestFlows.Header + """
            home:
              - 주소:
                  input: { save: address, check: "var ok = true;", next: home }
            """));

        Assert.Equal("KF016", diagnostic.Code);
        Assert.Equal("자바스크립트 문법 오류: check에는 value.length >= 5처럼 'value'로 된 식 하나만 써야 해요", diagnostic.Message);
    }

    public static TheoryData<string> InvalidExamples { get; } =
        [.. Directory.GetFiles(Path.Combine(TestFlows.RepoRoot, "tests", "KakaoFlow.Tests", "Diagnostics", "invalid"), "*.yaml").Select(f => Path.GetFileNameWithoutExtension(f)!).Order(StringComparer.Ordinal)];

    [Theory]
    [MemberData(nameof(InvalidExamples))]
    public void Korean_and_English_report_the_same_codes_at_the_same_places(string name)
    {
        var yaml = File.ReadAllText(Path.Combine(TestFlows.RepoRoot, "tests", "KakaoFlow.Tests", "Diagnostics", "invalid", name + ".yaml"));
        var english = TestFlows.Diagnostics(yaml);
        var korean = InKorean(yaml);

        Assert.NotEmpty(english);
        Assert.Equal(english.Select(d => (d.Code, d.Severity, d.Span)), korean.Select(d => (d.Code, d.Severity, d.Span)));
        Assert.All(english.Zip(korean), pair => Assert.Equal(pair.First.Hint is null, pair.Second.Hint is null));
    }

    [Fact]
    public void A_scenario_transcript_is_written_in_english_whatever_the_language_so_verified_files_are_shared()
    {
        var flow = TestFlows.CompileOk(TestFlows.Header + """
            home:
              - 고르기:
                  js: buttons(['빵', '빵']);
            """);
        var scenario = ScenarioReader.Read(new KakaoFlow.Yaml.YamlSourceText("t.yaml", "turns:\n  - user: 고르기\n"), new DiagnosticBag())!;

        string transcript;
        using (UiLanguage.Korean())
        {
            transcript = new ScenarioRunner(flow).Run(scenario);
        }

        Assert.Contains("buttons: label '빵' appears twice", transcript, StringComparison.Ordinal);
    }
}
