using System.Collections.Concurrent;
using System.Text.Json;
using KakaoFlow.Storage;
using StackExchange.Redis;

namespace KakaoFlow.Store.Redis;

/// <summary>
/// A bot's shared data (<c>data</c> in hooks) in a hash per bot: key → JSON text, and its size beside it (for the data
/// limit, <see cref="BotDataSize"/>). Kept until a hook deletes it.
/// <see cref="Update"/> is an atomic read-modify-write across hosts (a compare-and-set script on the value read, again
/// from the new value when another host wrote first); updates of one key on one host wait for each other first.
/// </summary>
public sealed class RedisBotDataStore : IBotDataStore
{
    private const int MaxUpdateAttempts = 100;
    private const long NoLimit = -1;

    // KEYS: data hash, size. ARGV: key.
    private const string DeleteScript = """
        local old = redis.call('HGET', KEYS[1], ARGV[1])
        if not old then return 0 end
        redis.call('HDEL', KEYS[1], ARGV[1])
        redis.call('DECRBY', KEYS[2], #ARGV[1] + #old)
        return 1
        """;

    // KEYS: data hash, size. ARGV: key, the JSON read ('' for none), the new JSON, limit (-1: none). Writes only if the
    // value is still the one read; the size is counted here, so writes of other keys meanwhile do not matter.
    // Returns {1, size after} when written, {0, size it would take} when refused, {-1, value now ('' for none)} when
    // the value changed.
    private const string CompareAndSetScript = """
        local old = redis.call('HGET', KEYS[1], ARGV[1])
        if (old or '') ~= ARGV[2] then return {-1, old or ''} end
        local before = old and (#ARGV[1] + #old) or 0
        local after = #ARGV[1] + #ARGV[3]
        local total = tonumber(redis.call('GET', KEYS[2]) or '0') - before + after
        local limit = tonumber(ARGV[4])
        if limit >= 0 and after > before and total > limit then return {0, total} end
        redis.call('HSET', KEYS[1], ARGV[1], ARGV[3])
        redis.call('SET', KEYS[2], total)
        return {1, total}
        """;

    // KEYS: data hash, size. ARGV: triples of key, JSON ('' deletes), limit (-1: none), in the turn's order; keys are
    // distinct. Checks every write in order before writing any: all or nothing (Set is one triple). Sizes are byte
    // lengths (Lua's # of a Redis string).
    // Returns {1, size after} when written, {0, size the refused write would take} when refused.
    private const string ApplyScript = """
        local total = tonumber(redis.call('GET', KEYS[2]) or '0')
        for i = 1, #ARGV, 3 do
          local old = redis.call('HGET', KEYS[1], ARGV[i])
          local before = old and (#ARGV[i] + #old) or 0
          local after = (ARGV[i + 1] == '') and 0 or (#ARGV[i] + #ARGV[i + 1])
          total = total - before + after
          local limit = tonumber(ARGV[i + 2])
          if limit >= 0 and after > before and total > limit then return {0, total} end
        end
        for i = 1, #ARGV, 3 do
          if ARGV[i + 1] == '' then redis.call('HDEL', KEYS[1], ARGV[i]) else redis.call('HSET', KEYS[1], ARGV[i], ARGV[i + 1]) end
        end
        redis.call('SET', KEYS[2], total)
        return {1, total}
        """;

    private readonly RedisContext _redis;
    private readonly KeyStripes _updates = new();

    /// <summary>
    /// The value this host last wrote with <see cref="Update"/>, per key: the next update of the key starts from it
    /// without reading it first (the compare-and-set checks it, and answers the value now when another host wrote).
    /// </summary>
    private readonly ConcurrentDictionary<(string Bot, string Key), RedisValue> _written = new();

    private const int MaxWrittenKept = 10_000;

    internal RedisBotDataStore(RedisContext redis) => _redis = redis;

    private IDatabase Db => _redis.Database;

    public JsonElement? Get(string botId, string key)
    {
        var json = RedisErrors.Run(() => Db.HashGet(_redis.Keys.BotData(botId), key), "Reading data", botId);
        return json.IsNull ? null : RedisJson.ReadValue(json.ToString());
    }

    public void Set(string botId, string key, JsonElement value) => Set(botId, key, value, long.MaxValue);

    /// <summary>
    /// Writes the value unless it makes the bot's data larger and then over <paramref name="limitBytes"/>; the size is
    /// kept beside the data and changed by the same script, so hosts writing at once cannot pass the limit together.
    /// </summary>
    public void Set(string botId, string key, JsonElement value, long limitBytes)
    {
        ArgumentNullException.ThrowIfNull(key);
        Write(botId, [new BotDataChange(key, value, limitBytes)], "Writing data");
    }

