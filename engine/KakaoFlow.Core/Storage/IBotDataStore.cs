using System.Text.Json;

namespace KakaoFlow.Storage;

/// <summary>
/// A bot's persistent key/value store shared by all its users (<c>data</c> in hooks). Thread-safe; keys are compared
/// ordinally; storage failures are thrown as <see cref="StoreException"/>.
/// </summary>
public interface IBotDataStore
{
    JsonElement? Get(string botId, string key);

    void Set(string botId, string key, JsonElement value);

    bool Delete(string botId, string key);

    /// <summary>The bot's keys in ordinal order.</summary>
    IReadOnlyList<string> Keys(string botId);

    /// <summary>
    /// Atomic read-modify-write of one key (<c>data.update</c> in hooks): reads the value (null: none), lets
    /// <paramref name="change"/> compute the next one and writes it, with no other write of that key in between, from
    /// this process or any other that shares the store. Returns the value written. <paramref name="change"/> may be
    /// called more than once (a store that checks-and-retries, as Redis with WATCH/MULTI does, calls it again after a
    /// conflict; only the last call's result is written), so it must only compute. An exception it throws passes
    /// through unchanged and nothing is written. See docs/commerce.md.
    /// </summary>
    JsonElement Update(string botId, string key, Func<JsonElement?, JsonElement> change);

    /// <summary>
    /// Writes a turn's buffered <c>data.set</c>/<c>data.delete</c> calls, in order, when the turn commits: all of them or,
    /// on a failure, ideally none. This default writes them one by one; a store that can write them in one transaction
    /// (LiteDB, a Redis MULTI) should.
    /// </summary>
    void Apply(string botId, IReadOnlyList<BotDataChange> changes)
    {
        ArgumentNullException.ThrowIfNull(changes);
        foreach (var change in changes)
        {
            if (change.Value is { } value)
            {
                Set(botId, change.Key, value);
            }
            else
            {
                Delete(botId, change.Key);
            }
        }
    }
}

/// <summary>One buffered write of a turn: <see cref="Value"/> to store, or null to delete <see cref="Key"/>.</summary>
public sealed record BotDataChange(string Key, JsonElement? Value);
