using System.Buffers;
using System.Collections.Immutable;
using System.Text.Encodings.Web;
using System.Text.Json;
using KakaoFlow.Runtime;
using KakaoFlow.Storage;

namespace KakaoFlow.Store;

/// <summary>
/// A session write as a journal record: UTF-8 JSON
/// <c>{"bot":…,"user":…,"step":…,"vars":{…},"last":utcTicks|null,"version":…|null,"choice":{"labels":[…],"save":…,"next":…}|null,"page":n}</c>
/// (<c>page</c> only when it is not 0).
/// Written on the request path, so it is one pass of a <see cref="Utf8JsonWriter"/> and one array; read back only
/// when a killed process left the journal behind.
/// </summary>
internal static class SessionRecord
{
    private static readonly JsonWriterOptions WriterOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping, SkipValidation = true };

    [ThreadStatic]
    private static ArrayBufferWriter<byte>? t_buffer;

    public static byte[] Write(string botId, string userKey, Session session)
    {
        var buffer = t_buffer ??= new ArrayBufferWriter<byte>(1024);
        buffer.ResetWrittenCount();
        using (var writer = new Utf8JsonWriter(buffer, WriterOptions))
        {
            writer.WriteStartObject();
            writer.WriteString("bot", botId);
            writer.WriteString("user", userKey);
            writer.WriteString("step", session.StepId);
            writer.WriteStartObject("vars");
            foreach (var (name, value) in session.Vars)
            {
                writer.WritePropertyName(name);
                value.WriteTo(writer);
            }

            writer.WriteEndObject();
            if (session.LastMessageAt is { } last)
            {
                writer.WriteNumber("last", last.UtcTicks);
            }

            if (session.FlowVersion is { } version)
            {
                writer.WriteString("version", version);
            }

            if (session.Choice is { } choice)
            {
                writer.WriteStartObject("choice");
                writer.WriteStartArray("labels");
                foreach (var label in choice.Labels)
                {
                    writer.WriteStringValue(label);
                }

                writer.WriteEndArray();
                WriteOptional(writer, "save", choice.SaveAs);
                WriteOptional(writer, "next", choice.Next);
                writer.WriteEndObject();
            }

            if (session.Page != 0)
            {
                writer.WriteNumber("page", session.Page);
            }

            writer.WriteEndObject();
        }

        var record = buffer.WrittenSpan.ToArray();
        if (buffer.Capacity > 64 * 1024)
        {
            t_buffer = null; // one huge session should not pin a huge buffer on this thread
        }

        return record;
    }

    /// <exception cref="InvalidDataException">The record is not a session record.</exception>
    public static (string BotId, string UserKey, Session Session) Read(ReadOnlyMemory<byte> record)
    {
        try
        {
            using var document = JsonDocument.Parse(record);
            var root = document.RootElement;
            var session = new Session
            {
                StepId = root.GetProperty("step").GetString()!,
                Vars = VarsCodec.FromObject(root.GetProperty("vars")),
                LastMessageAt = root.TryGetProperty("last", out var last) ? new DateTimeOffset(last.GetInt64(), TimeSpan.Zero) : null,
                FlowVersion = root.TryGetProperty("version", out var version) ? version.GetString() : null,
                Choice = root.TryGetProperty("choice", out var choice) ? ReadChoice(choice) : null,
                Page = root.TryGetProperty("page", out var page) ? page.GetInt32() : 0,
            };
            return (root.GetProperty("bot").GetString()!, root.GetProperty("user").GetString()!, session);
        }
        catch (Exception e) when (IsMalformed(e))
        {
            throw new InvalidDataException("not a session journal record", e);
        }
    }

    /// <summary>
    /// The record's <c>last</c> (<see cref="Session.LastMessageAt"/>) without decoding the rest: the flusher asks it of
    /// every session it moves to the packed cache, and a decoded record (its variables cloned into a document, a
    /// dictionary built) cost a few KB of garbage each, 100,000 of them after a busy minute.
    /// </summary>
    /// <exception cref="InvalidDataException">The record is not a session record.</exception>
    public static DateTimeOffset? LastMessageAt(ReadOnlySpan<byte> record)
    {
        try
        {
            var reader = new Utf8JsonReader(record);
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                throw new InvalidDataException("not a session journal record");
            }

            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var isLast = reader.ValueTextEquals("last"u8);
                reader.Read();
                if (isLast)
                {
                    return new DateTimeOffset(reader.GetInt64(), TimeSpan.Zero);
                }

                reader.Skip();
            }

            return null;
        }
        catch (Exception e) when (IsMalformed(e))
        {
            throw new InvalidDataException("not a session journal record", e);
        }
    }

    /// <summary>What reading a record that is not a session record throws (ArgumentOutOfRange: a time beyond DateTimeOffset's range).</summary>
    private static bool IsMalformed(Exception e) =>
        e is JsonException or KeyNotFoundException or InvalidOperationException or FormatException or ArgumentOutOfRangeException;

    private static DynamicChoice ReadChoice(JsonElement choice) => new(
        [.. choice.GetProperty("labels").EnumerateArray().Select(label => label.GetString()!)],
        choice.TryGetProperty("save", out var save) ? save.GetString() : null,
        choice.TryGetProperty("next", out var next) ? next.GetString() : null);

    private static void WriteOptional(Utf8JsonWriter writer, string name, string? value)
    {
        if (value is not null)
        {
            writer.WriteString(name, value);
        }
    }
}
