using System.Globalization;
using KakaoFlow.Storage;
using StackExchange.Redis;

namespace KakaoFlow.Store.Redis;

/// <summary>
/// Service states, daily error counts and the notification outbox, shared by every host:
/// <list type="bullet">
/// <item>states: one hash, bot id → JSON; every write also replaces <see cref="RedisKeys.ServicesVersion"/>, which
/// hosts poll to see each other's changes;</item>
/// <item>errors: one JSON string per bot and Asia/Seoul day, and a sorted set of the bot's days;</item>
/// <item>notifications: one hash each (<c>key, bot, phone, kind, text, at, attempts[, delivered, next, error]</c>) and
/// sorted sets of ids: all, undelivered, per bot.</item>
/// </list>
/// </summary>
/// <remarks>
/// <see cref="Change"/> and <see cref="RecordError"/> are optimistic transactions: read, decide, then
/// <c>MULTI</c>/<c>EXEC</c> under a <c>WATCH</c> of the values read; when another host wrote one of them first, nothing
/// is written and the unit runs again on the new values (so a decision may be asked more than once; only the one
/// committed counts). Within one host a lock lets only one unit run at a time, so retries come only from other hosts.
/// A state change and its notifications are one transaction: the outbox never misses a change that was stored.
/// </remarks>
internal sealed class RedisServiceStore(RedisContext redis, RedisFriendStore friends) : IServiceStore
{
    private const int MaxAttempts = 1000;

    // KEYS: note hash, undelivered set. ARGV: delivered ticks.
    private const string MarkDeliveredScript = """
        if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
        redis.call('HSET', KEYS[1], 'delivered', ARGV[1])
        redis.call('HINCRBY', KEYS[1], 'attempts', 1)
        redis.call('HDEL', KEYS[1], 'next')
        redis.call('ZREM', KEYS[2], ARGV[2])
        return 1
        """;

    // KEYS: note hash. ARGV: next attempt ticks, error.
    private const string MarkFailedScript = """
        if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
        redis.call('HINCRBY', KEYS[1], 'attempts', 1)
        redis.call('HSET', KEYS[1], 'next', ARGV[1], 'error', ARGV[2])
        return 1
        """;

    private readonly Lock _gate = new();

    private IDatabase Db => redis.Database;

    private RedisKeys Keys => redis.Keys;

    public ServiceRecord? Find(string botId)
    {
        var json = RedisErrors.Run(() => Db.HashGet(Keys.Services, botId), "Reading the service state", botId);
        return json.IsNull ? null : RedisJson.Read<ServiceRecord>(json.ToString());
    }

    public IReadOnlyList<ServiceRecord> All() =>
        [.. RedisErrors.Run(() => Db.HashValues(Keys.Services), "Reading the service states", "*")
            .Select(json => RedisJson.Read<ServiceRecord>(json.ToString()))
            .OrderBy(service => service.BotId, StringComparer.Ordinal)];

    public (ServiceRecord? State, Notification? Notification) Change(
        string botId,
        Func<ServiceRecord?, (ServiceRecord? Next, NotificationDraft? Note)> decide)
    {
        ArgumentNullException.ThrowIfNull(decide);
        lock (_gate)
        {
            long? noteId = null;
            for (var attempt = 0; attempt < MaxAttempts; attempt++)
            {
                var raw = RedisErrors.Run(() => Db.HashGet(Keys.Services, botId), "Reading the service state", botId);
                var current = raw.IsNull ? null : RedisJson.Read<ServiceRecord>(raw.ToString());
                var (next, note) = decide(current);
                if (next is null)
                {
                    return (current, null);
                }

                if (note is not null)
                {
                    noteId ??= NextIds(botId, 1);
                }

                var notification = note is null ? null : NewNotification(noteId!.Value, note, next.ChangedAt);
                var committed = RedisErrors.Run(
                    () =>
                    {
                        var transaction = Db.CreateTransaction();
                        transaction.AddCondition(raw.IsNull ? Condition.HashNotExists(Keys.Services, botId) : Condition.HashEqual(Keys.Services, botId, raw));
                        WriteState(transaction, next);
                        if (notification is not null)
                        {
                            WriteNotification(transaction, notification);
                        }

                        return transaction.Execute();
                    },
                    "Changing the service state",
                    botId);
                if (committed)
                {
                    return (next, notification);
                }
            }
        }

        throw Contended(botId);
    }

