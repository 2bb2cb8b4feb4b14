using System.Collections.Concurrent;
using System.Collections.Immutable;
using KakaoFlow.Runtime;

namespace KakaoFlow.Storage;

/// <summary>
/// All four stores in memory, for tests that need no file and for running a bot without a server (a simulator):
/// same behaviour as the LiteDB store (the contract tests in KakaoFlow.Store.Tests hold both to it), nothing survives
/// the instance. Thread-safe; keys are compared ordinally (case-sensitive), like every store's.
/// </summary>
public sealed class InMemoryStore
{
    public InMemoryStore()
    {
        var friends = new InMemoryFriendStore();
        Sessions = new InMemorySessionStore();
        Friends = friends;
        BotData = new InMemoryBotDataStore();
        Services = new InMemoryServiceStore(friends);
    }

    public ISessionStore Sessions { get; }

    public IFriendStore Friends { get; }

    public IBotDataStore BotData { get; }

    /// <summary>Service states, daily error counts and the notification outbox; <see cref="IServiceStore.FriendCount"/> reads <see cref="Friends"/>.</summary>
    public IServiceStore Services { get; }

    /// <summary>Sessions per bot, so that counting and sweeping one bot does not walk the others.</summary>
    private sealed class InMemorySessionStore : ISessionStore
    {
        private readonly ConcurrentDictionary<string, ConcurrentDictionary<string, Session>> _bots = new(StringComparer.Ordinal);

        public Session? Find(string botId, string userKey) =>
            _bots.TryGetValue(botId, out var users) && users.TryGetValue(userKey, out var session) ? session : null;

        public void Save(string botId, string userKey, Session session)
        {
            ArgumentNullException.ThrowIfNull(botId);
            ArgumentNullException.ThrowIfNull(userKey);
            ArgumentNullException.ThrowIfNull(session);
            // Sessions are immutable records: storing the reference is storing the value.
            _bots.GetOrAdd(botId, static _ => new ConcurrentDictionary<string, Session>(StringComparer.Ordinal))[userKey] = session;
        }

        public bool Delete(string botId, string userKey) =>
            _bots.TryGetValue(botId, out var users) && users.TryRemove(userKey, out _);

        /// <remarks>A session with no last message time counts as inactive, as in the LiteDB store.</remarks>
        public int DeleteInactiveSince(string botId, DateTimeOffset cutoff)
        {
            if (!_bots.TryGetValue(botId, out var users))
            {
                return 0;
            }

            var deleted = 0;
            foreach (var pair in users)
            {
                // Removes exactly the session seen: a newer one saved meanwhile stays.
                if ((pair.Value.LastMessageAt is null || pair.Value.LastMessageAt < cutoff) && users.TryRemove(pair))
                {
                    deleted++;
                }
            }

            return deleted;
        }

        public int Count(string botId) => _bots.TryGetValue(botId, out var users) ? users.Count : 0;
    }

    private sealed class InMemoryFriendStore : IFriendStore
    {
        private readonly ConcurrentDictionary<(string Bot, string User), FriendRecord> _records = new();

        public FriendRecord? Find(string botId, string userKey) =>
            _records.TryGetValue((botId, userKey), out var record) ? record : null;

        public FriendRecord MarkAdded(string botId, string userKey, DateTimeOffset at) =>
            // The latest add replaces the add time; an earlier block time is kept as history.
            _records.AddOrUpdate(
                (botId, userKey),
                static (_, at) => new FriendRecord(FriendState.Friend, at, null, at),
                static (_, previous, at) => new FriendRecord(FriendState.Friend, at, previous.BlockedAt, at),
                at);

        public FriendRecord MarkBlocked(string botId, string userKey, DateTimeOffset at) =>
            _records.AddOrUpdate(
                (botId, userKey),
                static (_, at) => new FriendRecord(FriendState.Blocked, null, at, at),
                static (_, previous, at) => new FriendRecord(FriendState.Blocked, previous.AddedAt, at, at),
                at);

        public int DeleteBlockedSince(string botId, DateTimeOffset cutoff)
        {
            var deleted = 0;
            foreach (var pair in _records)
            {
                if (pair.Key.Bot == botId && pair.Value.State == FriendState.Blocked && pair.Value.ChangedAt < cutoff && _records.TryRemove(pair))
                {
                    deleted++;
                }
            }

            return deleted;
        }

        public int FriendCount(string botId) =>
            _records.Count(pair => pair.Key.Bot == botId && pair.Value.State == FriendState.Friend);
    }

    /// <summary>
    /// Everything under one lock: each read-decide-write unit (<see cref="Change"/>, <see cref="RecordError"/>) runs
    /// alone, and a reader never sees a state change without its notification.
    /// </summary>
    private sealed class InMemoryServiceStore(InMemoryFriendStore friends) : IServiceStore
    {
        private readonly Lock _gate = new();
        private readonly Dictionary<string, ServiceRecord> _services = new(StringComparer.Ordinal);
        private readonly Dictionary<(string Bot, string Day), ErrorDay> _errors = [];
        private readonly SortedDictionary<long, Notification> _notifications = [];
        private long _lastNotificationId;

