using System.Globalization;
using System.Security.Cryptography;
using KakaoFlow.Payments;
using KakaoFlow.Storage;
using StackExchange.Redis;

namespace KakaoFlow.Store.Redis;

/// <summary>
/// Cards and payments (docs/commerce.md) in Redis, shared by every host:
/// <list type="bullet">
/// <item><c>pc:{bot}</c>: hash holder → card JSON (the gateway's billing key, brand and last 4; never a number);</item>
/// <item><c>pt:{link id}</c>: a registration link already used, with a TTL until the link expires (then forgotten);</item>
/// <item><c>p:{bot}</c>: hash payment id → payment JSON; <c>pl:{bot}</c> and <c>po:…:{bot}</c>: sorted sets of payment
/// ids by time, of the bot and of one order;</item>
/// <item><c>pk:…:{bot}</c>: the host charging or refunding one order now (<see cref="EnterOrder"/>), with a TTL;</item>
/// <item><c>pay:secret</c>: the key that signs registration links (<see cref="LinkSecret"/>).</item>
/// </list>
/// A card is registered with its link marked used in one script, so the same form posted to two hosts at once
/// registers once.
/// </summary>
public sealed class RedisPaymentStore : ISharedPaymentStore
{
    // KEYS: the used link, the cards. ARGV: the link's time to live (ms), holder, card JSON.
    private const string RegisterScript = """
        if redis.call('SET', KEYS[1], '1', 'NX', 'PX', ARGV[1]) then
          redis.call('HSET', KEYS[2], ARGV[2], ARGV[3])
          return 1
        end
        return 0
        """;

    // KEYS: payments, the bot's times, the order's times. ARGV: payment id, JSON, time (ms).
    private const string SaveScript = """
        redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
        redis.call('ZADD', KEYS[2], ARGV[3], ARGV[1])
        redis.call('ZADD', KEYS[3], ARGV[3], ARGV[1])
        """;

    // KEYS: a sorted set of payment ids, the payments. ARGV: 1 for the newest first, how many (-1: all).
    private const string ListScript = """
        local ids
        if ARGV[1] == '1' then ids = redis.call('ZREVRANGE', KEYS[1], 0, ARGV[2]) else ids = redis.call('ZRANGE', KEYS[1], 0, ARGV[2]) end
        local found = {}
        for i, id in ipairs(ids) do found[i] = redis.call('HGET', KEYS[2], id) or '' end
        return found
        """;

    // KEYS: the secret. ARGV: a new one, kept only if there is none yet.
    private const string SecretScript = """
        local secret = redis.call('GET', KEYS[1])
        if secret then return secret end
        redis.call('SET', KEYS[1], ARGV[1])
        return ARGV[1]
        """;

    private const string RenewScript = """
        if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
        return 0
        """;

    private const string ReleaseScript = """
        if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
        return 0
        """;

    /// <summary>How often a host waiting for an order held by another looks again.</summary>
    private static readonly TimeSpan OrderPoll = TimeSpan.FromMilliseconds(10);

    private readonly RedisContext _redis;

    internal RedisPaymentStore(RedisContext redis) => _redis = redis;

    private IDatabase Db => _redis.Database;

    private RedisKeys Keys => _redis.Keys;

    /// <summary>How long an order stays held by a host that died holding it: the turn lease (the same bound on a lost host).</summary>
    private TimeSpan OrderLease => _redis.Options.TurnLease;

    public CardRecord? FindCard(string botId, string holder)
    {
        var json = RedisErrors.Run(() => Db.HashGet(Keys.Cards(botId), holder), "Reading a card", botId);
        return json.IsNull ? null : RedisJson.Read<CardRecord>(json.ToString());
    }

    public bool RegisterCard(CardRecord card, string tokenId, DateTimeOffset tokenExpiresAt)
    {
        ArgumentNullException.ThrowIfNull(card);
        ArgumentNullException.ThrowIfNull(tokenId);

        // The link is remembered until it expires, measured on the host's clock (the card's time), not Redis's.
        var keep = Math.Max(1, (long)(tokenExpiresAt - card.RegisteredAt).TotalMilliseconds);
        var json = RedisJson.Write(card with { RegisteredWith = tokenId });
        return (int)RedisErrors.Run(
            () => Db.ScriptEvaluate(RegisterScript, [Keys.UsedLink(tokenId), Keys.Cards(card.BotId)], [keep, card.Holder, json]),
            "Registering a card",
            card.BotId) == 1;
    }

    public bool DeleteCard(string botId, string holder) =>
        RedisErrors.Run(() => Db.HashDelete(Keys.Cards(botId), holder), "Deleting a card", botId);

