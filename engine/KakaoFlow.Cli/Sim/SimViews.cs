using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;
using KakaoFlow.Runtime;

namespace KakaoFlow.Cli.Sim;

/// <summary>One bot on the list page.</summary>
internal sealed record BotListItem(string Id, string Name, string Level, string Status);

/// <summary>Everything the bot page shows; every call that changes something answers with it.</summary>
internal sealed record BotStateView(string Bot, string Name, StatusView Status, UserView? User);

/// <summary>The bot's version and the diagnostics of the latest compile of its files.</summary>
/// <param name="Stamp">Changes with every compile of a saved file (the page compares it).</param>
/// <param name="Served">Some version answers (the latest, or the last good one).</param>
/// <param name="Version">The version answering, or null.</param>
/// <param name="LastReloadFailed">The latest save has errors; an earlier version answers.</param>
/// <param name="Errors">How many errors the latest compile found.</param>
/// <param name="Level"><c>ok</c>, <c>warning</c> or <c>error</c>.</param>
/// <param name="Summary">One Korean line for people.</param>
/// <param name="Diagnostics">Every diagnostic of the latest compile, in the <c>check</c> order.</param>
internal sealed record StatusView(
    string Stamp,
    bool Served,
    string? Version,
    bool LastReloadFailed,
    int Errors,
    string Level,
    string Summary,
    IReadOnlyList<DiagnosticView> Diagnostics);

/// <summary>A diagnostic line as <c>kakaoflow check</c> prints it.</summary>
internal sealed record DiagnosticView(bool IsError, string Line);

/// <summary>The simulated user: where they are, their variables (JSON text), their clock, keyboard and conversation.</summary>
internal sealed record UserView(
    string Step,
    string Vars,
    string Clock,
    bool TextKeyboard,
    IReadOnlyList<string> Buttons,
    bool AcceptsPhoto,
    IReadOnlyList<EntryView> Entries);

/// <summary>One line of the conversation: <c>user</c>, <c>bot</c>, <c>note</c>, <c>log</c> or <c>issue</c>.</summary>
internal sealed record EntryView(string Kind, string? Text, ReplyPhoto? Photo, ReplyLink? Link);

/// <summary>The diagram of <c>kakaoflow graph</c> and each step's node id in it.</summary>
internal sealed record GraphView(string Version, string Mermaid, IReadOnlyDictionary<string, string> Nodes);

internal sealed record SendRequest(string User, string? Text, string? Photo);

internal sealed record ClockRequest(string User, string By);

internal sealed record UserRequest(string User);

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
[JsonSerializable(typeof(List<BotListItem>))]
[JsonSerializable(typeof(BotStateView))]
[JsonSerializable(typeof(StatusView))]
[JsonSerializable(typeof(GraphView))]
[JsonSerializable(typeof(SendRequest))]
[JsonSerializable(typeof(ClockRequest))]
[JsonSerializable(typeof(UserRequest))]
internal sealed partial class SimJson : JsonSerializerContext
{
    /// <summary>Korean as it is (no <c>\uXXXX</c>), for people reading the API with curl; the answers are JSON, never HTML.</summary>
    public static SimJson Readable { get; } = new(new JsonSerializerOptions
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    });
}
