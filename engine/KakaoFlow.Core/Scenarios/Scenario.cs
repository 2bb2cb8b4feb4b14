using System.Collections.Immutable;
using System.Text.Json;
using KakaoFlow.Diagnostics;
using KakaoFlow.Model;

namespace KakaoFlow.Scenarios;

/// <summary>
/// A snapshot-test scenario (<c>flows/&lt;bot&gt;/tests/*.yaml</c>): a conversation played against one flow.
/// The form is described by <c>schema/scenario.schema.json</c>.
/// </summary>
public sealed record Scenario(
    string File,
    string Name,
    Located<string>? Start,
    ImmutableArray<KeyValuePair<string, JsonElement>> Vars,
    ImmutableArray<ScenarioTurn> Turns)
{
    /// <summary>The user who sends turns until the first <c>as:</c>; <c>as: default</c> switches back to them.</summary>
    public const string DefaultUser = "default";

    /// <summary>How the bot is played: as the auto-reply API (the default) or as an Open Builder skill (<c>channel: skill</c>).</summary>
    public ScenarioChannel Channel { get; init; }
}

/// <summary>The channel a scenario plays the bot on; the transcript shows the replies as that channel's users see them.</summary>
public enum ScenarioChannel
{
    /// <summary><c>channel: auto-reply</c> (the default): a message and a keyboard.</summary>
    AutoReply,

    /// <summary><c>channel: skill</c>: Open Builder outputs and quick replies, paged and with labels cut as users see them.</summary>
    Skill,
}

/// <summary>One item of <c>turns</c>, with where it was written.</summary>
public abstract record ScenarioTurn(SourceSpan Span);

/// <summary><c>user: 메뉴 보기</c>: the current user sends a text (a button label or typed text).</summary>
public sealed record UserTextTurn(string Text, SourceSpan Span) : ScenarioTurn(Span);

/// <summary><c>photo: https://…</c>: the current user sends a photo.</summary>
public sealed record UserPhotoTurn(string Url, SourceSpan Span) : ScenarioTurn(Span);

/// <summary><c>wait: 11m</c>: the clock moves on; nothing is sent.</summary>
public sealed record WaitTurn(TimeSpan Duration, string Written, SourceSpan Span) : ScenarioTurn(Span);

/// <summary><c>as: second-user</c>: later turns come from this user, each with their own session.</summary>
public sealed record SwitchUserTurn(string User, SourceSpan Span) : ScenarioTurn(Span);

/// <summary>
/// <c>register_card: 4242 4242 4242 4242</c>: the current user opens their card registration link and posts the form
/// with this number (expiry 12/30, name 테스트), as on the real page (docs/commerce.md); nothing is sent to the bot.
/// </summary>
public sealed record RegisterCardTurn(string Number, SourceSpan Span) : ScenarioTurn(Span);
