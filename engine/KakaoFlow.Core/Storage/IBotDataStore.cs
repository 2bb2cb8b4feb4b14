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
}
