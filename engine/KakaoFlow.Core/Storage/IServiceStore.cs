namespace KakaoFlow.Storage;

/// <summary>
/// Service states, daily error counts and the notification outbox of every bot (see docs/operations.md).
/// A state change and the notification it causes are written together, atomically: the outbox never misses a change
/// that was stored and never holds one that was not. Implementations must be thread-safe, and each read-decide-write
/// unit (<see cref="Change"/>, <see cref="RecordError"/>) must run alone, so two callers can never both decide on the
/// same old state. Storage failures are thrown as <see cref="StoreException"/>; an exception thrown by a decision passes
/// through unchanged and nothing is written.
/// </summary>
public interface IServiceStore
{
    ServiceRecord? Find(string botId);

    IReadOnlyList<ServiceRecord> All();

    /// <summary>
    /// Reads the bot's state, lets <paramref name="decide"/> choose the next one (null: no change) and the
    /// notification that goes with it, and writes both at once. Returns the state after the call and the
    /// notification written, if any.
    /// </summary>
    (ServiceRecord? State, Notification? Notification) Change(
        string botId,
        Func<ServiceRecord?, (ServiceRecord? Next, NotificationDraft? Note)> decide);

    /// <summary>
    /// Counts one error for the bot on <paramref name="day"/>, keeps its details (the latest <paramref name="keep"/>),
    /// then lets <paramref name="decide"/> look at the new count, the day's warning flag and the service state, and
    /// writes the count with the state change and notifications it asks for, at once.
    /// </summary>
    (ErrorDay Day, ServiceRecord? NewState, IReadOnlyList<Notification> Notifications) RecordError(
        string botId,
        string day,
        ErrorDetail detail,
        int keep,
        Func<ErrorDay, ServiceRecord?, ErrorDecision> decide);

    ErrorDay? ErrorsOn(string botId, string day);

    /// <summary>The bot's latest errors over all days, newest first.</summary>
    IReadOnlyList<ErrorDetail> RecentErrors(string botId, int max);

    /// <summary>Undelivered notifications, oldest first.</summary>
    IReadOnlyList<Notification> Undelivered(int max);

    /// <summary>The latest notifications (of one bot, or all), newest first.</summary>
    IReadOnlyList<Notification> Notifications(string? botId, int max);

    void MarkDelivered(long id, DateTimeOffset at);

    void MarkFailed(long id, DateTimeOffset nextAttempt, string error);

    /// <summary>Users who added the bot and have not blocked it.</summary>
    int FriendCount(string botId);

    /// <summary>
    /// Deletes what the bot no longer needs from before <paramref name="cutoff"/> (the bot's retention ago): its error days
    /// that ended by then (Asia/Seoul days, <see cref="ErrorDays.DayOf"/>; the day holding the cutoff stays) and its
    /// notifications delivered before it. Undelivered notifications stay, however old: they are the outbox.
    /// </summary>
    PrunedRecords Prune(string botId, DateTimeOffset cutoff);
}
