using System.Collections.Concurrent;
using KakaoFlow.Storage;
using StackExchange.Redis;

namespace KakaoFlow.Store.Redis;

/// <summary>
/// What hosts sharing one Redis agree on (docs/scale-out.md):
/// <list type="bullet">
/// <item>a user's turn: a lease, <c>SET key token NX PX lease</c> (with the user's session read in the same script, so
/// an uncontended turn costs one round trip before its step and one for its write), renewed every third of the lease while the turn runs,
/// released by a compare-and-delete script that also publishes the release, so a host waiting for it retries at once
/// (and every 50 ms anyway, in case a message is lost). A host that dies holding it lets go when the lease runs out;
/// the session write of a turn is fenced by the lease (<see cref="RedisSessionStore"/>).</item>
/// <item>a notification's delivery attempt: a claim per attempt (notification id and attempt number, <c>SET NX PX</c>),
/// taken only while the notification is undelivered and still has the attempt count the claimer read, so two hosts
/// never post the same attempt, and none posts again what another delivered;</item>
/// <item>a periodic task: a claim that lasts nine tenths of the period, so the first host to tick runs it;</item>
/// <item>service states: a random version replaced by every state write, which hosts poll.</item>
/// </list>
/// </summary>
public sealed class RedisHostCoordination : IHostCoordination, IDisposable
{
    // KEYS: the lease, the bot's sessions. ARGV: token, lease (ms), user_key. Returns {1, session or nil} when taken, {0} when not.
    private const string TakeScript = """
        if redis.call('SET', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2]) then
          return {1, redis.call('HGET', KEYS[2], ARGV[3])}
        end
        return {0}
        """;

    private const string RenewScript = """
        if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
        return 0
        """;

    // KEYS: the lease. ARGV: token, channel.
    private const string ReleaseScript = """
        if redis.call('GET', KEYS[1]) == ARGV[1] then
          redis.call('DEL', KEYS[1])
          redis.call('PUBLISH', ARGV[2], KEYS[1])
          return 1
        end
        return 0
        """;

    // KEYS: note hash, claim of this attempt. ARGV: attempts read, host, hold (ms).
    private const string ClaimDeliveryScript = """
        if redis.call('EXISTS', KEYS[1]) == 0 or redis.call('HEXISTS', KEYS[1], 'delivered') == 1 then return 0 end
        if (redis.call('HGET', KEYS[1], 'attempts') or '0') ~= ARGV[1] then return 0 end
        if redis.call('SET', KEYS[2], ARGV[2], 'NX', 'PX', ARGV[3]) then return 1 end
        return 0
        """;

    private static readonly TimeSpan RetryEvery = TimeSpan.FromMilliseconds(50);

    private readonly RedisContext _redis;
    private readonly string _host = Guid.NewGuid().ToString("N");
    private readonly ConcurrentDictionary<string, TaskCompletionSource> _waiters = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<(string Bot, string User), Lease> _held = new();
    private readonly ChannelMessageQueue? _released;

    internal RedisHostCoordination(RedisContext redis)
    {
        _redis = redis;
        try
        {
            // The client resubscribes by itself after a reconnection; until then, waiters retry on their own.
            _released = redis.Connection.GetSubscriber().Subscribe(redis.Keys.LeaseReleased);
            _released.OnMessage(message => Wake(message.Message.ToString()));
        }
        catch (Exception e) when (RedisErrors.IsRedisFailure(e))
        {
            _released = null;
        }
    }

    public bool IsShared => true;

    /// <summary>Turn leases this host holds now.</summary>
    internal int HeldLeases => _held.Count;

    private IDatabase Db => _redis.Database;

    private TimeSpan LeaseTime => _redis.Options.TurnLease;

