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
    private readonly Lock _gate = new();

    public JsonElement? Get(string botId, string key) =>
        _values.TryGetValue((botId, key), out var value) ? value : null;

    public void Set(string botId, string key, JsonElement value) => Set(botId, key, value, long.MaxValue);

    public void Set(string botId, string key, JsonElement value, long limitBytes)
    {
        var stored = value.Clone();
        lock (_gate)
        {
            var size = BotDataSize.Of(key, stored);
            var previous = _values.TryGetValue((botId, key), out var old) ? BotDataSize.Of(key, old) : 0;
            if (size > previous && limitBytes < long.MaxValue)
            {
                var after = _values.Where(pair => pair.Key.Bot == botId).Sum(pair => BotDataSize.Of(pair.Key.Key, pair.Value)) - previous + size;
                if (after > limitBytes)
                {
                    throw new BotDataLimitException(limitBytes, after);
                }
            }

            _values[(botId, key)] = stored;
        }
    }

    public bool Delete(string botId, string key)
    {
        lock (_gate)
        {
            return _values.TryRemove((botId, key), out _);
        }
    }

    public IReadOnlyList<string> Keys(string botId) =>
        [.. _values.Keys.Where(k => k.Bot == botId).Select(k => k.Key).Order(StringComparer.Ordinal)];

    /// <summary>Under the store's lock, so <paramref name="change"/> is called exactly once and no write comes between.</summary>
    public JsonElement Update(string botId, string key, Func<JsonElement?, JsonElement> change, long limitBytes)
    {
        ArgumentNullException.ThrowIfNull(change);
        lock (_gate)
        {
            var next = change(Get(botId, key)).Clone();
            Set(botId, key, next, limitBytes);
            return next;
        }
    }

    /// <summary>All or nothing: a change refused part-way (the bot's limit) puts back what the earlier ones wrote.</summary>
    public void Apply(string botId, IReadOnlyList<BotDataChange> changes)
    {
        ArgumentNullException.ThrowIfNull(changes);
        lock (_gate)
        {
            var before = changes.Select(change => (change.Key, Value: Get(botId, change.Key))).ToList();
            try
            {
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
            catch (BotDataLimitException)
            {
                foreach (var (key, value) in before)
                {
                    if (value is { } old)
                    {
                        _values[(botId, key)] = old;
                    }
                    else
                    {
                        _values.TryRemove((botId, key), out _);
                    }
                }

                throw;
            }
        }
    }

    public long Size(string botId)
    {
        lock (_gate)
        {
            return _values.Where(pair => pair.Key.Bot == botId).Sum(pair => BotDataSize.Of(pair.Key.Key, pair.Value));
        }
    }
}