    public bool Delete(string botId, string key)
    {
        _written.TryRemove((botId, key), out _);
        return (int)RedisErrors.Run(() => Db.ScriptEvaluate(DeleteScript, [_redis.Keys.BotData(botId), _redis.Keys.BotDataSize(botId)], [key]), "Deleting data", botId) == 1;
    }

    public IReadOnlyList<string> Keys(string botId) =>
        [.. RedisErrors.Run(() => Db.HashKeys(_redis.Keys.BotData(botId)), "Listing the data keys", botId).Select(key => key.ToString()).Order(StringComparer.Ordinal)];

    /// <summary>
    /// Lets <paramref name="change"/> compute the next value from the current one and writes it only if no one wrote the
    /// key meanwhile, on any host; otherwise calls <paramref name="change"/> again with the value now, so it may run more
    /// than once and must have no other effect. Updates of the key on this host wait for each other, so only other
    /// hosts' writes make it run again; each starts from the value this host last wrote, so on one host an update costs
    /// one round trip (the compare-and-set script). A write that makes the bot's data larger and then over
    /// <paramref name="limitBytes"/> is refused with <see cref="BotDataLimitException"/>. Returns the value written.
    /// </summary>
    /// <exception cref="StoreUnavailableException">Redis cannot be reached, or the key kept changing under 100 attempts.</exception>
    public JsonElement Update(string botId, string key, Func<JsonElement?, JsonElement> change, long limitBytes)
    {
        ArgumentNullException.ThrowIfNull(key);
        ArgumentNullException.ThrowIfNull(change);
        var hash = _redis.Keys.BotData(botId);
        var sizeKey = _redis.Keys.BotDataSize(botId);
        var limit = limitBytes == long.MaxValue ? NoLimit : limitBytes;
        lock (_updates.For(botId, key))
        {
            var old = _written.TryGetValue((botId, key), out var written) ? written : RedisErrors.Run(() => Db.HashGet(hash, key), "Reading data", botId);
            for (var attempt = 0; attempt < MaxUpdateAttempts; attempt++)
            {
                var next = change(old.IsNull ? null : RedisJson.ReadValue(old.ToString()));
                var json = RedisJson.WriteValue(next);
                var answer = (RedisResult[])RedisErrors.Run(
                    () => Db.ScriptEvaluate(CompareAndSetScript, [hash, sizeKey], [key, old.IsNull ? string.Empty : old, json, limit]),
                    "Updating data",
                    botId)!;
                switch ((int)answer[0])
                {
                    case 1:
                        Remember(botId, key, json);
                        return next;
                    case 0:
                        _written.TryRemove((botId, key), out _);
                        throw new BotDataLimitException(limitBytes, (long)answer[1]);
                }

                var now = (RedisValue)answer[1];
                old = now.IsNullOrEmpty ? RedisValue.Null : now;
            }
        }

        throw new StoreUnavailableException($"Updating data of bot '{botId}' failed: the key changed under {MaxUpdateAttempts} attempts in a row");
    }

    /// <summary>A turn's buffered writes in one script: all of them, or none when one would pass its limit.</summary>
    public void Apply(string botId, IReadOnlyList<BotDataChange> changes)
    {
        ArgumentNullException.ThrowIfNull(changes);
        Write(botId, changes, "Writing a turn's data");
    }

    /// <summary>Writes <paramref name="changes"/> with the apply script; <paramref name="what"/> names it in a failure.</summary>
    private void Write(string botId, IReadOnlyList<BotDataChange> changes, string what)
    {
        if (changes.Count == 0)
        {
            return;
        }

        var args = new RedisValue[changes.Count * 3];
        for (var i = 0; i < changes.Count; i++)
        {
            var change = changes[i];
            _written.TryRemove((botId, change.Key), out _);
            args[3 * i] = change.Key;
            args[(3 * i) + 1] = change.Value is { } value ? RedisJson.WriteValue(value) : string.Empty;
            args[(3 * i) + 2] = change.LimitBytes == long.MaxValue ? NoLimit : change.LimitBytes;
        }

        var answer = (RedisResult[])RedisErrors.Run(
            () => Db.ScriptEvaluate(ApplyScript, [_redis.Keys.BotData(botId), _redis.Keys.BotDataSize(botId)], args),
            what,
            botId)!;
        if ((int)answer[0] == 0)
        {
            throw new BotDataLimitException(changes.Min(change => change.LimitBytes), (long)answer[1]);
        }
    }

    private void Remember(string botId, string key, string json)
    {
        if (_written.Count >= MaxWrittenKept)
        {
            _written.Clear();
        }

        _written[(botId, key)] = json;
    }

    /// <summary>The bot's data size as kept beside it by every write.</summary>
    public long Size(string botId)
    {
        var size = RedisErrors.Run(() => Db.StringGet(_redis.Keys.BotDataSize(botId)), "Reading the data size", botId);
        return size.IsNull ? 0 : (long)size;
    }
}
