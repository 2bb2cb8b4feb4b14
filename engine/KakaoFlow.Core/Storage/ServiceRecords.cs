namespace KakaoFlow.Storage;

/// <summary>A bot's service state (docs/design.md, "Service lifecycle"); stored by its wire name in <c>services</c>.</summary>
public enum ServiceState
{
    NotStarted,
    Running,
    Stopped,
    StoppedByErrors,
    Blocked,
}

/// <summary>Wire names of <see cref="ServiceState"/> (<c>not-started</c>, <c>stopped-by-errors</c>, ...).</summary>
public static class ServiceStates
{
    public static string Name(ServiceState state) => state switch
    {
        ServiceState.NotStarted => "not-started",
        ServiceState.Running => "running",
        ServiceState.Stopped => "stopped",
        ServiceState.StoppedByErrors => "stopped-by-errors",
        ServiceState.Blocked => "blocked",
        _ => throw new ArgumentOutOfRangeException(nameof(state), state, null),
    };

    public static ServiceState? Parse(string? name) => name switch
    {
        "not-started" => ServiceState.NotStarted,
        "running" => ServiceState.Running,
        "stopped" => ServiceState.Stopped,
        "stopped-by-errors" => ServiceState.StoppedByErrors,
        "blocked" => ServiceState.Blocked,
        _ => null,
    };
}

/// <summary>One bot's stored service state: why it is in it, since when, and who put it there.</summary>
public sealed record ServiceRecord(string BotId, ServiceState State, string Reason, DateTimeOffset ChangedAt, string ChangedBy)
{
    /// <summary>When the bot last became <see cref="ServiceState.Running"/>.</summary>
    public DateTimeOffset? StartedAt { get; init; }
}

/// <summary>One counted error: when, which user (a hash, never the user_key), where in the flow, what.</summary>
public sealed record ErrorDetail(DateTimeOffset At, string User, string Kind, string? Location, string Message);

/// <summary>A bot's errors on one Asia/Seoul day (<c>yyyy-MM-dd</c>): the count, whether the 80 % warning went out, the latest details.</summary>
public sealed record ErrorDay(string BotId, string Day, int Count, bool Warned, IReadOnlyList<ErrorDetail> Recent);

/// <summary>A monitoring message to write to the outbox together with a state change.</summary>
public sealed record NotificationDraft(string BotId, string Phone, string Kind, string Text);

/// <summary>
/// A monitoring message in the outbox. <see cref="Key"/> is unique per event and goes out with every delivery
/// attempt, so a receiver can drop a repeat (see <c>NotificationDispatcher</c>).
/// </summary>
public sealed record Notification(long Id, string Key, string BotId, string Phone, string Kind, string Text, DateTimeOffset At)
{
    public bool Delivered => DeliveredAt is not null;

    public DateTimeOffset? DeliveredAt { get; init; }

    public int Attempts { get; init; }

    /// <summary>Wall-clock time (UTC) before which the next attempt waits; null for "now".</summary>
    public DateTimeOffset? NextAttemptAt { get; init; }

    public string? LastError { get; init; }
}

/// <summary>What a recorded error changes, decided inside the store's transaction from the day's new count and the service state.</summary>
public sealed record ErrorDecision(bool MarkWarned, ServiceRecord? NewState, IReadOnlyList<NotificationDraft> Notifications)
{
    public static ErrorDecision None { get; } = new(false, null, []);
}