        public ServiceRecord? Find(string botId)
        {
            lock (_gate)
            {
                return _services.GetValueOrDefault(botId);
            }
        }

        public IReadOnlyList<ServiceRecord> All()
        {
            lock (_gate)
            {
                return [.. _services.Values.OrderBy(service => service.BotId, StringComparer.Ordinal)];
            }
        }

        public (ServiceRecord? State, Notification? Notification) Change(
            string botId,
            Func<ServiceRecord?, (ServiceRecord? Next, NotificationDraft? Note)> decide)
        {
            ArgumentNullException.ThrowIfNull(decide);
            lock (_gate)
            {
                var current = _services.GetValueOrDefault(botId);
                var (next, note) = decide(current);
                if (next is null)
                {
                    return (current, null);
                }

                _services[next.BotId] = next;
                return (next, note is null ? null : Insert(note, next.ChangedAt));
            }
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
            lock (_gate)
            {
                var existing = _errors.GetValueOrDefault((botId, day));
                var recent = existing is null ? ImmutableArray<ErrorDetail>.Empty : [.. existing.Recent];
                recent = recent.Add(detail);
                if (recent.Length > keep)
                {
                    recent = recent.RemoveRange(0, recent.Length - Math.Max(keep, 0));
                }

                var errorDay = new ErrorDay(botId, day, (existing?.Count ?? 0) + 1, existing?.Warned ?? false, recent);
                // Decided before anything is written: a decision that throws leaves the store as it was.
                var decision = decide(errorDay, _services.GetValueOrDefault(botId));
                if (decision.MarkWarned)
                {
                    errorDay = errorDay with { Warned = true };
                }

                _errors[(botId, day)] = errorDay;
                if (decision.NewState is { } state)
                {
                    _services[state.BotId] = state;
                }

                IReadOnlyList<Notification> notes = [.. decision.Notifications.Select(note => Insert(note, detail.At))];
                return (errorDay, decision.NewState, notes);
            }
        }

        public ErrorDay? ErrorsOn(string botId, string day)
        {
            lock (_gate)
            {
                return _errors.GetValueOrDefault((botId, day));
            }
        }

        public IReadOnlyList<ErrorDetail> RecentErrors(string botId, int max)
        {
            lock (_gate)
            {
                return [.. _errors.Values
                    .Where(day => day.BotId == botId)
                    .OrderByDescending(day => day.Day, StringComparer.Ordinal)
                    .SelectMany(day => day.Recent.Reverse())
                    .Take(max)];
            }
        }

        public IReadOnlyList<Notification> Undelivered(int max)
        {
            lock (_gate)
            {
                return [.. _notifications.Values.Where(note => !note.Delivered).Take(max)];
            }
        }

        public IReadOnlyList<Notification> Notifications(string? botId, int max)
        {
            lock (_gate)
            {
                return [.. _notifications.Values.Reverse().Where(note => botId is null || note.BotId == botId).Take(max)];
            }
        }

        public void MarkDelivered(long id, DateTimeOffset at)
        {
            lock (_gate)
            {
                if (_notifications.TryGetValue(id, out var note))
                {
                    _notifications[id] = note with { DeliveredAt = at, Attempts = note.Attempts + 1, NextAttemptAt = null };
                }
            }
        }

        public void MarkFailed(long id, DateTimeOffset nextAttempt, string error)
        {
            lock (_gate)
            {
                if (_notifications.TryGetValue(id, out var note))
                {
                    _notifications[id] = note with { Attempts = note.Attempts + 1, NextAttemptAt = nextAttempt, LastError = error };
                }
            }
        }

        public int FriendCount(string botId) => friends.FriendCount(botId);

        public PrunedRecords Prune(string botId, DateTimeOffset cutoff)
        {
            var firstKept = ErrorDays.DayOf(cutoff);
            lock (_gate)
            {
                var days = _errors.Keys.Where(key => key.Bot == botId && string.CompareOrdinal(key.Day, firstKept) < 0).ToList();
                days.ForEach(key => _errors.Remove(key));
                var notes = _notifications.Values.Where(note => note.BotId == botId && note.DeliveredAt < cutoff).Select(note => note.Id).ToList();
                notes.ForEach(id => _notifications.Remove(id));
                return new PrunedRecords(days.Count, notes.Count);
            }
        }

        /// <summary>Called under the lock.</summary>
        private Notification Insert(NotificationDraft note, DateTimeOffset at)
        {
            var id = ++_lastNotificationId;
            var notification = new Notification(id, Guid.NewGuid().ToString("N"), note.BotId, note.Phone, note.Kind, note.Text, at);
            _notifications.Add(id, notification);
            return notification;
        }
    }
}
