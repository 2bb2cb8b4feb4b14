using KakaoFlow.Payments;
using KakaoFlow.Redis.Tests.Support;
using KakaoFlow.Storage;
using KakaoFlow.Store.Redis;

namespace KakaoFlow.Store.Tests.Contracts;

// The Redis store: each test under its own key prefix on the test server; Restart closes the connection and opens a
// new one on the same prefix (the data stays in Redis, as it does when a host restarts).

/// <summary>One Redis store per test, reopened on the same key prefix.</summary>
internal sealed class RedisTestStore : IDisposable
{
    private readonly string _prefix = TestRedis.NewPrefix();
    private RedisStore? _store;

    public RedisStore Open()
    {
        Close();
        _store = new RedisStore(TestRedis.Options(_prefix));
        return _store;
    }

    public void Close()
    {
        _store?.Dispose();
        _store = null;
    }

    public void Dispose() => Close();
}

public sealed class RedisSessions : SessionStoreContract
{
    private readonly RedisTestStore _redis = new();

    protected override ISessionStore Open() => _redis.Open().Sessions;

    protected override void Close() => _redis.Close();
}

public sealed class RedisFriends : FriendStoreContract
{
    private readonly RedisTestStore _redis = new();

    protected override IFriendStore Open() => _redis.Open().Friends;

    protected override void Close() => _redis.Close();
}

public sealed class RedisBotData : BotDataStoreContract
{
    private readonly RedisTestStore _redis = new();

    protected override IBotDataStore Open() => _redis.Open().BotData;

    protected override void Close() => _redis.Close();
}

public sealed class RedisBotDataUpdates : BotDataUpdateContract
{
    private readonly RedisTestStore _redis = new();

    protected override IBotDataStore Open() => _redis.Open().BotData;

    protected override void Close() => _redis.Close();
}

public sealed class RedisServices : ServiceStoreContract
{
    private readonly RedisTestStore _redis = new();

    protected override ServiceStores Open()
    {
        var store = _redis.Open();
        return new ServiceStores(store.Services, store.Friends);
    }

    protected override void Close() => _redis.Close();
}

public sealed class RedisPayments : PaymentStoreContract
{
    private readonly RedisTestStore _redis = new();

    protected override IPaymentStore Open() => _redis.Open().Payments;

    protected override void Close() => _redis.Close();
}
