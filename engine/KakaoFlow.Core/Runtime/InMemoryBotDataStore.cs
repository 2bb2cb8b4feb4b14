using System.Collections.Concurrent;
using System.Text.Json;
using KakaoFlow.Hooks;
using KakaoFlow.Storage;

namespace KakaoFlow.Runtime;

/// <summary>
/// Bot data (<c>data</c> in hooks) kept in memory: for <c>kakaoflow test</c>, <c>kakaoflow chat</c> and tests.
/// Thread-safe; nothing survives the process.
/// </summary>
public sealed class InMemoryBotDataStore : IBotDataStore
{
    private readonly ConcurrentDictionary<(string Bot, string Key), JsonElement> _values = new();
    private readonly KeyStripes _updates = new();
    private readonly Lock _apply = new();

    public JsonElement? Get(string botId, string key) =>
        _values.TryGetValue((botId, key), out var value) ? value : null;

    public void Set(string botId, string key, JsonElement value) => _values[(botId, key)] = value.Clone();

    public bool Delete(string botId, string key) => _values.TryRemove((botId, key), out _);

    public IReadOnlyList<string> Keys(string botId) =>
        [.. _values.Keys.Where(k => k.Bot == botId).Select(k => k.Key).Order(StringComparer.Ordinal)];

    /// <summary>Holds the key's lock while <paramref name="change"/> runs, so it is called exactly once.</summary>
    public JsonElement Update(string botId, string key, Func<JsonElement?, JsonElement> change)
    {
        ArgumentNullException.ThrowIfNull(change);
        lock (_updates.For(botId, key))
        {
            var next = change(Get(botId, key)).Clone();
            _values[(botId, key)] = next;
            return next;
        }
    }

    /// <summary>One turn's writes at a time; each key under its update lock, so no update of it interleaves.</summary>
    public void Apply(string botId, IReadOnlyList<BotDataChange> changes)
    {
        ArgumentNullException.ThrowIfNull(changes);
        lock (_apply)
        {
            foreach (var change in changes)
            {
                lock (_updates.For(botId, change.Key))
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
    }
}
