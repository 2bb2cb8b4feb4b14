using System.Text.Json;
using KakaoFlow.Diagnostics;
using KakaoFlow.Templates;
using KakaoFlow.Tests.Scripting;
using KakaoFlow.Tests.Support;

namespace KakaoFlow.Tests.Templates;

public sealed class KoreanParticleTests
{
    [Theory]
    [InlineData("서울", "으로", "서울로")]
    [InlineData("부산", "으로", "부산으로")]
    [InlineData("집", "로", "집으로")]
    [InlineData("학교", "으로", "학교로")]
    [InlineData("사과", "이", "사과가")]
    [InlineData("책", "가", "책이")]
    [InlineData("물", "는", "물은")]
    [InlineData("나무", "과", "나무와")]
    [InlineData("빵", "와", "빵과")]
    [InlineData("철수", "아", "철수야")]
    [InlineData("민준", "야", "민준아")]
    [InlineData("영희", "이에요", "영희예요")]
    [InlineData("선생님", "예요", "선생님이에요")]
    [InlineData("빵", "나", "빵이나")]
    [InlineData("우유", "이랑", "우유랑")]
    [InlineData("3", "를", "3을")]
    [InlineData("10", "를", "10을")]
    [InlineData("2", "을", "2를")]
    [InlineData("1", "으로", "1로")]
    [InlineData("6", "으로", "6으로")]
    [InlineData("18,000", "을", "18,000을")]
    [InlineData("10000", "이", "10000이")]
    [InlineData("1.5", "이", "1.5가")]
    [InlineData("0", "을", "0을")]
    [InlineData("TV", "을", "TV를")]
    [InlineData("KT", "은", "KT는")]
    [InlineData("1L", "을", "1L을")]
    [InlineData("pizza", "을", "pizza를")]
    [InlineData("shop", "를", "shop을")]
    [InlineData("hotel", "으로", "hotel로")]
    [InlineData("커피!", "을", "커피!를")]
    [InlineData("달걀 10구", "을", "달걀 10구를")]
    [InlineData("", "을", "")]
    public void The_particle_takes_the_form_the_last_sound_needs(string value, string particle, string expected) =>
        Assert.Equal(expected, KoreanParticles.Attach(value, particle));

    [Fact]
    public void A_template_prints_the_value_with_its_particle_and_nothing_for_a_missing_value()
    {
        var template = Template.Parse("{{picked|을}} 담았어요. {{city | 으로}} 보낼게요.");
        var vars = new Dictionary<string, JsonElement>
        {
            ["picked"] = JsonDocument.Parse("\"우유 1팩\"").RootElement,
        };

        Assert.Equal("우유 1팩을 담았어요.  보낼게요.", template.Render(vars));
        Assert.Equal(["picked", "city"], template.Variables.Select(v => v.Name));
    }

    [Fact]
    public void Check_refuses_an_unknown_particle_and_warns_about_a_hedged_one_at_its_place()
    {
        var compilation = TestFlows.Compile(TestFlows.Header + """
            home:
              - 담기:
                  set: { picked: 우유 }
                  say: "{{picked|의}} 담았어요. {{picked}}을(를) 확인하세요."
            """);

        var unknown = Assert.Single(compilation.Diagnostics, d => d.Code == "KF050");
        Assert.True(unknown.IsError);
        var hedged = Assert.Single(compilation.Diagnostics, d => d.Code == "KF051");
        Assert.False(hedged.IsError);
        Assert.Contains("'{{picked|을}}'", hedged.Message, StringComparison.Ordinal);
        Assert.True(hedged.Span.Column > unknown.Span.Column);
    }

    [Fact]
    public void A_hook_gets_the_same_particles_through_josa()
    {
        var outcome = ScriptKit.RunHook("say(josa('서울', '으로') + ' ' + josa(3, '을') + ' ' + josa('', '이'));");

        Assert.Null(outcome.Failure);
        Assert.Equal("서울로 3을 ", outcome.Say);
    }

    [Fact]
    public void Josa_with_a_particle_it_does_not_know_is_a_script_error()
    {
        var outcome = ScriptKit.RunHook("say(josa('서울', '의'));");

        Assert.NotNull(outcome.Failure);
        Assert.Contains("josa(value, particle)", outcome.Failure!.Message, StringComparison.Ordinal);
    }
}
