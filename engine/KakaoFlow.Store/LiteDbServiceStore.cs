using KakaoFlow.Storage;
using LiteDB;

namespace KakaoFlow.Store;

/// <summary>
/// Service states, daily error counts and the notification outbox (docs/design.md, "Runtime state"):
/// <list type="bullet">
/// <item><c>services</c>: <c>{_id: bot, state, reason, changed: utcTicks, by, started: utcTicks|null}</c></item>
/// <item><c>errors</c>: <c>{_id: "bot␟yyyy-MM-dd", bot, day, count, warned, recent: [{at, user, kind, location, message}]}</c>
/// (the day is the Asia/Seoul calendar day, chosen by the caller; <c>recent</c> keeps the latest few, newest last)</item>
/// <item><c>notifications</c>: <c>{_id: long (auto), key, bot, phone, kind, text, at, delivered: utcTicks|null,
/// attempts, next: utcTicks|null, error}</c></item>
/// </list>
/// </summary>
/// <remarks>
/// A state change and its notification are written in one explicit LiteDB transaction, so the outbox never
/// misses a change that was committed and never holds one that was not. LiteDB binds a transaction to the
/// calling thread: everything between <c>BeginTrans</c> and <c>Commit</c> here is synchronous (no await can
/// slip in, because nothing here is async). A process-wide lock serialises these read-decide-write units so
/// that two threads can never both see "running, count = limit" and both stop the bot (exactly one
/// notification); the lock is held only for a few document reads and writes.
/// </remarks>
public sealed class LiteDbServiceStore : IServiceStore
{
    private readonly LiteDatabase _database;
    private readonly ILiteCollection<BsonDocument> _services;
    private readonly ILiteCollection<BsonDocument> _errors;
    private readonly ILiteCollection<BsonDocument> _notifications;
    private readonly ILiteCollection<BsonDocument> _friends;
    private readonly Lock _gate = new();

    internal LiteDbServiceStore(LiteDatabase database)
    {
        _database = database;

        // Created here, at start-up, never lazily by concurrent requests (racy in LiteDB 5.0.21).
        _services = database.GetCollection(StoreNames.Services);
        _errors = database.GetCollection(StoreNames.Errors);
        _errors.EnsureIndex("bot", "$.bot");
        _notifications = database.GetCollection(StoreNames.Notifications, BsonAutoId.Int64);
        _notifications.EnsureIndex("bot", "$.bot");
        _notifications.EnsureIndex("delivered", "$.delivered");
        _friends = database.GetCollection(StoreNames.Friends);
    }

    public ServiceRecord? Find(string botId)
    {
        try
        {
            var document = _services.FindById(botId);
            return document is null ? null : ServiceFrom(document);
        }
        catch (Exception e) when (StoreErrors.IsStorageFailure(e))
        {
            throw StoreErrors.Translate(e, $"Reading the service state of bot '{botId}'");
        }
    }

    public IReadOnlyList<ServiceRecord> All()
    {
        try
        {
            return [.. _services.FindAll().Select(ServiceFrom)];
        }
        catch (Exception e) when (StoreErrors.IsStorageFailure(e))
        {
            throw StoreErrors.Translate(e, "Reading the service states");
        }
    }

    /// <summary>
    /// Reads the bot's state, lets <paramref name="decide"/> choose the next one (null: no change) and the
    /// notification that goes with it, and writes both in one transaction. Returns the state after the call
    /// and the notification written, if any.
    /// </summary>
    public (ServiceRecord? State, Notification? Notification) Change(
        string botId,
        Func<ServiceRecord?, (ServiceRecord? Next, NotificationDraft? Note)> decide)
    {
        ArgumentNullException.ThrowIfNull(decide);
        try
        {
            lock (_gate)
            {
                return _database.InTransaction<(ServiceRecord?, Notification?)>(() =>
                {
                    var current = Find(botId);
                    var (next, note) = decide(current);
                    if (next is null)
                    {
                        return (current, null);
                    }

                    _services.Upsert(ServiceTo(next));
                    return (next, note is null ? null : Insert(note, next.ChangedAt));
                });
            }
        }
        catch (Exception e) when (StoreErrors.IsStorageFailure(e))
        {
            throw StoreErrors.Translate(e, $"Changing the service state of bot '{botId}'");
        }
    }

