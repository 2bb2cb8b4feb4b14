using KakaoFlow.Diagnostics;

namespace KakaoFlow.Runtime;

public enum RuntimeIssueKind
{
    /// <summary>A hook or check threw a JavaScript error.</summary>
    HookError,

    /// <summary>A hook ran past its time, statement, memory or recursion limit.</summary>
    HookLimit,

    /// <summary>A reply broke a KakaoTalk limit and was repaired (e.g. text cut to 1000 characters).</summary>
    ReplyRepaired,

    /// <summary>The flow itself misbehaved at run time (e.g. a hook redirect loop).</summary>
    FlowError,
}

/// <summary>Something that went wrong during a turn; it counts against the bot's daily error budget unless <see cref="CausedByInput"/>.</summary>
public sealed record RuntimeIssue(RuntimeIssueKind Kind, string Message, SourceSpan? Location)
{
    /// <summary>The JavaScript message and line, for hook errors.</summary>
    public string? ScriptDetail { get; init; }

    /// <summary>
    /// Only what the user typed made the reply break a limit (their answer printed in a long text): logged, but not
    /// the bot's failure, so it does not count against the error budget.
    /// </summary>
    public bool CausedByInput { get; init; }

    public override string ToString() =>
        Location is { } at ? $"{at}: {Kind}: {Message}{(ScriptDetail is null ? "" : " — " + ScriptDetail)}" : $"{Kind}: {Message}";
}

/// <summary>The outcome of one turn: the reply to send, the session to keep, and what went wrong.</summary>
public sealed record StepResult(Reply Reply, Session Session, IReadOnlyList<RuntimeIssue> Issues)
{
    /// <summary>True when the message matched nothing and got <c>messages.fallback</c> (not an error).</summary>
    public bool IsFallback { get; init; }

    /// <summary>What the turn leaves to commit or undo (<see cref="FlowRuntime.Commit"/>): its bot data writes and its charges.</summary>
    public TurnEffects Effects { get; init; } = TurnEffects.None;

    public bool HasErrors => Issues.Count > 0;
}
