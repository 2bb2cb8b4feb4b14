using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace KakaoFlow.Tests.Schema;

/// <summary>
/// schema/ko/*.json are the Korean twins of schema/*.json: the same schema (every key, type and rule), with a
/// Korean description wherever the English one has a description, and none where it has none.
/// </summary>
public sealed partial class SchemaLanguageTests
{
    private static readonly string[] Texts = ["description", "title"];

    [GeneratedRegex(@"[\uAC00-\uD7A3]")]
    private static partial Regex Hangul();

    private static JsonNode Load(string file) => JsonNode.Parse(File.ReadAllText(RepoPaths.Schema(file)))!;

    /// <summary>The schema with its words taken out: what validates, nothing that explains.</summary>
    private static JsonNode? Rules(JsonNode? node) => node switch
    {
        JsonObject obj => new JsonObject(obj.Where(p => !(Texts.Contains(p.Key) && p.Value is JsonValue)).Select(p => KeyValuePair.Create(p.Key, Rules(p.Value)))),
        JsonArray array => new JsonArray([.. array.Select(Rules)]),
        _ => node?.DeepClone(),
    };

    /// <summary>Every description and title, by where it is: <c>/properties/name/description</c>.</summary>
    private static Dictionary<string, string> Words(JsonNode? node, string path = "")
    {
        var words = new Dictionary<string, string>(StringComparer.Ordinal);
        switch (node)
        {
            case JsonObject obj:
                foreach (var (key, value) in obj)
                {
                    if (Texts.Contains(key) && value is JsonValue text)
                    {
                        words[$"{path}/{key}"] = text.GetValue<string>();
                    }
                    else
                    {
                        foreach (var word in Words(value, $"{path}/{key}"))
                        {
                            words.Add(word.Key, word.Value);
                        }
                    }
                }

                break;
            case JsonArray array:
                for (var i = 0; i < array.Count; i++)
                {
                    foreach (var word in Words(array[i], $"{path}/{i}"))
                    {
                        words.Add(word.Key, word.Value);
                    }
                }

                break;
        }

        return words;
    }

    [Theory]
    [InlineData("flow.schema.json")]
    [InlineData("scenario.schema.json")]
    public void The_Korean_schema_has_the_same_rules(string file)
    {
        var english = Rules(Load(file));
        var korean = Rules(Load("ko/" + file));

        Assert.True(JsonNode.DeepEquals(english, korean), $"schema/ko/{file} differs from schema/{file} in more than its words");
    }

    [Theory]
    [InlineData("flow.schema.json")]
    [InlineData("scenario.schema.json")]
    public void Every_description_is_in_both_languages(string file)
    {
        var english = Words(Load(file));
        var korean = Words(Load("ko/" + file));

        Assert.Equal(english.Keys.Order(StringComparer.Ordinal), korean.Keys.Order(StringComparer.Ordinal));
        Assert.Empty(korean.Where(word => !Hangul().IsMatch(word.Value) || word.Value == english[word.Key]).Select(word => word.Key));
    }

    [Fact]
    public void A_changed_rule_is_told_apart_from_a_changed_word()
    {
        var schema = JsonNode.Parse("""{ "description": "a", "properties": { "x": { "type": "string", "description": "b" } } }""");
        var reworded = JsonNode.Parse("""{ "description": "가", "properties": { "x": { "type": "string", "description": "나" } } }""");
        var retyped = JsonNode.Parse("""{ "description": "가", "properties": { "x": { "type": "number", "description": "나" } } }""");

        Assert.True(JsonNode.DeepEquals(Rules(schema), Rules(reworded)));
        Assert.False(JsonNode.DeepEquals(Rules(schema), Rules(retyped)));
        Assert.Equal(["/description", "/properties/x/description"], Words(reworded).Keys.Order(StringComparer.Ordinal));
    }
}
