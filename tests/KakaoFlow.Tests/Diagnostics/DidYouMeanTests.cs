using KakaoFlow.Diagnostics;
using KakaoFlow.Tests.Support;

namespace KakaoFlow.Tests.Diagnostics;

/// <summary>Typos as people make them: swapped letters, one wrong letter, a Hangul vowel or final consonant off.</summary>
public sealed class DidYouMeanTests
{
    private static readonly string[] StepKeys = ["say", "photo", "link", "buttons", "input", "set", "js", "goto"];

    [Theory]
    [InlineData("sya", "say")]
    [InlineData("bottons", "buttons")]
    [InlineData("buttnos", "buttons")]
    [InlineData("gotp", "goto")]
    [InlineData("Say", "say")]
    [InlineData("inptu", "input")]
    public void Swapped_and_wrong_letters_suggest_the_key(string typed, string expected) =>
        Assert.Equal(expected, DidYouMean.Suggest(typed, StepKeys));

    [Theory]
    [InlineData("메뉴보가", "메뉴보기")]
    [InlineData("매뉴보기", "메뉴보기")]
    [InlineData("결재", "결제")]
    [InlineData("주뭄", "주문")]
    [InlineData("메뉴ㅂ기", "메뉴보기")]
    public void Hangul_typos_are_compared_by_jamo(string typed, string expected) =>
        Assert.Equal(expected, DidYouMean.Suggest(typed, ["메뉴보기", "메뉴판", "결제", "주문", "주소"]));

    [Fact]
    public void The_closest_of_two_near_names_wins()
    {
        // By syllables 결과 and 결제 are both one letter away from 결재; by jamo 재 (ㅈㅐ) is one key from 제 (ㅈㅔ), two from 과 (ㄱㅘ).
        Assert.Equal("결제", DidYouMean.Suggest("결재", ["결과", "결제"]));
    }

    [Theory]
    [InlineData("text")]
    [InlineData("배송")]
    public void Nothing_close_suggests_nothing(string typed) =>
        Assert.Null(DidYouMean.Suggest(typed, [.. StepKeys, "배달"]));

    [Fact]
    public void An_unknown_key_with_swapped_letters_gets_one_suggestion_not_the_list()
    {
        var diagnostic = Assert.Single(TestFlows.Diagnostics(TestFlows.Header + """
            home:
              - 메뉴:
                  sya: 오늘의 메뉴입니다.
            """));

        Assert.Equal("KF004", diagnostic.Code);
        Assert.Equal("did you mean 'say'?", diagnostic.Hint);
    }

    [Fact]
    public void A_goto_target_with_a_hangul_typo_gets_the_step()
    {
        var diagnostics = TestFlows.Diagnostics(TestFlows.Header + """
            home:
              - 메뉴: { goto: 메뉴보가 }
            steps:
              메뉴보기: 오늘의 메뉴
              메뉴판: 메뉴판입니다
            """);

        var diagnostic = Assert.Single(diagnostics, d => d.Code == "KF010");
        Assert.Equal("did you mean '메뉴보기'?", diagnostic.Hint);
    }
}
