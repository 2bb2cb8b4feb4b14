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

    public JsonElement? Get(string botId, string key) =>
        _values.TryGetValue((botId, key), out var value) ? value : null;

    public void Set(string botId, string key, JsonElement value) => _values[(botId, key)] = value.Clone();

    public bool Delete(string botId, string key) => _values.TryRemove((botId, key), out _);

    public IReadOnlyList<string> Keys(string botId) =>
        [.. _values.Keys.Where(k => k.Bot == botId).Select(k => k.Key).Order(StringComparer.Ordinal)];
}