    public void SavePayment(PaymentRecord payment)
    {
        ArgumentNullException.ThrowIfNull(payment);
        var botId = payment.BotId;
        RedisErrors.Run(
            () => Db.ScriptEvaluate(
                SaveScript,
                [Keys.Payments(botId), Keys.PaymentTimes(botId), Keys.OrderPayments(botId, payment.OrderId)],
                [payment.PaymentId, RedisJson.Write(payment), RedisJson.Score(payment.At)]),
            "Writing a payment",
            botId);
    }

    public PaymentRecord? FindPayment(string botId, string paymentId)
    {
        var json = RedisErrors.Run(() => Db.HashGet(Keys.Payments(botId), paymentId), "Reading a payment", botId);
        return json.IsNull ? null : RedisJson.Read<PaymentRecord>(json.ToString());
    }

    public IReadOnlyList<PaymentRecord> PaymentsOfOrder(string botId, string orderId) =>
        [.. List(botId, Keys.OrderPayments(botId, orderId), newestFirst: false, -1, "Reading the payments of an order").OrderBy(p => p.At)];

    public IReadOnlyList<PaymentRecord> Payments(string botId, int max) =>
        max <= 0 ? [] : [.. List(botId, Keys.PaymentTimes(botId), newestFirst: true, max - 1, "Listing the payments").OrderByDescending(p => p.At)];

    public byte[] LinkSecret()
    {
        var fresh = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));
        var secret = RedisErrors.Run(() => (string?)Db.ScriptEvaluate(SecretScript, [Keys.LinkSecret], [fresh]), "Reading the link signing key", "*");
        return System.Text.Encoding.UTF8.GetBytes(secret ?? fresh);
    }

    /// <summary>
    /// <c>SET NX PX</c> on the order's key with this holder's token, polled every 10 ms while another host holds it,
    /// renewed every third of <see cref="RedisStoreOptions.TurnLease"/> while held, released by a compare-and-delete.
    /// Waits at most twice the lease (a dead holder's key has run out by then).
    /// </summary>
    public IDisposable EnterOrder(string botId, string orderId)
    {
        var key = Keys.OrderLock(botId, orderId);
        var token = Guid.NewGuid().ToString("N");
        var lease = (long)OrderLease.TotalMilliseconds;
        var tries = Math.Max(1, (int)(2 * OrderLease / OrderPoll));
        for (var attempt = 0; attempt < tries; attempt++)
        {
            if (RedisErrors.Run(() => Db.StringSet(key, token, OrderLease, When.NotExists), "Taking an order", botId))
            {
                return new OrderHold(this, key, token, lease);
            }

            Thread.Sleep(OrderPoll);
        }

        throw new StoreException($"Taking order '{orderId}' of bot '{botId}' failed: another host held it for longer than {(2 * OrderLease.TotalSeconds).ToString(CultureInfo.InvariantCulture)} s");
    }

    private IEnumerable<PaymentRecord> List(string botId, RedisKey ids, bool newestFirst, long last, string what)
    {
        var found = RedisErrors.Run(
            () => (RedisValue[])Db.ScriptEvaluate(ListScript, [ids, Keys.Payments(botId)], [newestFirst ? "1" : "0", last])!,
            what,
            botId);
        return found.Where(json => !json.IsNullOrEmpty).Select(json => RedisJson.Read<PaymentRecord>(json.ToString()));
    }

    /// <summary>One order held by this host: renewed until disposed, then released (a failed release just lets it run out).</summary>
    private sealed class OrderHold : IDisposable
    {
        private readonly RedisPaymentStore _store;
        private readonly RedisKey _key;
        private readonly string _token;
        private readonly Timer _renewal;
        private int _released;

        public OrderHold(RedisPaymentStore store, RedisKey key, string token, long leaseMs)
        {
            (_store, _key, _token) = (store, key, token);
            var every = TimeSpan.FromMilliseconds(leaseMs / 3.0);
            _renewal = new Timer(_ => Renew(leaseMs), null, every, every);
        }

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _released, 1) != 0)
            {
                return;
            }

            _renewal.Dispose();
            try
            {
                _store.Db.ScriptEvaluate(ReleaseScript, [_key], [_token]);
            }
            catch (Exception e) when (RedisErrors.IsRedisFailure(e))
            {
                // Redis is down: the hold runs out by itself.
            }
        }

        private void Renew(long leaseMs)
        {
            if (Volatile.Read(ref _released) != 0)
            {
                return;
            }

            _ = _store.Db.ScriptEvaluateAsync(RenewScript, [_key], [_token, leaseMs])
                .ContinueWith(static task => _ = task.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted, TaskScheduler.Default);
        }
    }
}
