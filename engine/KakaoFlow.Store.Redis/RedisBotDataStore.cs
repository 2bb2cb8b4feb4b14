using System.Text.Json;
using KakaoFlow.Storage;
using StackExchange.Redis;

namespace KakaoFlow.Store.Redis;

/// <summary>
/// A bot's shared data (<c>data</c> in hooks) in a hash per bot: key → JSON text. Kept until a hook deletes it.
/// <see cref="Update"/> is an atomic read-modify-write across hosts (an optimistic transaction: <c>WATCH</c> on the
/// value read, <c>MULTI</c>/<c>EXEC</c> to write, again from the new value when another host wrote first).
/// </summary>
public sealed class RedisBotDataStore : IBotDataStore
{
    private const int MaxUpdateAttempts = 100;

    private readonly RedisContext _redis;

    internal RedisBotDataStore(RedisContext redis) => _redis = redis;

    private IDatabase Db => _redis.Database;

    public JsonElement? Get(string botId, string key)
    {
        var json = RedisErrors.Run(() => Db.HashGet(_redis.Keys.BotData(botId), key), "Reading data", botId);
        return json.IsNull ? null : RedisJson.ReadValue(json.ToString());
    }

    public void Set(string botId, string key, JsonElement value)
    {
        ArgumentNullException.ThrowIfNull(key);
        var json = RedisJson.WriteValue(value);
        RedisErrors.Run(() => Db.HashSet(_redis.Keys.BotData(botId), key, json), "Writing data", botId);
    }

    public bool Delete(string botId, string key) =>
        RedisErrors.Run(() => Db.HashDelete(_redis.Keys.BotData(botId), key), "Deleting data", botId);

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
                    _ = next is { } value ? transaction.HashSetAsync(hash, key, RedisJson.WriteValue(value)) : transaction.HashDeleteAsync(hash, key);
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
}