    public async ValueTask<IAsyncDisposable> EnterTurnAsync(string botId, string userKey, CancellationToken cancellation)
    {
        var key = _redis.Keys.TurnLease(botId, userKey);
        var token = _host + ":" + Guid.NewGuid().ToString("N");

        // Uncontended, the usual case: one round trip takes the lease and reads the session.
        if (await TryTakeAsync(botId, userKey, key, token, cancellation).ConfigureAwait(false) is { } taken)
        {
            return taken;
        }

        while (true)
        {
            // Registered before trying again, so that a release published between the try and the wait is not missed.
            // One waiter per user and host at most (the host's own per-user lock is held), so it is ours to remove.
            var released = _waiters.GetOrAdd(key, static _ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
            try
            {
                if (await TryTakeAsync(botId, userKey, key, token, cancellation).ConfigureAwait(false) is { } lease)
                {
                    return lease;
                }

                await released.Task.WaitAsync(RetryEvery, cancellation).ConfigureAwait(false);
            }
            catch (TimeoutException)
            {
                // Not released (or the message was lost): try again.
                continue;
            }
            finally
            {
                _waiters.TryRemove(new KeyValuePair<string, TaskCompletionSource>(key, released));
            }
        }
    }

    public string? ServiceStatesVersion()
    {
        var version = RedisErrors.Run(() => Db.StringGet(_redis.Keys.ServicesVersion), "Reading the service states version", "*");
        return version.IsNull ? null : version.ToString();
    }

    public bool TryClaimDelivery(Notification note, TimeSpan hold)
    {
        ArgumentNullException.ThrowIfNull(note);
        return RedisErrors.Run(
            () => (int)Db.ScriptEvaluate(ClaimDeliveryScript, [_redis.Keys.Notification(note.Id), _redis.Keys.DeliveryClaim(note.Id, note.Attempts)], [note.Attempts, _host, (long)hold.TotalMilliseconds]),
            "Claiming a notification",
            note.BotId) == 1;
    }

    public bool TryClaimPeriod(string task, TimeSpan period)
    {
        var hold = period * 0.9;
        return RedisErrors.Run(() => Db.StringSet(_redis.Keys.PeriodClaim(task), _host, hold, When.NotExists), "Claiming the period of " + task, "*");
    }

    /// <summary>Takes the lease if it is free, reading the user's session in the same script; null when another holds it.</summary>
    private async Task<Lease?> TryTakeAsync(string botId, string userKey, string key, string token, CancellationToken cancellation)
    {
        cancellation.ThrowIfCancellationRequested();
        var result = await RedisErrors.RunAsync(
                () => Db.ScriptEvaluateAsync(TakeScript, [key, _redis.Keys.Sessions(botId)], [token, (long)LeaseTime.TotalMilliseconds, userKey]),
                "Taking a user's turn lease",
                botId)
            .WaitAsync(cancellation).ConfigureAwait(false);
        var answer = (RedisResult[])result!;
        if ((int)answer[0] != 1)
        {
            return null;
        }

        var lease = new Lease(this, botId, userKey, key, token, answer.Length > 1 ? (RedisValue)answer[1] : RedisValue.Null);
        _held[(botId, userKey)] = lease;
        return lease;
    }

    /// <summary>The lease this host holds for the user now, if any (the session store fences its writes with it).</summary>
    internal Lease? HeldLease(string botId, string userKey) => _held.TryGetValue((botId, userKey), out var lease) ? lease : null;

    public void Dispose()
    {
        foreach (var lease in _held.Values)
        {
            lease.StopRenewing();
        }

        _released?.Unsubscribe();
    }

    private void Wake(string key)
    {
        if (_waiters.TryRemove(key, out var released))
        {
            released.TrySetResult();
        }
    }

    /// <summary>One held turn lease: renewed until disposed, then released (a failed release just lets it expire).</summary>
    internal sealed class Lease : IAsyncDisposable
    {
        private readonly RedisHostCoordination _owner;
        private readonly string _botId;
        private readonly string _userKey;
        private readonly Timer _renewal;
        private int _released;

        private RedisValue _session;
        private int _sessionTaken;

        public Lease(RedisHostCoordination owner, string botId, string userKey, string key, string token, RedisValue session)
        {
            _session = session;
            _owner = owner;
            _botId = botId;
            _userKey = userKey;
            Key = key;
            Token = token;
            var every = owner.LeaseTime / 3;
            _renewal = new Timer(static state => ((Lease)state!).Renew(), this, every, every);
        }

        public RedisKey Key { get; }

        public string Token { get; }

        public void StopRenewing() => _renewal.Dispose();

        /// <summary>
        /// The user's session as it was when the lease was taken (null: none), the first time it is asked for; false after
        /// that. While the lease is held no other host writes it, so the turn needs no second read.
        /// </summary>
        public bool TakeSession(out RedisValue session)
        {
            session = _session;
            _session = RedisValue.Null;
            return Interlocked.Exchange(ref _sessionTaken, 1) == 0;
        }

        public async ValueTask DisposeAsync()
        {
            if (Interlocked.Exchange(ref _released, 1) != 0)
            {
                return;
            }

            await _renewal.DisposeAsync().ConfigureAwait(false);
            _owner._held.TryRemove(new KeyValuePair<(string, string), Lease>((_botId, _userKey), this));
            try
            {
                // Not awaited: the reply need not wait for it. This host's next command on the user (on the same
                // connection) comes after it; other hosts hear of it on the channel. Lost, the lease runs out by itself.
                await _owner.Db.ScriptEvaluateAsync(ReleaseScript, [Key], [Token, _owner._redis.Keys.LeaseReleased.ToString()], CommandFlags.FireAndForget).ConfigureAwait(false);
            }
            catch (Exception e) when (RedisErrors.IsRedisFailure(e))
            {
                // Redis is down: the lease runs out by itself.
            }
        }

        private void Renew()
        {
            if (Volatile.Read(ref _released) != 0)
            {
                return;
            }

            _ = _owner.Db.ScriptEvaluateAsync(RenewScript, [Key], [Token, (long)_owner.LeaseTime.TotalMilliseconds])
                .ContinueWith(static task => _ = task.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted, TaskScheduler.Default);
        }
    }
}
