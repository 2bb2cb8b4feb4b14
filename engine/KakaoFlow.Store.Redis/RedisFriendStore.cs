using KakaoFlow.Storage;
using StackExchange.Redis;

namespace KakaoFlow.Store.Redis;

/// <summary>
/// Friend records in a hash per bot (user_key → <c>F|added|blocked|changed</c>, <c>B|…</c> when blocked; UTC ticks),
/// with the set of friends (counted by <see cref="IServiceStore.FriendCount"/>) and a sorted set of block times (the
/// sweep's index), all changed by one script per event.
/// </summary>
internal sealed class RedisFriendStore(RedisContext redis) : IFriendStore
{
    // KEYS: records hash, friend set, blocked set. ARGV: user_key, 'F' or 'B', ticks, score.
    // The latest add replaces the add time and an earlier block time is kept as history; and the other way round.
    private const string MarkScript = """
        local old = redis.call('HGET', KEYS[1], ARGV[1])
        local added, blocked = '', ''
        if old then
          local _, a, b = string.match(old, '^(%a)|(%d*)|(%d*)|')
          added, blocked = a or '', b or ''
        end
        if ARGV[2] == 'F' then
          added = ARGV[3]
          redis.call('SADD', KEYS[2], ARGV[1])
          redis.call('ZREM', KEYS[3], ARGV[1])
        else
          blocked = ARGV[3]
          redis.call('SREM', KEYS[2], ARGV[1])
          redis.call('ZADD', KEYS[3], ARGV[4], ARGV[1])
        end
        local record = ARGV[2] .. '|' .. added .. '|' .. blocked .. '|' .. ARGV[3]
        redis.call('HSET', KEYS[1], ARGV[1], record)
        return record
        """;

    // KEYS: records hash, blocked set. ARGV: cutoff ticks, user_key... Deletes the records still blocked before the cutoff
    // (ticks compared as decimal strings: a shorter one is smaller).
    private const string DeleteBlockedScript = """
        local function before(a, b)
          if #a ~= #b then return #a < #b end
          return a < b
        end
        local deleted = 0
        for i = 2, #ARGV do
          local record = redis.call('HGET', KEYS[1], ARGV[i])
          local changed = record and string.match(record, '^B|%d*|%d*|(%d+)$')
          if not record then
            redis.call('ZREM', KEYS[2], ARGV[i])
          elseif changed and before(changed, ARGV[1]) then
            redis.call('HDEL', KEYS[1], ARGV[i])
            redis.call('ZREM', KEYS[2], ARGV[i])
            deleted = deleted + 1
          end
        end
        return deleted
        """;

    private IDatabase Db => redis.Database;

    private RedisKeys Keys => redis.Keys;

    public FriendRecord? Find(string botId, string userKey)
    {
        var record = RedisErrors.Run(() => Db.HashGet(Keys.Friends(botId), userKey), "Reading a friend record", botId);
        return record.IsNull ? null : Parse(record.ToString());
    }

    public FriendRecord MarkAdded(string botId, string userKey, DateTimeOffset at) => Mark(botId, userKey, "F", at);

    public FriendRecord MarkBlocked(string botId, string userKey, DateTimeOffset at) => Mark(botId, userKey, "B", at);

    public int DeleteBlockedSince(string botId, DateTimeOffset cutoff) => RedisErrors.Run(
        () =>
        {
            var candidates = Db.SortedSetRangeByScore(Keys.BlockedTimes(botId), double.NegativeInfinity, RedisJson.Score(cutoff));
            var deleted = 0;
            foreach (var batch in candidates.Chunk(500))
            {
                deleted += (int)Db.ScriptEvaluate(DeleteBlockedScript, [Keys.Friends(botId), Keys.BlockedTimes(botId)], [RedisJson.Ticks(cutoff), .. batch]);
            }

            return deleted;
        },
        "Deleting the blocked friend records",
        botId);

    /// <summary>Users whose record says friend.</summary>
    public int FriendCount(string botId) => (int)RedisErrors.Run(() => Db.SetLength(Keys.FriendSet(botId)), "Counting the friends", botId);

    private FriendRecord Mark(string botId, string userKey, string state, DateTimeOffset at)
    {
        ArgumentNullException.ThrowIfNull(userKey);
        var record = RedisErrors.Run(
            () => Db.ScriptEvaluate(MarkScript, [Keys.Friends(botId), Keys.FriendSet(botId), Keys.BlockedTimes(botId)], [userKey, state, RedisJson.Ticks(at), RedisJson.Score(at)]),
            "Writing a friend record",
            botId);
        return Parse(record.ToString());
    }

    private static FriendRecord Parse(string record)
    {
        var parts = record.Split('|');
        if (parts.Length != 4)
        {
            throw new InvalidDataException($"a stored friend record has {parts.Length} parts, not 4");
        }

        return new FriendRecord(
            parts[0] == "B" ? FriendState.Blocked : FriendState.Friend,
            RedisJson.FromTicks(parts[1]),
            RedisJson.FromTicks(parts[2]),
            RedisJson.FromTicks(parts[3]) ?? DateTimeOffset.MinValue);
    }
}
