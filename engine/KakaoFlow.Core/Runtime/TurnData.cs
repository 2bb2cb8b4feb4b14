using System.Text.Json;
using KakaoFlow.Storage;

namespace KakaoFlow.Runtime;

/// <summary>
/// The bot data one turn sees (<c>data</c> in its hooks): reads go to the store with the turn's own writes on top;
/// <c>set</c> and <c>delete</c> are kept here and reach the store only when the turn commits
/// (<see cref="TurnEffects.DataChanges"/>), so a turn that fails changes nothing. <c>update</c> cannot wait for the turn:
/// it is atomic with respect to every other user, so it goes to the store at once (docs/commerce.md).
/// </summary>
/// <remarks>
/// A <c>set</c> is checked against the bot's limit at once, from the store's size and the turn's earlier writes, so a hook
/// can catch the error as before; the store checks again when the turn commits.
/// </remarks>
internal sealed class TurnData(IBotDataStore store, string bot) : IBotDataStore
{
    private readonly Dictionary<string, BotDataChange> _pending = new(StringComparer.Ordinal);
    private readonly List<string> _order = [];
    private long? _committedSize;
    private long _pendingGrowth;

    /// <summary>The turn's writes, the last one of each key, in the order the keys were first written.</summary>
    public IReadOnlyList<BotDataChange> Changes => [.. _order.Select(key => _pending[key])];

    public JsonElement? Get(string botId, string key)
    {
        Own(botId);
        return _pending.TryGetValue(key, out var change) ? change.Value : store.Get(bot, key);
    }

    public void Set(string botId, string key, JsonElement value) => Set(botId, key, value, long.MaxValue);

    public void Set(string botId, string key, JsonElement value, long limitBytes)
    {
        Own(botId);
        var stored = value.Clone();
        var growth = BotDataSize.Of(key, stored) - SizeOf(key);
        if (limitBytes < long.MaxValue && growth > 0)
        {
            _committedSize ??= store.Size(bot);
            var after = _committedSize.Value + _pendingGrowth + growth;
            if (after > limitBytes)
            {
                throw new BotDataLimitException(limitBytes, after);
            }
        }

        _pendingGrowth += growth;
        Pend(new BotDataChange(key, stored, limitBytes));
    }

    public bool Delete(string botId, string key)
    {
        Own(botId);
        var existed = Get(bot, key) is not null;
        _pendingGrowth -= SizeOf(key);
        Pend(new BotDataChange(key, null));
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
        foreach (var (key, change) in _pending)
        {
            if (change.Value is null)
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
    public JsonElement Update(string botId, string key, Func<JsonElement?, JsonElement> change, long limitBytes)
    {
        Own(botId);
        if (_pending.ContainsKey(key))
        {
            throw new InvalidOperationException($"'{key}' was set or deleted earlier in this turn, and that is written only when the turn ends; change it with data.update alone");
        }

        _committedSize = null; // the store's size moves with it
        return store.Update(bot, key, change, limitBytes);
    }

    public long Size(string botId)
    {
        Own(botId);
        return (_committedSize ??= store.Size(bot)) + _pendingGrowth;
    }

    /// <summary>What the key's value takes now, as this turn sees it (0: none).</summary>
    private long SizeOf(string key) => Get(bot, key) is { } value ? BotDataSize.Of(key, value) : 0;

    private void Pend(BotDataChange change)
    {
        if (!_pending.ContainsKey(change.Key))
        {
            _order.Add(change.Key);
        }

        _pending[change.Key] = change;
    }

    private void Own(string other)
    {
        if (!string.Equals(other, bot, StringComparison.Ordinal))
        {
            throw new InvalidOperationException($"this turn belongs to bot '{bot}', not '{other}'");
        }
    }
}
