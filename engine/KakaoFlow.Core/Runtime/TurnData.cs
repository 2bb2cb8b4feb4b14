using System.Text.Json;
using KakaoFlow.Storage;

namespace KakaoFlow.Runtime;

/// <summary>
/// The bot data one turn sees (<c>data</c> in its hooks): reads go to the store with the turn's own writes on top;
/// <c>set</c> and <c>delete</c> are kept here and reach the store only when the turn commits
/// (<see cref="TurnEffects.DataChanges"/>), so a turn that fails changes nothing. <c>update</c> cannot wait for the turn:
/// it is atomic with respect to every other user, so it goes to the store at once (docs/commerce.md).
/// </summary>
internal sealed class TurnData(IBotDataStore store, string bot) : IBotDataStore
{
    private readonly Dictionary<string, JsonElement?> _pending = new(StringComparer.Ordinal);
    private readonly List<string> _order = [];

    /// <summary>The turn's writes, the last one of each key, in the order the keys were first written.</summary>
    public IReadOnlyList<BotDataChange> Changes => [.. _order.Select(key => new BotDataChange(key, _pending[key]))];

    public JsonElement? Get(string botId, string key)
    {
        Own(botId);
        return _pending.TryGetValue(key, out var value) ? value : store.Get(bot, key);
    }

    public void Set(string botId, string key, JsonElement value)
    {
        Own(botId);
        Pend(key, value.Clone());
    }

    public bool Delete(string botId, string key)
    {
        Own(botId);
        var existed = Get(bot, key) is not null;
        Pend(key, null);
        return existed;
    }

    public IReadOnlyList<string> Keys(string botId)
    {
        Own(botId);
        if (_pending.Count == 0)
        {
            return store.Keys(bot);
        }

        var keys = new SortedSet<string>(store.Keys(bot), StringComparer.Ordinal);
        foreach (var (key, value) in _pending)
        {
            if (value is null)
            {
                keys.Remove(key);
            }
            else
            {
                keys.Add(key);
            }
        }

        return [.. keys];
    }

    /// <summary>
    /// Straight to the store. A key this turn has already set or deleted is refused: its value is not committed yet,
    /// so an update of it could be neither atomic nor in order.
    /// </summary>
    public JsonElement Update(string botId, string key, Func<JsonElement?, JsonElement> change)
    {
        Own(botId);
        if (_pending.ContainsKey(key))
        {
            throw new InvalidOperationException($"'{key}' was set or deleted earlier in this turn, and that is written only when the turn ends; change it with data.update alone");
        }

        return store.Update(bot, key, change);
    }

    private void Pend(string key, JsonElement? value)
    {
        if (!_pending.ContainsKey(key))
        {
            _order.Add(key);
        }

        _pending[key] = value;
    }

    private void Own(string other)
    {
        if (!string.Equals(other, bot, StringComparison.Ordinal))
        {
            throw new InvalidOperationException($"this turn belongs to bot '{bot}', not '{other}'");
        }
    }
}
