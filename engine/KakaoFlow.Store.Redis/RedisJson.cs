using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;
using KakaoFlow.Runtime;

namespace KakaoFlow.Store.Redis;

/// <summary>
/// Values stored as JSON text: sessions, service states and error days, each as System.Text.Json writes the record
/// (every property, so a field added to <see cref="Session"/> is stored without a change here); Korean stays readable
/// in <c>redis-cli</c>. Times keep their ticks and offset exactly.
/// </summary>
internal static class RedisJson
{
    private static readonly JsonSerializerOptions Options = new()
    {
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        IgnoreReadOnlyProperties = true,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        Converters = { new JsonStringEnumConverter() },
    };

    public static string Write<T>(T value) => JsonSerializer.Serialize(value, Options);

    /// <exception cref="InvalidDataException">The text is not a stored <typeparamref name="T"/> this version can read.</exception>
    public static T Read<T>(string json)
        where T : class
    {
        try
        {
            return JsonSerializer.Deserialize<T>(json, Options) ?? throw new InvalidDataException($"a stored {typeof(T).Name} is null");
        }
        catch (Exception e) when (e is JsonException or NotSupportedException or ArgumentException or InvalidOperationException)
        {
            throw new InvalidDataException($"a stored {typeof(T).Name} cannot be read by this version: {e.Message}", e);
        }
    }

    /// <summary>A session as stored; its variables compared ordinally, as <see cref="Session.New"/>'s are.</summary>
    public static Session ReadSession(string json)
    {
        var session = Read<Session>(json);
        return session.Vars.KeyComparer == StringComparer.Ordinal ? session : session with { Vars = session.Vars.WithComparers(StringComparer.Ordinal) };
    }

    /// <summary>A value of bot data: its JSON text, and back (a copy that outlives any document).</summary>
    public static string WriteValue(JsonElement value) => JsonSerializer.Serialize(value, Options);

    public static JsonElement ReadValue(string json)
    {
        using var document = JsonDocument.Parse(json);
        return document.RootElement.Clone();
    }

    /// <summary>Milliseconds since 0001-01-01 UTC: a sorted-set score that a double holds exactly (ticks would not).</summary>
    public static double Score(DateTimeOffset? at) => at is { } time ? time.UtcTicks / TimeSpan.TicksPerMillisecond : -1;

    /// <summary>Ticks as stored in a string (exact, unlike a score).</summary>
    public static string Ticks(DateTimeOffset at) => at.UtcTicks.ToString(System.Globalization.CultureInfo.InvariantCulture);

    public static DateTimeOffset? FromTicks(string? ticks) =>
        long.TryParse(ticks, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var value)
            ? new DateTimeOffset(value, TimeSpan.Zero)
            : null;
}
