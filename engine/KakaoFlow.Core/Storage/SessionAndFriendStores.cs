using KakaoFlow.Runtime;

namespace KakaoFlow.Storage;

/// <summary>
/// Each user's place in each bot. Keys are (bot id, user_key); a user_key means one user of one bot only.
/// Implementations must be thread-safe; callers serialise turns of one user themselves. Keys are compared ordinally
/// (case-sensitive). Storage failures are thrown as <see cref="StoreException"/>.
/// </summary>
public interface ISessionStore
{
    /// <summary>The stored session, or null when the user has none (new, or swept after retention).</summary>
    /// <exception cref="InvalidDataException">The stored session cannot be read by this version.</exception>
    Session? Find(string botId, string userKey);

    /// <summary>
    /// Reads like <see cref="Find"/>; a store whose reads wait (for a lock, a turn, the network) implements it without
    /// blocking the caller's thread meanwhile, so that many requests reading at once (they read this way) leave the
    /// thread pool its threads. By default it runs <see cref="Find"/> on the caller's thread.
    /// </summary>
    /// <exception cref="InvalidDataException">The stored session cannot be read by this version.</exception>
    ValueTask<Session?> FindAsync(string botId, string userKey) => new(Find(botId, userKey));

    /// <summary>Writes the whole session. When this returns, the write is durable: it survives a killed process (what else it survives depends on the store; see docs/serving.md).</summary>
    void Save(string botId, string userKey, Session session);

    /// <summary>
    /// Writes the whole session like <see cref="Save"/>, without holding a thread while it waits: the task completes
    /// when the write is durable (same guarantee). Concurrent calls may be written together (group commit).
    /// </summary>
    Task SaveAsync(string botId, string userKey, Session session)
    {
        Save(botId, userKey, session);
        return Task.CompletedTask;
    }

    bool Delete(string botId, string userKey);

    /// <summary>
    /// Deletes the bot's sessions whose last message is before <paramref name="cutoff"/> (and those with no last message);
    /// returns how many.
    /// </summary>
    int DeleteInactiveSince(string botId, DateTimeOffset cutoff);

    int Count(string botId);
}

public enum FriendState
{
    Friend,
    Blocked,
}

/// <summary>A user's friendship with a bot: when they added it and, if they blocked it, when.</summary>
public sealed record FriendRecord(FriendState State, DateTimeOffset? AddedAt, DateTimeOffset? BlockedAt, DateTimeOffset ChangedAt);

/// <summary>
/// Friend add/block events (<c>POST /friend</c>, <c>DELETE /friend/{user_key}</c>). Never touches sessions. Thread-safe;
/// keys are compared ordinally; storage failures are thrown as <see cref="StoreException"/>.
/// </summary>
public interface IFriendStore
{
    FriendRecord? Find(string botId, string userKey);

    FriendRecord MarkAdded(string botId, string userKey, DateTimeOffset at);

    FriendRecord MarkBlocked(string botId, string userKey, DateTimeOffset at);

    /// <summary>Deletes records of users who blocked the bot before <paramref name="cutoff"/>; friends are kept.</summary>
    int DeleteBlockedSince(string botId, DateTimeOffset cutoff);
}
