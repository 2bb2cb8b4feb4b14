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
/// notification); the lock is held only for a few document reads and writes, and waited for no longer than LiteDB waits
/// for its own locks. A commit that fails leaves its outcome unknown (LiteDB can fail after writing): the caller gets a
/// <see cref="StoreUnavailableException"/> and should read the state again once the store answers.
/// </remarks>
public sealed class LiteDbServiceStore : IServiceStore
{
    /// <summary>How long a read-decide-write unit waits for the one before it: like LiteDB's own lock waits.</summary>
    private static readonly TimeSpan GateTimeout = TimeSpan.FromSeconds(LiteDbFile.LockTimeoutSeconds);

    private readonly LiteDbFile _file;
    private readonly Lock _gate = new();

    internal LiteDbServiceStore(LiteDbFile file)
    {
        _file = file;

        // Created here, at start-up, never lazily by concurrent requests (racy in LiteDB 5.0.21).
        _file.Prepare("Preparing the service collections", database =>
        {
            database.Errors.EnsureIndex("bot", "$.bot");
            database.Notifications.EnsureIndex("bot", "$.bot");
            database.Notifications.EnsureIndex("delivered", "$.delivered");
        });
    }

    public ServiceRecord? Find(string botId) =>
        _file.Read($"Reading the service state of bot '{botId}'", database => FindIn(database, botId));

    public IReadOnlyList<ServiceRecord> All() =>
        _file.Read("Reading the service states", database => database.Services.FindAll().Select(ServiceFrom).ToList());

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
        var what = $"Changing the service state of bot '{botId}'";
        return Alone(what, () => _file.Transaction<(ServiceRecord?, Notification?)>(what, database =>
        {
            var current = FindIn(database, botId);
            var (next, note) = decide(current);
            if (next is null)
            {
                return (current, null);
            }

            database.Services.Upsert(ServiceTo(next));
            return (next, note is null ? null : Insert(database, note, next.ChangedAt));
        }));
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
        var what = $"Counting an error of bot '{botId}'";
        return Alone(what, () => _file.Transaction(what, database =>
        {
            var id = StoreNames.IdOf(botId, day);
            var existing = database.Errors.FindExactly(id, database.Collation);
            var recent = existing is null ? [] : DetailsFrom(existing["recent"]);
            recent.Add(detail);
            if (recent.Count > keep)
            {
                recent.RemoveRange(0, recent.Count - keep);
            }

            var count = (existing?["count"].AsInt32 ?? 0) + 1;
            var warned = existing is not null && existing["warned"].AsBoolean;
            var errorDay = new ErrorDay(botId, day, count, warned, recent);
            var decision = decide(errorDay, FindIn(database, botId));
            if (decision.MarkWarned)
            {
                errorDay = errorDay with { Warned = true };
            }

            database.Errors.Upsert(ErrorDayTo(id, errorDay));
            if (decision.NewState is { } state)
            {
                database.Services.Upsert(ServiceTo(state));
            }

            var notes = decision.Notifications.Select(note => Insert(database, note, detail.At)).ToList();
            return (errorDay, decision.NewState, (IReadOnlyList<Notification>)notes);
        }));
    }

    public ErrorDay? ErrorsOn(string botId, string day)
    {
        var document = _file.Read($"Reading the errors of bot '{botId}' on {day}", database => database.Errors.FindExactly(StoreNames.IdOf(botId, day), database.Collation));
        return document is null ? null : ErrorDayFrom(document);
    }

    /// <summary>The bot's latest errors over all days, newest first.</summary>
    public IReadOnlyList<ErrorDetail> RecentErrors(string botId, int max)
    {
        var days = _file.Read($"Reading the recent errors of bot '{botId}'", database =>
            database.Errors.Find(Query.EQ("bot", botId)).Select(ErrorDayFrom).OrderByDescending(day => day.Day, StringComparer.Ordinal).ToList());
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
    public IReadOnlyList<Notification> Undelivered(int max) =>
        _file.Read("Reading the undelivered notifications", database =>
            database.Notifications.Find(Query.EQ("delivered", BsonValue.Null)).Select(NotificationFrom).OrderBy(note => note.Id).Take(max).ToList());

    /// <summary>The latest notifications (of one bot, or all), newest first.</summary>
    public IReadOnlyList<Notification> Notifications(string? botId, int max) =>
        _file.Read("Reading the notifications", database =>
        {
            var documents = botId is null ? database.Notifications.FindAll() : database.Notifications.Find(Query.EQ("bot", botId));
            return documents.Select(NotificationFrom).OrderByDescending(note => note.Id).Take(max).ToList();
        });

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
    public int FriendCount(string botId) =>
        _file.Read($"Counting the friends of bot '{botId}'", database =>
            database.Friends.Count(BsonExpression.Create("$.bot = @0 AND $.state = @1", new BsonValue(botId), new BsonValue("friend"))));

    public PrunedRecords Prune(string botId, DateTimeOffset cutoff)
    {
        var what = $"Pruning the old errors and notifications of bot '{botId}'";
        return Alone(what, () => _file.Transaction(what, database => new PrunedRecords(
            database.Errors.DeleteMany("$.bot = @0 AND $.day < @1", new BsonValue(botId), new BsonValue(ErrorDays.DayOf(cutoff))),
            // Undelivered ones have delivered = null, which LiteDB orders before every number: the lower bound keeps them.
            database.Notifications.DeleteMany(
                "$.bot = @0 AND $.delivered > @1 AND $.delivered < @2", new BsonValue(botId), new BsonValue(0L), new BsonValue(cutoff.UtcTicks)))));
    }

    private void Update(long id, Action<BsonDocument> change)
    {
        var what = $"Updating notification {id}";
        Alone(what, () => _file.Write(what, StoreNames.Notifications, notifications =>
        {
            var document = notifications.FindExactly(id, Collation.Binary);
            if (document is not null)
            {
                change(document);
                notifications.Update(document);
            }

            return true;
        }));
    }

    /// <summary>
    /// Runs one read-decide-write unit alone (see the class remarks), waiting for the one before it no longer than LiteDB
    /// waits for a lock.
    /// </summary>
    private T Alone<T>(string what, Func<T> unit)
    {
        if (!_gate.TryEnter(GateTimeout))
        {
            throw new StoreUnavailableException($"{what} failed: the store was busy with another change for {GateTimeout.TotalSeconds:0} s");
        }

        try
        {
            return unit();
        }
        finally
        {
            _gate.Exit();
        }
    }

    private static ServiceRecord? FindIn(LiteDbFile.Database database, string botId)
    {
        var document = database.Services.FindExactly(botId, database.Collation);
        return document is null ? null : ServiceFrom(document);
    }

    private static Notification Insert(LiteDbFile.Database database, NotificationDraft note, DateTimeOffset at)
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
        var id = database.Notifications.Insert(document);
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
