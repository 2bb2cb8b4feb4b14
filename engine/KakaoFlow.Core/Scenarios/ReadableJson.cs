using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace KakaoFlow.Scenarios;

/// <summary>JSON for people: Korean and other letters as they are (no <c>\uXXXX</c>), for transcripts and <c>/vars</c>.</summary>
public static class ReadableJson
{
    public static string Write(JsonElement value, bool indented = false)
    {
        using var stream = new MemoryStream();
        using (var writer = new Utf8JsonWriter(stream, new JsonWriterOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping, Indented = indented }))
        {
            value.WriteTo(writer);
        }

        return Encoding.UTF8.GetString(stream.ToArray()).ReplaceLineEndings("\n");
    }

    public static string Write(IEnumerable<KeyValuePair<string, JsonElement>> variables)
    {
        using var stream = new MemoryStream();
        using (var writer = new Utf8JsonWriter(stream, new JsonWriterOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping, Indented = true }))
        {
            writer.WriteStartObject();
            foreach (var (name, value) in variables.OrderBy(v => v.Key, StringComparer.Ordinal))
            {
                writer.WritePropertyName(name);
                value.WriteTo(writer);
            }

            writer.WriteEndObject();
        }

        return Encoding.UTF8.GetString(stream.ToArray()).ReplaceLineEndings("\n");
    }
}
