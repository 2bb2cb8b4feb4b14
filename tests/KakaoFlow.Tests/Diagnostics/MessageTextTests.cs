using System.Text;
using KakaoFlow.Diagnostics;

namespace KakaoFlow.Tests.Diagnostics;

public sealed class MessageTextTests
{
    [Theory]
    [InlineData("메뉴", "버튼 '메뉴'가 있어요")]
    [InlineData("주문", "버튼 '주문'이 있어요")]
    [InlineData("3", "버튼 '3'이 있어요")]
    [InlineData("", "버튼 '' 있어요")]
    public void A_particle_placeholder_prints_the_form_its_argument_takes(string name, string expected)
    {
        Assert.Equal(expected, MessageText.Format("버튼 '{0}'{0|이} 있어요", name));
    }

    [Fact]
    public void Hangul_written_as_separate_jamo_takes_the_particle_of_the_syllables_it_shows()
    {
        var decomposed = "메뉴".Normalize(NormalizationForm.FormD);

        Assert.Equal(decomposed + "가", MessageText.Format("{0}{0|이}", decomposed));
    }

    [Fact]
    public void Braces_are_doubled_and_numbers_are_written_the_same_in_every_language()
    {
        Assert.Equal("{{name}} 1048576 {x}", MessageText.Format("{{{{{0}}}}} {1} {{x}}", "name", 1048576));
    }

    [Theory]
    [InlineData("{0} {1|을}", new[] { 0, 1 })]
    [InlineData("{{0}} {2}", new[] { 2 })]
    [InlineData("'{{{{{0}}}}}{1}' '{{{{{0}|{2}}}}}'", new[] { 0, 1, 2 })]
    public void Arguments_of_a_format_are_the_numbers_it_uses(string format, int[] expected)
    {
        Assert.Equal(expected, MessageText.ArgumentsOf(format));
    }

    [Theory]
    [InlineData("{1}")]
    [InlineData("{x}")]
    [InlineData("}")]
    public void A_bad_format_is_refused(string format)
    {
        Assert.Throws<FormatException>(() => MessageText.Format(format, "a"));
    }
}
