using System.Collections.Immutable;
using System.Text.Json;
using KakaoFlow.Templates;

namespace KakaoFlow.Tests.Templates;

public sealed class TemplateTests
{
    private static readonly ImmutableDictionary<string, JsonElement> Vars = ImmutableDictionary<string, JsonElement>.Empty
        .Add("name", JsonDocument.Parse("\"민지\"").RootElement);

    [Theory]
    [InlineData("{{name}}님", "민지님", new int[0])]
    [InlineData("{{name}님, {{name}}님", "{{name}님, 민지님", new[] { 0 })]
    [InlineData("{{name 님과 {{name}}님", "{{name 님과 민지님", new[] { 0 })]
    [InlineData("안녕 {{name", "안녕 {{name", new[] { 3 })]
    [InlineData("{{{name}}}", "{민지}", new int[0])]
    [InlineData("{{}} 그대로", "{{}} 그대로", new int[0])]
    public void An_unclosed_opening_prints_as_written_and_the_next_placeholder_still_works(string source, string rendered, int[] unclosed)
    {
        var template = Template.Parse(source);

        Assert.Equal(rendered, template.Render(Vars));
        Assert.Equal(unclosed, template.Unclosed);
    }
}
