using System.Collections.Concurrent;
using System.Text.Json;
using KakaoFlow.Storage;
using LiteDB;

namespace KakaoFlow.Store;

/// <summary>
/// A bot's shared key/value data (<c>data</c> in hooks): <c>{_id: "bot␟key", bot, key, value: "json", size}</c>
/// in the <c>botdata</c> collection, <c>size</c> being what the value takes of the bot's limit (<see cref="BotDataSize"/>;
/// documents written before it existed have none and are measured from their value). Kept until a hook deletes it;
/// never swept.
/// </summary>
/// <remarks>
/// What each bot's data takes is measured once (at its first limited write) and then kept up to date in memory by the
/// writes, one bot at a time: the store is the file's only writer (its lock file sees to that). After a failed write it is
/// measured again, since whether the write was stored is not known.
/// </remarks>
public sealed partial class LiteDbBotDataStore : IBotDataStore
{
    private readonly LiteDbFile _file;
    private readonly ConcurrentDictionary<string, Usage> _usage = new(StringComparer.Ordinal);

    internal LiteDbBotDataStore(LiteDbFile file) => _file = file;

    public JsonElement? Get(string botId, string key)
    {
        var document = _file.Read($"Reading data of bot '{botId}'", database => database.BotData.FindExactly(StoreNames.IdOf(botId, key), database.Collation));
        return document is not null && document["value"].IsString ? VarsCodec.ReadValue(document["value"].AsString) : null;
    }

    public void Set(string botId, string key, JsonElement value) => Set(botId, key, value, long.MaxValue);

    public void Set(string botId, string key, JsonElement value, long limitBytes)
    {
        var json = VarsCodec.WriteValue(value);
        var size = BotDataSize.Of(key, json);
        var id = StoreNames.IdOf(botId, key);
        var document = new BsonDocument
        {
            ["_id"] = id,
            ["bot"] = botId,
            ["key"] = key,
            ["value"] = json,
            ["size"] = size,
        };
        Changing(botId, measure: limitBytes < long.MaxValue, total =>
        {
            var after = total - StoredSize(botId, id) + size;
            if (after > limitBytes && after > total)
            {
                throw new BotDataLimitException(limitBytes, after);
            }

            return after;
        }, () => _file.Write($"Writing data of bot '{botId}'", StoreNames.BotData, data => data.Upsert(document)));
    }

    public bool Delete(string botId, string key)
    {
        var id = StoreNames.IdOf(botId, key);
        var deleted = false;
        Changing(botId, measure: false, total => total - StoredSize(botId, id), () =>
            deleted = _file.Write($"Deleting data of bot '{botId}'", StoreNames.BotData, data => data.Delete(id)));
        return deleted;
    }

    /// <remarks>
    /// From the <c>_id</c> index alone (<c>bot␟key</c>, a range of it): LiteDB reads no document when a query uses only
    /// the indexed field, so listing keys costs their length, not their values' (a bot's values may be megabytes).
    /// </remarks>
    public IReadOnlyList<string> Keys(string botId)
    {
        var (prefix, range) = RangeOf(botId);
        var ids = _file.Read($"Listing the data keys of bot '{botId}'", database => database.BotData.Query()
            .Where(range)
            .Select(BsonExpression.Create("$._id"))
            .ToEnumerable()
            .Select(row => row["_id"].AsString)
            .ToList());

        // The range is in the file's collation; an older file's (culture, ignoring case) may take in other bots' keys.
        return [.. ids.Where(id => id.StartsWith(prefix, StringComparison.Ordinal)).Select(id => id[prefix.Length..]).Order(StringComparer.Ordinal)];
    }

    /// <summary>What the bot's data takes of its limit now: its keys and values, as <see cref="BotDataSize"/> counts them.</summary>
    public long Size(string botId)
    {
        long size = 0;
        Changing(botId, measure: true, total => size = total, () => { });
        return size;
    }

    /// <summary>
    /// Runs a change of the bot's data alone among its changes: <paramref name="decide"/> gets what the data takes now and
    /// returns what it will take (or throws), then <paramref name="write"/> writes. The data is measured first when
    /// <paramref name="measure"/> is set and what it takes is not known yet; when it is not known, nothing is decided.
    /// </summary>
    private void Changing(string botId, bool measure, Func<long, long> decide, Action write)
    {
        var usage = _usage.GetOrAdd(botId, static _ => new Usage());
        lock (usage.Gate)
        {
            try
            {
                if (usage.Bytes is null && measure)
                {
                    usage.Bytes = Measure(botId);
                }

                var after = usage.Bytes is { } total ? decide(total) : (long?)null;
                write();
                usage.Bytes = after;
            }
            catch (StoreException)
            {
                usage.Bytes = null; // a write may have been stored or not: measure again
                throw;
            }
        }
    }

    private long Measure(string botId)
    {
        var (prefix, range) = RangeOf(botId);
        var (measured, unsized) = _file.Read($"Measuring the data of bot '{botId}'", database =>
        {
            long total = 0;
            var older = new List<string>();
            foreach (var row in database.BotData.Query().Where(range).Select(BsonExpression.Create("{ _id: $._id, size: $.size }")).ToEnumerable())
            {
                var id = row["_id"].AsString;
                if (!id.StartsWith(prefix, StringComparison.Ordinal))
                {
                    continue;
                }

                if (row["size"].IsNumber)
                {
                    total += row["size"].AsInt64;
                }
                else
                {
                    older.Add(id);
                }
            }

            return (total, older);
        });
        return measured + unsized.Sum(id => StoredSize(botId, id));
    }

    /// <summary>What the stored value of <paramref name="id"/> takes (0: none); read without its value when it has a size.</summary>
    private long StoredSize(string botId, string id) =>
        _file.Read($"Reading data of bot '{botId}'", database =>
        {
            var row = database.BotData.Query().Where(BsonExpression.Create("$._id = @0", new BsonValue(id))).Select(BsonExpression.Create("{ size: $.size }")).FirstOrDefault();
            if (row is null)
            {
                return 0L;
            }

            if (row["size"].IsNumber)
            {
                return row["size"].AsInt64;
            }

            var document = database.BotData.FindExactly(id, database.Collation);
            return document is null ? 0L : BotDataSize.Of(document["key"].AsString, document["value"].AsString);
        });

    /// <summary>The bot's ids: they start with "bot␟" and sort before "bot " (the separator is U+001F, one below the space).</summary>
    private static (string Prefix, BsonExpression Range) RangeOf(string botId)
    {
        var prefix = StoreNames.IdOf(botId, "");
        return (prefix, BsonExpression.Create("$._id BETWEEN @0 AND @1", new BsonValue(prefix), new BsonValue(botId + " ")));
    }

    private sealed class Usage
    {
        public Lock Gate { get; } = new();

        public long? Bytes { get; set; }
    }
}