    public (ErrorDay Day, ServiceRecord? NewState, IReadOnlyList<Notification> Notifications) RecordError(
        string botId,
        string day,
        ErrorDetail detail,
        int keep,
        Func<ErrorDay, ServiceRecord?, ErrorDecision> decide)
    {
        ArgumentNullException.ThrowIfNull(detail);
        ArgumentNullException.ThrowIfNull(decide);
        var dayKey = Keys.ErrorDay(botId, day);
        lock (_gate)
        {
            long? firstId = null;
            for (var attempt = 0; attempt < MaxAttempts; attempt++)
            {
                var (rawDay, rawState) = RedisErrors.Run(() => (Db.StringGet(dayKey), Db.HashGet(Keys.Services, botId)), "Counting an error", botId);
                var existing = rawDay.IsNull ? null : RedisJson.Read<ErrorDay>(rawDay.ToString());
                var errorDay = ErrorDays.Counted(existing, botId, day, detail, keep);
                var decision = decide(errorDay, rawState.IsNull ? null : RedisJson.Read<ServiceRecord>(rawState.ToString()));
                if (decision.MarkWarned)
                {
                    errorDay = errorDay with { Warned = true };
                }

                var drafts = decision.Notifications;
                if (drafts.Count > 0)
                {
                    firstId ??= NextIds(botId, drafts.Count) - drafts.Count + 1;
                }

                var notes = drafts.Select((note, i) => NewNotification(firstId!.Value + i, note, detail.At)).ToList();
                var committed = RedisErrors.Run(
                    () =>
                    {
                        var transaction = Db.CreateTransaction();
                        transaction.AddCondition(rawDay.IsNull ? Condition.KeyNotExists(dayKey) : Condition.StringEqual(dayKey, rawDay));
                        transaction.AddCondition(rawState.IsNull ? Condition.HashNotExists(Keys.Services, botId) : Condition.HashEqual(Keys.Services, botId, rawState));
                        _ = transaction.StringSetAsync(dayKey, RedisJson.Write(errorDay));
                        _ = transaction.SortedSetAddAsync(Keys.ErrorDays(botId), day, 0);
                        if (decision.NewState is { } state)
                        {
                            WriteState(transaction, state);
                        }

                        notes.ForEach(note => WriteNotification(transaction, note));
                        return transaction.Execute();
                    },
                    "Counting an error",
                    botId);
                if (committed)
                {
                    return (errorDay, decision.NewState, notes);
                }
            }
        }

        throw Contended(botId);
    }

    public ErrorDay? ErrorsOn(string botId, string day)
    {
        var json = RedisErrors.Run(() => Db.StringGet(Keys.ErrorDay(botId, day)), "Reading the errors", botId);
        return json.IsNull ? null : RedisJson.Read<ErrorDay>(json.ToString());
    }

    /// <summary>The bot's latest errors over all days, newest first.</summary>
    public IReadOnlyList<ErrorDetail> RecentErrors(string botId, int max)
    {
        var days = RedisErrors.Run(() => Db.SortedSetRangeByValue(Keys.ErrorDays(botId), order: Order.Descending), "Reading the recent errors", botId);
        var details = new List<ErrorDetail>();
        foreach (var day in days)
        {
            if (details.Count >= max)
            {
                break;
            }

            details.AddRange(ErrorsOn(botId, day.ToString())?.Recent.Reverse() ?? []);
        }

        return [.. details.Take(max)];
    }

    /// <summary>Undelivered notifications, oldest first.</summary>
    public IReadOnlyList<Notification> Undelivered(int max) => ReadNotifications(Keys.UndeliveredNotifications, Order.Ascending, max, "*");

    /// <summary>The latest notifications (of one bot, or all), newest first.</summary>
    public IReadOnlyList<Notification> Notifications(string? botId, int max) =>
        ReadNotifications(botId is null ? Keys.AllNotifications : Keys.BotNotifications(botId), Order.Descending, max, botId ?? "*");

    public void MarkDelivered(long id, DateTimeOffset at) => RedisErrors.Run(
        () => Db.ScriptEvaluate(MarkDeliveredScript, [Keys.Notification(id), Keys.UndeliveredNotifications], [RedisJson.Ticks(at), id]),
        "Marking a notification delivered",
        "*");

    public void MarkFailed(long id, DateTimeOffset nextAttempt, string error) => RedisErrors.Run(
        () => Db.ScriptEvaluate(MarkFailedScript, [Keys.Notification(id)], [RedisJson.Ticks(nextAttempt), error]),
        "Marking a notification failed",
        "*");

    /// <summary>Users who added the bot and have not blocked it.</summary>
    public int FriendCount(string botId) => friends.FriendCount(botId);

