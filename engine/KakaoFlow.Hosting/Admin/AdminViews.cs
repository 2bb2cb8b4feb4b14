using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace KakaoFlow.Hosting.Admin;

/// <summary>A bot as the admin API shows it. A bot whose flow does not compile has only the state and diagnostics.</summary>
public sealed record BotView
{
    public required string Id { get; init; }
    public string? Name { get; init; }
    public bool Served { get; init; }
    public required string State { get; init; }
    public required string Reason { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public DateTimeOffset? ChangedAt { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? ChangedBy { get; init; }

    public DateTimeOffset? StartedAt { get; init; }

    /// <summary>Today in Asia/Seoul (<c>yyyy-MM-dd</c>): the day <see cref="ErrorsToday"/> counts.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Day { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public int? ErrorsToday { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public int? ErrorLimit { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public int? Sessions { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public int? Friends { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Version { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? MonitorPhone { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public bool? PrivacyConsent { get; init; }

    /// <summary>The latest compile of the bot's files in one line (hot reload keeps it current).</summary>
    public string? FlowStatus { get; init; }

    /// <summary>The diagnostics of the latest compile, as <c>kakaoflow check</c> prints them.</summary>
    public IReadOnlyList<string> Diagnostics { get; init; } = [];

    /// <summary>Only in <c>GET /_admin/bots/{bot}</c>: the latest errors, newest first.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public IReadOnlyList<ErrorView>? RecentErrors { get; init; }
}

public sealed record ErrorView(DateTimeOffset At, string User, string Kind, string? Location, string Message);

public sealed record BotListView(IReadOnlyList<BotView> Bots)
{
    /// <summary>The data store all bots share: <c>ok</c>, or <c>unavailable</c> since when and why.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public StoreView? Store { get; init; }
}

/// <summary>The data store's health: <see cref="Status"/> <c>ok</c> or <c>unavailable</c>, since when (null: since the host started), and why.</summary>
public sealed record StoreView(
    string Status,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] DateTimeOffset? Since,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Reason);

public sealed record ApiCheckView(string Check, bool Passed, string? Why);

/// <summary>The answer to start, stop, block and unblock.</summary>
public sealed record ActionView(bool Ok, string Message, BotView Bot)
{
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public IReadOnlyList<ApiCheckView>? ApiTest { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Error { get; init; }
}

public sealed record NotificationView(
    string Id,
    long Seq,
    string Bot,
    string Phone,
    string Kind,
    string Text,
    DateTimeOffset At,
    bool Delivered,
    DateTimeOffset? DeliveredAt,
    int Attempts,
    string? LastError);

public sealed record NotificationListView(IReadOnlyList<NotificationView> Notifications);

public sealed record AdminErrorView(string Error, int Status);

public sealed record BlockRequest(string? Reason);

/// <summary>The admin API's JSON: snake_case names, Korean unescaped, times as ISO 8601 UTC with milliseconds.</summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower,
    Converters = [typeof(UtcTimeConverter)])]
[JsonSerializable(typeof(BotListView))]
[JsonSerializable(typeof(ActionView))]
[JsonSerializable(typeof(NotificationListView))]
[JsonSerializable(typeof(PaymentListView))]
[JsonSerializable(typeof(AdminErrorView))]
[JsonSerializable(typeof(BlockRequest))]
public sealed partial class AdminJson : JsonSerializerContext
{
    /// <summary>The context the host writes with and the <c>admin</c> command reads with.</summary>
    public static AdminJson Web { get; } = new(new JsonSerializerOptions
    {
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        Converters = { new UtcTimeConverter() },
    });
}

/// <summary>Times as the admin API has always written them: <c>2026-11-25T03:00:00.000Z</c>.</summary>
public sealed class UtcTimeConverter : JsonConverter<DateTimeOffset>
{
    public override DateTimeOffset Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        reader.GetDateTimeOffset();

    public override void Write(Utf8JsonWriter writer, DateTimeOffset value, JsonSerializerOptions options)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.WriteStringValue(value.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ss.fffZ", System.Globalization.CultureInfo.InvariantCulture));
    }
}
