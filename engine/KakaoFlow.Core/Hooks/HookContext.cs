using System.Collections.Immutable;
using System.Text.Json;
using KakaoFlow.Diagnostics;
using KakaoFlow.Payments;
using KakaoFlow.Runtime;
using KakaoFlow.Storage;

namespace KakaoFlow.Hooks;

/// <summary>What a hook can see and use during one run.</summary>
public sealed record HookContext(
    string BotId,
    ImmutableDictionary<string, JsonElement> Vars,
    Turn? Input,
    DateTimeOffset Now,
    HookServices Services,
    CancellationToken Cancellation)
{
    /// <summary>The text being checked, inside <c>check:</c>.</summary>
    public string? Value { get; init; }
}

/// <summary>The world outside a turn that hooks may touch; the host provides it, tests fake it.</summary>
public sealed record HookServices(IBotDataStore? Data, IHookLog? Log)
{
    /// <summary><c>pay</c> in hooks; null: no payments here (hooks that call <c>pay</c> get an error).</summary>
    public IHookPayments? Payments { get; init; }

    public static HookServices None { get; } = new(null, null);
}

public interface IHookLog
{
    void Write(string botId, SourceSpan location, string message);
}

public enum HookFailureKind
{
    /// <summary>The script threw (a JavaScript error or a bad host-API call).</summary>
    ScriptError,

    /// <summary>Wall-clock time ran out (or the turn was cancelled).</summary>
    Timeout,

    /// <summary>A statement, memory, recursion or size limit was hit.</summary>
    Limit,
}

/// <summary>Why a hook failed: kind, the JavaScript message, and where (mapped to the flow or .js file).</summary>
public sealed record HookFailure(HookFailureKind Kind, string Message, SourceSpan Location);

/// <summary>What a hook run produced. Reply overrides are null when the hook did not touch them.</summary>
public sealed record HookOutcome
{
    public required ImmutableDictionary<string, JsonElement> Vars { get; init; }

    /// <summary>The completion value, for <c>check:</c> (JavaScript truthiness).</summary>
    public bool Truthy { get; init; }

    public string? Say { get; init; }
    public ReplyPhoto? Photo { get; init; }
    public ReplyLink? Link { get; init; }
    public DynamicChoice? Buttons { get; init; }

    /// <summary>A redirect requested with <c>goto('step')</c>.</summary>
    public string? Goto { get; init; }

    public HookFailure? Failure { get; init; }

    public static HookOutcome Failed(ImmutableDictionary<string, JsonElement> vars, HookFailure failure) =>
        new() { Vars = vars, Failure = failure };
}
