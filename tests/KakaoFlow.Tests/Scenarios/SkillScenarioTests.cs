using System.Text.Json;
using KakaoFlow.Diagnostics;
using KakaoFlow.Scenarios;
using KakaoFlow.Tests.Schema;
using KakaoFlow.Tests.Support;
using KakaoFlow.Yaml;

namespace KakaoFlow.Tests.Scenarios;

/// <summary>Scenarios with <c>channel: skill</c>: the bot played as an Open Builder skill, the transcript as its users see it.</summary>
public sealed class SkillScenarioTests
{
    private const string Flow = TestFlows.Header + """
        home:
          - 메뉴:
              say: 피자를 골라 주세요.
              link: { label: 원산지와 알레르기 정보 전체 보기, url: "https://example.com/info" }
              buttons:
                - 피자1: 1번
                - 피자2: 2번
                - 피자3: 3번
                - 피자4: 4번
                - 피자5: 5번
                - 피자6: 6번
                - 피자7: 7번
                - 피자8: 8번
                - 피자9: 9번
                - 피자10: 10번
                - 고구마 치즈 크러스트 피자 L: 크러스트 피자를 담았어요.
                - 처음으로: { goto: home }
        """;

    private static Scenario Read(string yaml, DiagnosticBag? diagnostics = null) =>
        ScenarioReader.Read(new YamlSourceText("skill.yaml", yaml), diagnostics ?? new DiagnosticBag())!;

    [Fact]
    public void A_skill_scenario_shows_outputs_cut_labels_and_pages_as_users_see_them()
    {
        var scenario = Read("""
            name: 열두 개 버튼
            channel: skill
            turns:
              - user: 메뉴
              - user: 다음
              - user: 콜라
              - user: 이전
              - user: 고구마 치즈 크러스트 피자 L
            """);
        Assert.Equal(ScenarioChannel.Skill, scenario.Channel);

        var transcript = new ScenarioRunner(TestFlows.CompileOk(Flow)).Run(scenario);

        Assert.Equal("""
            scenario: 열두 개 버튼
            flow: 테스트
            channel: skill
            clock: 2026-01-05T10:00:00+09:00

            [start] home
              quickReplies: none until the bot first answers

            [1] user: 메뉴
              textCard:
                | 피자를 골라 주세요.
                button: 원산지와 알레르기 정보 … <https://example.com/info>
              quickReplies:
                - 피자1
                - 피자2
                - 피자3
                - 피자4
                - 피자5
                - 피자6
                - 피자7
                - 피자8
                - 피자9
                - 다음
              step: home/메뉴

            [2] user: 다음
              simpleText:
                | 원하는 버튼을 선택하세요 (2/2)
              quickReplies:
                - 이전
                - 피자10
                - 고구마 치즈 크러스트 피… (sends 고구마 치즈 크러스트 피자 L)
                - 처음으로
              step: home/메뉴 (quick replies page 2)

            [3] user: 콜라
              fallback: matched no button
              simpleText:
                | 아래 버튼 중에서 선택해 주세요.
              quickReplies:
                - 이전
                - 피자10
                - 고구마 치즈 크러스트 피… (sends 고구마 치즈 크러스트 피자 L)
                - 처음으로
              step: home/메뉴 (quick replies page 2)

            [4] user: 이전
              simpleText:
                | 원하는 버튼을 선택하세요 (1/2)
              quickReplies:
                - 피자1
                - 피자2
                - 피자3
                - 피자4
                - 피자5
                - 피자6
                - 피자7
                - 피자8
                - 피자9
                - 다음
              step: home/메뉴

            [5] user: 고구마 치즈 크러스트 피자 L
              simpleText:
                | 크러스트 피자를 담았어요.
              quickReplies:
                - 메뉴
              step: home

            """, transcript);
    }

    [Fact]
    public void The_same_scenario_on_the_auto_reply_channel_is_unchanged()
    {
        var transcript = new ScenarioRunner(TestFlows.CompileOk(Flow)).Run(Read("turns:\n  - user: 메뉴\n"));

        Assert.DoesNotContain("channel:", transcript, StringComparison.Ordinal);
        Assert.Contains("  keyboard:\n    - 피자1\n", transcript, StringComparison.Ordinal);
        Assert.Contains("    - 고구마 치즈 크러스트 피자 L\n", transcript, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("channel: kakao\nturns:\n  - user: 메뉴\n", "skill.yaml:1:10: error KF005: channel must be auto-reply (the default) or skill")]
    [InlineData("channel: skill\nturns:\n  - photo: https://example.com/p.jpg\n", "skill.yaml:3:5: error KF005: a turn on channel: skill must be 'user:' (an Open Builder skill receives only text)")]
    public void A_wrong_channel_and_a_photo_on_the_skill_channel_are_reported(string yaml, string expected)
    {
        var diagnostics = new DiagnosticBag();

        Assert.Null(ScenarioReader.Read(new YamlSourceText("skill.yaml", yaml), diagnostics));
        Assert.Equal(expected, Assert.Single(diagnostics.Items).Format());
    }

    [Fact]
    public async Task The_scenario_schema_takes_the_channel_and_knows_exactly_the_readers_keys()
    {
        Assert.Empty(await SchemaAssert.ValidateScenarioAsync("channel: skill\nturns:\n  - user: 메뉴\n"));
        Assert.NotEmpty(await SchemaAssert.ValidateScenarioAsync("channel: kakao\nturns:\n  - user: 메뉴\n"));

        using var schema = JsonDocument.Parse(File.ReadAllText(RepoPaths.Schema("scenario.schema.json")));
        Assert.Equal(
            ScenarioReader.TopKeys.Order(StringComparer.Ordinal),
            schema.RootElement.GetProperty("properties").EnumerateObject().Select(p => p.Name).Order(StringComparer.Ordinal));
    }
}
