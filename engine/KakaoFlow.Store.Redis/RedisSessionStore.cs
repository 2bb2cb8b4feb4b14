using KakaoFlow.Runtime;
using KakaoFlow.Storage;
using StackExchange.Redis;

namespace KakaoFlow.Store.Redis;

/// <summary>
/// Sessions in a hash per bot (user_key → JSON), with a sorted set of last message times for the retention sweep;
/// both written by one script, so they never disagree. A save made while this host holds the user's turn lease
/// (<see cref="RedisHostCoordination"/>) is fenced: it is written only if the lease is still this host's, so a host that
/// lost its lease (a pause longer than the lease) can never overwrite a later turn of another host.
/// </summary>
internal sealed class RedisSessionStore(RedisContext redis, RedisHostCoordination hosts) : ISessionStore
{
    // KEYS: sessions hash, times set, lease key. ARGV: user_key, JSON, score, lease token ('' for no fence).
    private const string SaveScript = """
        if ARGV[4] ~= '' and redis.call('GET', KEYS[3]) ~= ARGV[4] then return 0 end
        redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
        redis.call('ZADD', KEYS[2], ARGV[3], ARGV[1])
        return 1
        """;

    // KEYS: sessions hash, times set. ARGV: user_key.
    private const string DeleteScript = """
        redis.call('ZREM', KEYS[2], ARGV[1])
        return redis.call('HDEL', KEYS[1], ARGV[1])
        """;

    // KEYS: sessions hash, times set. ARGV: user_key, JSON, user_key, JSON, ...: deletes each session still equal to the JSON read.
    private const string DeleteUnchangedScript = """
        local deleted = 0
        for i = 1, #ARGV, 2 do
          if redis.call('HGET', KEYS[1], ARGV[i]) == ARGV[i + 1] then
            redis.call('HDEL', KEYS[1], ARGV[i])
            redis.call('ZREM', KEYS[2], ARGV[i])
            deleted = deleted + 1
          end
        end
        return deleted
        """;

    private const int SweepBatch = 500;

    private IDatabase Db => redis.Database;

    private RedisKeys Keys => redis.Keys;

    /// <exception cref="InvalidDataException">The stored session cannot be read by this version.</exception>
    public Session? Find(string botId, string userKey)
    {
        var json = TakeLeaseRead(botId, userKey, out var read)
            ? read
            : RedisErrors.Run(() => Db.HashGet(Keys.Sessions(botId), userKey), "Reading a session", botId);
        return ReadSession(json);
    }

    /// <summary>As <see cref="Find"/>, without holding a thread while Redis answers.</summary>
    /// <exception cref="InvalidDataException">The stored session cannot be read by this version.</exception>
    public async ValueTask<Session?> FindAsync(string botId, string userKey)
    {
        var json = TakeLeaseRead(botId, userKey, out var read)
            ? read
            : await RedisErrors.RunAsync(() => Db.HashGetAsync(Keys.Sessions(botId), userKey), "Reading a session", botId).ConfigureAwait(false);
        return ReadSession(json);
    }

    public void Save(string botId, string userKey, Session session)
    {
        var (keys, values) = SaveArguments(botId, userKey, session);
        var written = RedisErrors.Run(() => (int)Db.ScriptEvaluate(SaveScript, keys, values), "Writing a session", botId);
        CheckFence(written, botId);
    }

    /// <summary>Completes when Redis acknowledged the write (durable as its AOF setting makes it; docs/scale-out.md).</summary>
    public async Task SaveAsync(string botId, string userKey, Session session)
    {
        var (keys, values) = SaveArguments(botId, userKey, session);
        var written = await RedisErrors.RunAsync(
            async () => (int)await Db.ScriptEvaluateAsync(SaveScript, keys, values).ConfigureAwait(false), "Writing a session", botId).ConfigureAwait(false);
        CheckFence(written, botId);
    }

    public bool Delete(string botId, string userKey) =>
        RedisErrors.Run(() => (int)Db.ScriptEvaluate(DeleteScript, [Keys.Sessions(botId), Keys.SessionTimes(botId)], [userKey]), "Deleting a session", botId) > 0;

    /// <remarks>
    /// The sorted set finds the candidates to the millisecond; each one's exact time is read from its session, and it is
    /// deleted only if the session is still the one read (a turn saved meanwhile keeps it). A session that cannot be read
    /// is left alone.
    /// </remarks>
    public int DeleteInactiveSince(string botId, DateTimeOffset cutoff)
    {
        var sessions = Keys.Sessions(botId);
        var times = Keys.SessionTimes(botId);
        return RedisErrors.Run(
            () =>
            {
                var candidates = Db.SortedSetRangeByScore(times, double.NegativeInfinity, RedisJson.Score(cutoff));
                var deleted = 0;
                foreach (var batch in candidates.Chunk(SweepBatch))
                {
                    var values = Db.HashGet(sessions, batch);
                    var arguments = new List<RedisValue>();
                    for (var i = 0; i < batch.Length; i++)
                    {
                        if (values[i].IsNull)
                        {
                            Db.SortedSetRemove(times, batch[i]);
                        }
                        else if (IsInactive(values[i].ToString(), cutoff))
                        {
                            arguments.Add(batch[i]);
                            arguments.Add(values[i]);
                        }
                    }

                    if (arguments.Count > 0)
                    {
                        deleted += (int)Db.ScriptEvaluate(DeleteUnchangedScript, [sessions, times], [.. arguments]);
                    }
                }

                return deleted;
            },
            "Deleting the inactive sessions",
            botId);
    }

    public int Count(string botId) => (int)RedisErrors.Run(() => Db.HashLength(Keys.Sessions(botId)), "Counting the sessions", botId);

    /// <summary>In a turn, the session read when the lease was taken (nobody else writes it while the lease is held), once.</summary>
    private bool TakeLeaseRead(string botId, string userKey, out RedisValue read)
    {
        read = RedisValue.Null;
        return hosts.HeldLease(botId, userKey) is { } lease && lease.TakeSession(out read);
    }

    private static Session? ReadSession(RedisValue json) => json.IsNull ? null : RedisJson.ReadSession(json.ToString());

    private static bool IsInactive(string json, DateTimeOffset cutoff)
    {
        try
        {
            return RedisJson.ReadSession(json).LastMessageAt is not { } last || last < cutoff;
        }
        catch (InvalidDataException)
        {
            return false;
        }
    }

    private (RedisKey[] Keys, RedisValue[] Values) SaveArguments(string botId, string userKey, Session session)
    {
        ArgumentNullException.ThrowIfNull(botId);
        ArgumentNullException.ThrowIfNull(userKey);
        ArgumentNullException.ThrowIfNull(session);
        var lease = hosts.HeldLease(botId, userKey);
        return (
            [Keys.Sessions(botId), Keys.SessionTimes(botId), lease?.Key ?? Keys.Sessions(botId)],
            [userKey, RedisJson.Write(session), RedisJson.Score(session.LastMessageAt), lease?.Token ?? RedisValue.EmptyString]);
    }

    private static void CheckFence(int written, string botId)
    {
        if (written == 0)
        {
            throw new StoreUnavailableException(
                $"Writing a session of bot '{botId}' failed: this host's turn lease for the user expired before the write (another host may be running the user's turn); nothing was written");
        }
    }
}
