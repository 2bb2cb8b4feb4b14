using System.Text.Json;
using KakaoFlow.Storage;
using StackExchange.Redis;

namespace KakaoFlow.Store.Redis;

/// <summary>
/// A bot's shared data (<c>data</c> in hooks) in a hash per bot: key → JSON text, and its size beside it (for the data
/// limit, <see cref="BotDataSize"/>). Kept until a hook deletes it.
/// <see cref="Update"/> is an atomic read-modify-write across hosts (an optimistic transaction: <c>WATCH</c> on the
/// value read, <c>MULTI</c>/<c>EXEC</c> to write, again from the new value when another host wrote first).
/// </summary>
public sealed class RedisBotDataStore : IBotDataStore
{
    private const int MaxUpdateAttempts = 100;
    private const long NoLimit = -1;

    // KEYS: data hash, size. ARGV: key, JSON, limit (-1: none). Sizes are byte lengths (Lua's # of a Redis string).
    // Returns {1, size after} when written, {0, size it would take} when refused.
    private const string SetScript = """
        local old = redis.call('HGET', KEYS[1], ARGV[1])
        local before = old and (#ARGV[1] + #old) or 0
        local after = #ARGV[1] + #ARGV[2]
        local total = tonumber(redis.call('GET', KEYS[2]) or '0') - before + after
        local limit = tonumber(ARGV[3])
        if limit >= 0 and after > before and total > limit then return {0, total} end
        redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
        redis.call('SET', KEYS[2], total)
        return {1, total}
        """;

    // KEYS: data hash, size. ARGV: key.
    private const string DeleteScript = """
        local old = redis.call('HGET', KEYS[1], ARGV[1])
        if not old then return 0 end
        redis.call('HDEL', KEYS[1], ARGV[1])
        redis.call('DECRBY', KEYS[2], #ARGV[1] + #old)
        return 1
        """;

    private readonly RedisContext _redis;

    internal RedisBotDataStore(RedisContext redis) => _redis = redis;

    private IDatabase Db => _redis.Database;

    public JsonElement? Get(string botId, string key)
    {
        var json = RedisErrors.Run(() => Db.HashGet(_redis.Keys.BotData(botId), key), "Reading data", botId);
        return json.IsNull ? null : RedisJson.ReadValue(json.ToString());
    }

    public void Set(string botId, string key, JsonElement value) => Set(botId, key, value, NoLimit);

    /// <summary>
    /// Writes the value unless it makes the bot's data larger and then over <paramref name="limitBytes"/>; the size is
    /// kept beside the data and changed by the same script, so hosts writing at once cannot pass the limit together.
    /// </summary>
    public void Set(string botId, string key, JsonElement value, long limitBytes)
    {
        ArgumentNullException.ThrowIfNull(key);
        var json = RedisJson.WriteValue(value);
        var answer = (RedisResult[])RedisErrors.Run(
            () => Db.ScriptEvaluate(SetScript, [_redis.Keys.BotData(botId), _redis.Keys.BotDataSize(botId)], [key, json, limitBytes]),
            "Writing data",
            botId)!;
        if ((int)answer[0] == 0)
        {
            throw new BotDataLimitException(limitBytes, (long)answer[1]);
        }
    }

    public bool Delete(string botId, string key) =>
        (int)RedisErrors.Run(() => Db.ScriptEvaluate(DeleteScript, [_redis.Keys.BotData(botId), _redis.Keys.BotDataSize(botId)], [key]), "Deleting data", botId) == 1;

    public IReadOnlyList<string> Keys(string botId) =>
        [.. RedisErrors.Run(() => Db.HashKeys(_redis.Keys.BotData(botId)), "Listing the data keys", botId).Select(key => key.ToString()).Order(StringComparer.Ordinal)];

    /// <summary>
    /// Reads the key's value, lets <paramref name="change"/> compute the next one (null deletes the key) and writes it
    /// only if no one wrote the key meanwhile, on any host; otherwise reads again and calls <paramref name="change"/>
    /// again, so it may run more than once and must have no other effect. Returns the value written.
    /// </summary>
    /// <exception cref="StoreUnavailableException">Redis cannot be reached, or the key kept changing under 100 attempts.</exception>
    public JsonElement? Update(string botId, string key, Func<JsonElement?, JsonElement?> change)
    {
        ArgumentNullException.ThrowIfNull(key);
        ArgumentNullException.ThrowIfNull(change);
        var hash = _redis.Keys.BotData(botId);
        for (var attempt = 0; attempt < MaxUpdateAttempts; attempt++)
        {
            var old = RedisErrors.Run(() => Db.HashGet(hash, key), "Reading data", botId);
            var next = change(old.IsNull ? null : RedisJson.ReadValue(old.ToString()));
            var committed = RedisErrors.Run(
                () =>
                {
                    var transaction = Db.CreateTransaction();
                    transaction.AddCondition(old.IsNull ? Condition.HashNotExists(hash, key) : Condition.HashEqual(hash, key, old));
                    var json = next is { } value ? RedisJson.WriteValue(value) : null;
                    _ = json is null ? transaction.HashDeleteAsync(hash, key) : transaction.HashSetAsync(hash, key, json);
                    _ = transaction.StringIncrementAsync(_redis.Keys.BotDataSize(botId), Size(key, json) - Size(key, old.IsNull ? null : old.ToString()));
                    return transaction.Execute();
                },
                "Updating data",
                botId);
            if (committed)
            {
                return next;
            }
        }

        throw new StoreUnavailableException($"Updating data of bot '{botId}' failed: the key changed under {MaxUpdateAttempts} attempts in a row");
    }

    /// <summary>What one stored value takes, as the scripts count it (0 for none).</summary>
    private static long Size(string key, string? json) => json is null ? 0 : BotDataSize.Of(key, json);
}
