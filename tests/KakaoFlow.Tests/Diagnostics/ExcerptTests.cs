using System.Text;
using KakaoFlow.Diagnostics;
using KakaoFlow.Tests.Support;

namespace KakaoFlow.Tests.Diagnostics;

public sealed class ExcerptTests
{
    [Fact]
    public void Short_text_is_kept_whole()
    {
        Assert.Equal("짧은 오류", Excerpt.Cut("짧은 오류", Excerpt.MessageBytes));
        var exact = new string('a', 1024);
        Assert.Same(exact, Excerpt.Cut(exact, 1024));
    }

    [Theory]
    [InlineData("a")]
    [InlineData("오")]
    [InlineData("😀")]
    public void Long_text_is_cut_to_the_byte_budget_without_splitting_a_character(string unit)
    {
        var text = string.Concat(Enumerable.Repeat(unit, 5000));
        var cut = Excerpt.Cut(text, 1024);

        Assert.EndsWith("…", cut, StringComparison.Ordinal);
        Assert.InRange(Encoding.UTF8.GetByteCount(cut), 1024 - 4 - 3, 1024);
        Assert.Equal(string.Concat(Enumerable.Repeat(unit, (cut.Length - 1) / unit.Length)), cut[..^1]);
    }

    [Fact]
    public void A_diagnostic_quotes_at_most_a_short_excerpt_of_what_the_flow_file_holds()
    {
        var target = string.Concat(Enumerable.Repeat("비밀", 3000));
        var diagnostics = TestFlows.Diagnostics(TestFlows.Header + $"""
            home:
              - 안녕:
                  goto: {target}
            """);

        var unknown = Assert.Single(diagnostics, d => d.Code == "KF010");
        Assert.Contains("비밀비밀", unknown.Message, StringComparison.Ordinal);
        Assert.InRange(Encoding.UTF8.GetByteCount(unknown.Format()), 0, 600);
    }
}
