using System.Text.Json;
using KakaoFlow.Storage;
using LiteDB;

namespace KakaoFlow.Store;

/// <summary>
/// <see cref="IBotDataStore.Update"/> and <see cref="IBotDataStore.Apply"/> on LiteDB. One process owns the file (LiteDB
/// locks it), so a lock per key in this process is what makes an update atomic: the read, the caller's computation and
/// the write of one key run under it, and a turn's buffered writes take the same locks.
/// </summary>
public sealed partial class LiteDbBotDataStore
{
    private readonly KeyStripes _updates = new();
    private readonly Lock _apply = new();

    /// <summary>The database of the collection, for the transaction of <see cref="Apply"/>; null writes the changes one by one.</summary>
    internal LiteDatabase? Database { get; init; }

    /// <summary>Under the key's lock: <paramref name="change"/> is called exactly once.</summary>
    public JsonElement Update(string botId, string key, Func<JsonElement?, JsonElement> change)
    {
        ArgumentNullException.ThrowIfNull(change);
        lock (_updates.For(botId, key))
        {
            var next = change(Get(botId, key)).Clone();
            Set(botId, key, next);
            return next;
        }
    }

    /// <summary>One LiteDB transaction: every change of the turn is written, or none.</summary>
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
                if (Database is { } database)
                {
                    database.InTransaction(() => Write(botId, changes));
                }
                else
                {
                    Write(botId, changes);
                }
            }
            catch (Exception e) when (StoreErrors.IsStorageFailure(e))
            {
                throw StoreErrors.Translate(e, $"Writing data of bot '{botId}'");
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

    private void Write(string botId, IReadOnlyList<BotDataChange> changes)
    {
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
