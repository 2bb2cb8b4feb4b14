using System.Collections.Immutable;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using KakaoFlow.Storage;

namespace KakaoFlow.Store;

/// <summary>Session variables (JSON values) ⇄ one JSON object text, stored as a string field.</summary>
internal static class VarsCodec
{
    private static readonly JsonWriterOptions WriterOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static string Write(IReadOnlyDictionary<string, JsonElement> vars)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer, WriterOptions))
        {
            writer.WriteStartObject();
            foreach (var (name, value) in vars.OrderBy(pair => pair.Key, StringComparer.Ordinal))
            {
                writer.WritePropertyName(name);
                value.WriteTo(writer);
            }

            writer.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length);
    }

    /// <exception cref="InvalidDataException">The text is not a JSON object.</exception>
    public static ImmutableDictionary<string, JsonElement> Read(string json)
    {
        try
        {
            using var document = JsonDocument.Parse(json);
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                throw new InvalidDataException("stored variables are not a JSON object");
            }

            return FromObject(document.RootElement);
        }
        catch (JsonException e)
        {
            throw new InvalidDataException("stored variables are not valid JSON", e);
        }
    }

    /// <summary>
    /// The properties of a JSON object as variables that outlive its document: the object is cloned once and its values
    /// share the copy (a clone of each value would copy each into a document of its own).
    /// </summary>
    public static ImmutableDictionary<string, JsonElement> FromObject(JsonElement vars)
    {
        var builder = ImmutableDictionary.CreateBuilder<string, JsonElement>(StringComparer.Ordinal);
        foreach (var property in vars.Clone().EnumerateObject())
        {
            builder[property.Name] = property.Value;
        }

        return builder.ToImmutable();
    }

    public static string WriteValue(JsonElement value)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer, WriterOptions))
        {
            value.WriteTo(writer);
        }

        return Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length);
    }

    public static JsonElement ReadValue(string json)
    {
        using var document = JsonDocument.Parse(json);
        return document.RootElement.Clone();
    }
}
