using KakaoFlow.Runtime;
using KakaoFlow.Tests.Support;

namespace KakaoFlow.Tests.Runtime;

/// <summary>
/// Lengths count what users see (grapheme clusters), checked on the running .NET: an emoji with a skin tone, a
/// ZWJ family, a flag and Hangul typed as separate conjoining jamo each count once.
/// </summary>
public sealed class TextLengthTests
{
    private const string ThumbsUpMediumSkin = "\U0001F44D\U0001F3FD";
    private const string Family = "\U0001F468\u200D\U0001F469\u200D\U0001F467\u200D\U0001F466";
    private const string WomanTechnologist = "\U0001F469\U0001F3FD\u200D\U0001F4BB";
    private const string KoreanFlag = "\U0001F1F0\U0001F1F7";
    private const string Keycap = "1\uFE0F\u20E3";

    /// <summary>한글 as conjoining jamo (NFD): ᄒ ᅡ ᆫ ᄀ ᅳ ᆯ — six code points, two syllables on screen.</summary>
    private const string HangulDecomposed = "\u1112\u1161\u11AB\u1100\u1173\u11AF";

    [Theory]
    [InlineData(ThumbsUpMediumSkin, 1)]
    [InlineData(Family, 1)]
    [InlineData(WomanTechnologist, 1)]
    [InlineData(KoreanFlag, 1)]
    [InlineData(KoreanFlag + KoreanFlag, 2)]
    [InlineData(Keycap, 1)]
    [InlineData(HangulDecomposed, 2)]
    [InlineData("가\u11A8", 1)]
    [InlineData("e\u0301", 1)]
    [InlineData("한글", 2)]
    [InlineData("피자 🍕 주문", 7)]
    public void Counts_what_users_see(string text, int expected) =>
        Assert.Equal(expected, TextLength.Of(text));

    [Fact]
    public void Truncating_never_splits_what_users_see_as_one_character()
    {
        var text = string.Concat(Enumerable.Repeat(Family, 5));

        var cut = TextLength.Truncate(text, 3);

        Assert.Equal(Family + Family + "…", cut);
        Assert.Equal(3, TextLength.Of(cut));
    }

    [Theory]
    [InlineData(Family)]
    [InlineData(ThumbsUpMediumSkin)]
    [InlineData(HangulDecomposed)]
    public void A_text_of_1000_such_characters_is_within_the_limit_and_one_more_is_not(string unit)
    {
        var perUnit = TextLength.Of(unit);
        var fits = string.Concat(Enumerable.Repeat(unit, TextLength.KakaoTextLimit / perUnit));
        var over = fits + "가";

        Assert.Empty(TestFlows.Diagnostics(TestFlows.Header + $"home:\n  - 안내: \"{fits}\"\n"));
        var diagnostic = Assert.Single(TestFlows.Diagnostics(TestFlows.Header + $"home:\n  - 안내: \"{over}\"\n"));
        Assert.Equal("KF012", diagnostic.Code);
        Assert.Equal("text is 1001 characters; KakaoTalk allows at most 1000", diagnostic.Message);
    }
}