    /// <summary>
    /// Counts one error for the bot on <paramref name="day"/>, keeps its details (the latest <paramref name="keep"/>),
    /// then lets <paramref name="decide"/> look at the new count, the day's warning flag and the service state, all
    /// in one transaction with the state change and notifications it asks for.
    /// </summary>
    public (ErrorDay Day, ServiceRecord? NewState, IReadOnlyList<Notification> Notifications) RecordError(
        string botId,
        string day,
        ErrorDetail detail,
        int keep,
        Func<ErrorDay, ServiceRecord?, ErrorDecision> decide)
    {
        ArgumentNullException.ThrowIfNull(detail);
        ArgumentNullException.ThrowIfNull(decide);
        try
        {
            return RecordErrorLocked(botId, day, detail, keep, decide);
        }
        catch (Exception e) when (StoreErrors.IsStorageFailure(e))
        {
            throw StoreErrors.Translate(e, $"Counting an error of bot '{botId}'");
        }
    }

    private (ErrorDay Day, ServiceRecord? NewState, IReadOnlyList<Notification> Notifications) RecordErrorLocked(
        string botId,
        string day,
        ErrorDetail detail,
        int keep,
        Func<ErrorDay, ServiceRecord?, ErrorDecision> decide)
    {
        lock (_gate)
        {
            return _database.InTransaction(() =>
            {
                var id = StoreNames.IdOf(botId, day);
                var existing = _errors.FindById(id);
                var recent = existing is null ? [] : DetailsFrom(existing["recent"]);
                recent.Add(detail);
                if (recent.Count > keep)
                {
                    recent.RemoveRange(0, recent.Count - keep);
                }

                var count = (existing?["count"].AsInt32 ?? 0) + 1;
                var warned = existing is not null && existing["warned"].AsBoolean;
                var errorDay = new ErrorDay(botId, day, count, warned, recent);
                var decision = decide(errorDay, Find(botId));
                if (decision.MarkWarned)
                {
                    errorDay = errorDay with { Warned = true };
                }

                _errors.Upsert(ErrorDayTo(id, errorDay));
                if (decision.NewState is { } state)
                {
                    _services.Upsert(ServiceTo(state));
                }

                var notes = decision.Notifications.Select(note => Insert(note, detail.At)).ToList();
                return (errorDay, decision.NewState, (IReadOnlyList<Notification>)notes);
            });
        }
    }

    public ErrorDay? ErrorsOn(string botId, string day)
    {
        try
        {
            var document = _errors.FindById(StoreNames.IdOf(botId, day));
            return document is null ? null : ErrorDayFrom(document);
        }
        catch (Exception e) when (StoreErrors.IsStorageFailure(e))
        {
            throw StoreErrors.Translate(e, $"Reading the errors of bot '{botId}' on {day}");
        }
    }

    /// <summary>The bot's latest errors over all days, newest first.</summary>
    public IReadOnlyList<ErrorDetail> RecentErrors(string botId, int max)
    {
        List<ErrorDay> days;
        try
        {
            days = [.. _errors.Find(Query.EQ("bot", botId)).Select(ErrorDayFrom).OrderByDescending(day => day.Day, StringComparer.Ordinal)];
        }
        catch (Exception e) when (StoreErrors.IsStorageFailure(e))
        {
            throw StoreErrors.Translate(e, $"Reading the recent errors of bot '{botId}'");
        }

        var details = new List<ErrorDetail>();
        foreach (var day in days)
        {
            details.AddRange(day.Recent.Reverse());
            if (details.Count >= max)
            {
                break;
            }
        }

        return details.Take(max).ToList();
    }

    /// <summary>Undelivered notifications, oldest first.</summary>
    public IReadOnlyList<Notification> Undelivered(int max)
    {
        try
        {
            return [.. _notifications.Find(Query.EQ("delivered", BsonValue.Null)).Select(NotificationFrom).OrderBy(note => note.Id).Take(max)];
        }
        catch (Exception e) when (StoreErrors.IsStorageFailure(e))
        {
            throw StoreErrors.Translate(e, "Reading the undelivered notifications");
        }
    }

    /// <summary>The latest notifications (of one bot, or all), newest first.</summary>
    public IReadOnlyList<Notification> Notifications(string? botId, int max)
    {
        try
        {
            var documents = botId is null ? _notifications.FindAll() : _notifications.Find(Query.EQ("bot", botId));
            return [.. documents.Select(NotificationFrom).OrderByDescending(note => note.Id).Take(max)];
        }
        catch (Exception e) when (StoreErrors.IsStorageFailure(e))
        {
            throw StoreErrors.Translate(e, "Reading the notifications");
        }
    }

    public void MarkDelivered(long id, DateTimeOffset at) => Update(id, document =>
    {
        document["delivered"] = at.UtcTicks;
        document["attempts"] = document["attempts"].AsInt32 + 1;
        document["next"] = BsonValue.Null;
    });

    public void MarkFailed(long id, DateTimeOffset nextAttempt, string error) => Update(id, document =>
    {
        document["attempts"] = document["attempts"].AsInt32 + 1;
        document["next"] = nextAttempt.UtcTicks;
        document["error"] = error;
    });