    public PrunedRecords Prune(string botId, DateTimeOffset cutoff) => RedisErrors.Run(
        () =>
        {
            // Error days: the bot's sorted set holds them by name (all scored 0), so the old ones are a lexical range.
            var days = Db.SortedSetRangeByValue(Keys.ErrorDays(botId), default, ErrorDays.DayOf(cutoff), Exclude.Stop);
            foreach (var chunk in days.Chunk(500))
            {
                var transaction = Db.CreateTransaction();
                _ = transaction.KeyDeleteAsync([.. chunk.Select(day => Keys.ErrorDay(botId, day.ToString()))]);
                _ = transaction.SortedSetRemoveAsync(Keys.ErrorDays(botId), chunk);
                transaction.Execute();
            }

            // Notifications: few per bot (state changes and warnings); their delivery time is in each one's hash.
            var pruned = 0;
            foreach (var chunk in Db.SortedSetRangeByRank(Keys.BotNotifications(botId)).Chunk(500))
            {
                var batch = Db.CreateBatch();
                var reads = chunk.Select(id => batch.HashGetAsync(Keys.Notification((long)id), "delivered")).ToList();
                batch.Execute();
                var old = chunk.Zip(reads, (id, read) => (Id: id, Delivered: RedisJson.FromTicks(read.GetAwaiter().GetResult().ToString())))
                    .Where(note => note.Delivered < cutoff)
                    .Select(note => note.Id)
                    .ToArray();
                if (old.Length == 0)
                {
                    continue;
                }

                var transaction = Db.CreateTransaction();
                _ = transaction.KeyDeleteAsync([.. old.Select(id => Keys.Notification((long)id))]);
                _ = transaction.SortedSetRemoveAsync(Keys.BotNotifications(botId), old);
                _ = transaction.SortedSetRemoveAsync(Keys.AllNotifications, old);
                transaction.Execute();
                pruned += old.Length;
            }

            return new PrunedRecords(days.Length, pruned);
        },
        "Pruning the old errors and notifications",
        botId);

    private long NextIds(string botId, int count) =>
        RedisErrors.Run(() => Db.StringIncrement(Keys.NotificationSequence, count), "Numbering a notification", botId);

    private void WriteState(ITransaction transaction, ServiceRecord state)
    {
        _ = transaction.HashSetAsync(Keys.Services, state.BotId, RedisJson.Write(state));
        _ = transaction.StringSetAsync(Keys.ServicesVersion, Guid.NewGuid().ToString("N"));
    }

    private static Notification NewNotification(long id, NotificationDraft note, DateTimeOffset at) =>
        new(id, Guid.NewGuid().ToString("N"), note.BotId, note.Phone, note.Kind, note.Text, at);

    private void WriteNotification(ITransaction transaction, Notification note)
    {
        _ = transaction.HashSetAsync(Keys.Notification(note.Id), [
            new("key", note.Key),
            new("bot", note.BotId),
            new("phone", note.Phone),
            new("kind", note.Kind),
            new("text", note.Text),
            new("at", RedisJson.Ticks(note.At)),
            new("attempts", 0),
        ]);
        _ = transaction.SortedSetAddAsync(Keys.AllNotifications, note.Id, note.Id);
        _ = transaction.SortedSetAddAsync(Keys.UndeliveredNotifications, note.Id, note.Id);
        _ = transaction.SortedSetAddAsync(Keys.BotNotifications(note.BotId), note.Id, note.Id);
    }

    private List<Notification> ReadNotifications(RedisKey index, Order order, int max, string botId) => RedisErrors.Run(
        () =>
        {
            if (max <= 0)
            {
                return [];
            }

            var ids = Db.SortedSetRangeByRank(index, 0, max - 1, order);
            var batch = Db.CreateBatch();
            var reads = ids.Select(id => batch.HashGetAllAsync(Keys.Notification((long)id))).ToList();
            batch.Execute();
            return ids.Zip(reads, (id, read) => NotificationFrom((long)id, read.GetAwaiter().GetResult())).OfType<Notification>().ToList();
        },
        "Reading the notifications",
        botId);

    private static Notification? NotificationFrom(long id, HashEntry[] fields)
    {
        if (fields.Length == 0)
        {
            return null;
        }

        var values = fields.ToDictionary(field => field.Name.ToString(), field => field.Value.ToString(), StringComparer.Ordinal);
        return new Notification(
            id,
            values.GetValueOrDefault("key", ""),
            values.GetValueOrDefault("bot", ""),
            values.GetValueOrDefault("phone", ""),
            values.GetValueOrDefault("kind", ""),
            values.GetValueOrDefault("text", ""),
            RedisJson.FromTicks(values.GetValueOrDefault("at")) ?? DateTimeOffset.MinValue)
        {
            DeliveredAt = RedisJson.FromTicks(values.GetValueOrDefault("delivered")),
            Attempts = int.TryParse(values.GetValueOrDefault("attempts"), NumberStyles.Integer, CultureInfo.InvariantCulture, out var attempts) ? attempts : 0,
            NextAttemptAt = RedisJson.FromTicks(values.GetValueOrDefault("next")),
            LastError = values.GetValueOrDefault("error"),
        };
    }

    private static StoreUnavailableException Contended(string botId) =>
        new($"Changing the service state of bot '{botId}' failed: other hosts changed it under {MaxAttempts} attempts in a row");
}
