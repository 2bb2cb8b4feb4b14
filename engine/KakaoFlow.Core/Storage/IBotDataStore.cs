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
}
