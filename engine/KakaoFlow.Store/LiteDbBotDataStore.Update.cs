using System.Text.Json;
using KakaoFlow.Storage;

namespace KakaoFlow.Store;

/// <summary>
/// <see cref="IBotDataStore.Update"/> and <see cref="IBotDataStore.Apply"/> on LiteDB. One process owns the file (its
/// lock file sees to that), so a lock per key in this process is what makes an update atomic: the read, the caller's
/// computation and the write of one key run under it, and a turn's buffered writes take the same locks.
/// </summary>
public sealed partial class LiteDbBotDataStore
{
    private readonly KeyStripes _updates = new();
    private readonly Lock _apply = new();

    /// <summary>Under the key's lock: <paramref name="change"/> is called exactly once.</summary>
    public JsonElement Update(string botId, string key, Func<JsonElement?, JsonElement> change, long limitBytes)
    {
        ArgumentNullException.ThrowIfNull(change);
        lock (_updates.For(botId, key))
        {
            var next = change(Get(botId, key)).Clone();
            Set(botId, key, next, limitBytes);
            return next;
        }
    }

    /// <summary>
    /// The turn's writes one by one, each key under its update lock (so no update of it interleaves), one turn at a time.
    /// The whole turn is checked against the bot's limit first, so a refusal writes nothing; a storage failure part-way
    /// leaves the earlier writes stored (each is its own LiteDB transaction, as the store's other writes are).
    /// </summary>
    public void Apply(string botId, IReadOnlyList<BotDataChange> changes)
    {
        ArgumentNullException.ThrowIfNull(changes);
        if (changes.Count == 0)
        {
            return;
        }

        lock (_apply)
        {
            var held = changes.Select(change => _updates.For(botId, change.Key)).Distinct().ToList();
            foreach (var gate in held)
            {
                gate.Enter();
            }

            try
            {
                RefuseOverLimit(botId, changes);
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
            finally
            {
                foreach (var gate in held)
                {
                    gate.Exit();
                }
            }
        }
    }

    /// <summary>Throws <see cref="BotDataLimitException"/> when the changes together would take the bot past the tightest limit among them.</summary>
    private void RefuseOverLimit(string botId, IReadOnlyList<BotDataChange> changes)
    {
        var limit = changes.Min(change => change.LimitBytes);
        if (limit == long.MaxValue)
        {
            return;
        }

        var total = Size(botId);
        var after = total + changes.Sum(change =>
            (change.Value is { } value ? BotDataSize.Of(change.Key, value) : 0)
            - StoredSize(botId, StoreNames.IdOf(botId, change.Key)));
        if (after > limit && after > total)
        {
            throw new BotDataLimitException(limit, after);
        }
    }
}
