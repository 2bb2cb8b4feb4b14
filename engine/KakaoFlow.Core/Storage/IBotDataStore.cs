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

    /// <summary>
    /// Writes the value unless the bot's data would then take more than <paramref name="limitBytes"/> (its keys and values
    /// as UTF-8 JSON text, <see cref="BotDataSize"/>): then nothing is written and <see cref="BotDataLimitException"/> is
    /// thrown. A write that does not make the bot's data larger always succeeds, so a bot over its limit (one that was
    /// lowered) can still shrink its data. A store that does not measure its data takes every write (the default).
    /// </summary>
    void Set(string botId, string key, JsonElement value, long limitBytes) => Set(botId, key, value);

    bool Delete(string botId, string key);

    /// <summary>The bot's keys in ordinal order.</summary>
    IReadOnlyList<string> Keys(string botId);

    /// <summary>
    /// Atomic read-modify-write of one key (<c>data.update</c> in hooks): reads the value (null: none), lets
    /// <paramref name="change"/> compute the next one and writes it as <see cref="Set(string, string, JsonElement, long)"/>
    /// would (the bot's limit included), with no other write of that key in between, from this process or any other that
    /// shares the store. Returns the value written. <paramref name="change"/> may be called more than once (a store that
    /// checks and retries, as Redis with WATCH/MULTI does, calls it again after a conflict; only the last call's result is
    /// written), so it must only compute. An exception it throws passes through unchanged and nothing is written. See
    /// docs/commerce.md.
    /// </summary>
    JsonElement Update(string botId, string key, Func<JsonElement?, JsonElement> change, long limitBytes);

    /// <summary>
    /// Writes a turn's buffered <c>data.set</c>/<c>data.delete</c> calls when the turn commits (keys are distinct): all
    /// of them or, on a failure, ideally none. This default writes them one by one; a store that can write them in one
    /// transaction (LiteDB, a Redis MULTI) should.
    /// </summary>
    void Apply(string botId, IReadOnlyList<BotDataChange> changes)
    {
        ArgumentNullException.ThrowIfNull(changes);
        foreach (var change in changes)
        {
            if (change.Value is { } value)
            {
                Set(botId, change.Key, value, change.LimitBytes);
            }
            else
            {
                Delete(botId, change.Key);
            }
        }
    }

    /// <summary>
    /// What the bot's data takes of its limit now (<see cref="BotDataSize"/>): a turn checks its buffered <c>data.set</c>
    /// against it. This default reads every value; a store that keeps the figure should answer from it.
    /// </summary>
    long Size(string botId) => Keys(botId).Sum(key => Get(botId, key) is { } value ? BotDataSize.Of(key, value) : 0);
}

/// <summary>
/// One buffered write of a turn: <see cref="Value"/> to store, or null to delete <see cref="Key"/>; a value is written
/// within <see cref="LimitBytes"/> (the bot's <c>settings.data_limit_mb</c>).
/// </summary>
public sealed record BotDataChange(string Key, JsonElement? Value, long LimitBytes = long.MaxValue);