    /// <summary>Users who added the bot and have not blocked it.</summary>
    public int FriendCount(string botId)
    {
        try
        {
            return _friends.Count(BsonExpression.Create("$.bot = @0 AND $.state = @1", new BsonValue(botId), new BsonValue("friend")));
        }
        catch (Exception e) when (StoreErrors.IsStorageFailure(e))
        {
            throw StoreErrors.Translate(e, $"Counting the friends of bot '{botId}'");
        }
    }

    private void Update(long id, Action<BsonDocument> change)
    {
        try
        {
            lock (_gate)
            {
                var document = _notifications.FindById(id);
                if (document is not null)
                {
                    change(document);
                    _notifications.Update(document);
                }
            }
        }
        catch (Exception e) when (StoreErrors.IsStorageFailure(e))
        {
            throw StoreErrors.Translate(e, $"Updating notification {id}");
        }
    }

    private Notification Insert(NotificationDraft note, DateTimeOffset at)
    {
        var key = Guid.NewGuid().ToString("N");
        var document = new BsonDocument
        {
            ["key"] = key,
            ["bot"] = note.BotId,
            ["phone"] = note.Phone,
            ["kind"] = note.Kind,
            ["text"] = note.Text,
            ["at"] = at.UtcTicks,
            ["delivered"] = BsonValue.Null,
            ["attempts"] = 0,
            ["next"] = BsonValue.Null,
            ["error"] = BsonValue.Null,
        };
        var id = _notifications.Insert(document);
        return new Notification(id.AsInt64, key, note.BotId, note.Phone, note.Kind, note.Text, at);
    }

    private static BsonDocument ServiceTo(ServiceRecord record) => new()
    {
        ["_id"] = record.BotId,
        ["state"] = ServiceStates.Name(record.State),
        ["reason"] = record.Reason,
        ["changed"] = record.ChangedAt.UtcTicks,
        ["by"] = record.ChangedBy,
        ["started"] = record.StartedAt is { } started ? new BsonValue(started.UtcTicks) : BsonValue.Null,
    };

    private static ServiceRecord ServiceFrom(BsonDocument document) => new(
        document["_id"].AsString,
        ServiceStates.Parse(document["state"].AsString) ?? throw new InvalidDataException($"unknown service state '{document["state"]}'"),
        document["reason"].AsString ?? "",
        Time(document["changed"]) ?? DateTimeOffset.MinValue,
        document["by"].AsString ?? "")
    {
        StartedAt = Time(document["started"]),
    };

    private static BsonDocument ErrorDayTo(string id, ErrorDay day) => new()
    {
        ["_id"] = id,
        ["bot"] = day.BotId,
        ["day"] = day.Day,
        ["count"] = day.Count,
        ["warned"] = day.Warned,
        ["recent"] = new BsonArray(day.Recent.Select(detail => (BsonValue)new BsonDocument
        {
            ["at"] = detail.At.UtcTicks,
            ["user"] = detail.User,
            ["kind"] = detail.Kind,
            ["location"] = detail.Location is null ? BsonValue.Null : new BsonValue(detail.Location),
            ["message"] = detail.Message,
        })),
    };

    private static ErrorDay ErrorDayFrom(BsonDocument document) => new(
        document["bot"].AsString,
        document["day"].AsString,
        document["count"].AsInt32,
        document["warned"].AsBoolean,
        DetailsFrom(document["recent"]));

    private static List<ErrorDetail> DetailsFrom(BsonValue value) =>
        value.IsArray
            ? [.. value.AsArray.Select(item => item.AsDocument).Select(detail => new ErrorDetail(
                Time(detail["at"]) ?? DateTimeOffset.MinValue,
                detail["user"].AsString ?? "",
                detail["kind"].AsString ?? "",
                detail["location"].IsString ? detail["location"].AsString : null,
                detail["message"].AsString ?? ""))]
            : [];

    private static Notification NotificationFrom(BsonDocument document) => new(
        document["_id"].AsInt64,
        document["key"].AsString,
        document["bot"].AsString,
        document["phone"].AsString ?? "",
        document["kind"].AsString,
        document["text"].AsString,
        Time(document["at"]) ?? DateTimeOffset.MinValue)
    {
        DeliveredAt = Time(document["delivered"]),
        Attempts = document["attempts"].AsInt32,
        NextAttemptAt = Time(document["next"]),
        LastError = document["error"].IsString ? document["error"].AsString : null,
    };

    private static DateTimeOffset? Time(BsonValue value) => value.IsInt64 ? new DateTimeOffset(value.AsInt64, TimeSpan.Zero) : null;
}
