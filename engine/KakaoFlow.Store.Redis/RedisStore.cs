using KakaoFlow.Storage;
using Microsoft.Extensions.Logging;
using StackExchange.Redis;

namespace KakaoFlow.Store.Redis;

/// <summary>
/// Every store on one Redis server, shared by any number of hosts: <see cref="Sessions"/>, <see cref="Friends"/>,
/// <see cref="BotData"/>, <see cref="Services"/>, <see cref="Payments"/>, and the <see cref="Coordination"/> that keeps hosts from stepping on
/// each other. Each throws <see cref="StoreException"/> (<see cref="StoreUnavailableException"/> when Redis cannot be
/// reached or does not answer within <see cref="RedisStoreOptions.CommandTimeout"/>), never the client's own exceptions.
/// </summary>
/// <remarks>
/// The client (StackExchange.Redis) fails a command at once while it has no connection (no queueing behind a dead
/// connection: a turn answers <c>messages.error</c> at once instead of waiting), reconnects by itself every half second,
/// and resubscribes; nothing here needs a restart when Redis comes back. Durability is Redis's own: a turn is
/// acknowledged after Redis acknowledged its session write; what survives a crash of Redis itself depends on its AOF
/// setting (docs/scale-out.md).
/// </remarks>
public sealed class RedisStore : IStoreHealth, IDisposable
{
    private readonly ConnectionMultiplexer _connection;
    private readonly RedisHostCoordination _coordination;
    private readonly ILogger _logger;
    private readonly TimeProvider _clock;
    private int _down;
    private StoreStatus _status = StoreStatus.Ok;

    /// <exception cref="StoreException">The options cannot make a connection (a bad endpoint).</exception>
    public RedisStore(RedisStoreOptions options, ILogger<RedisStore>? logger = null, TimeProvider? clock = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        Options = options;
        _clock = clock ?? TimeProvider.System;
        EnoughPoolThreads();
        _logger = (ILogger?)logger ?? Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance;
        try
        {
            _connection = ConnectionMultiplexer.Connect(Configuration(options));
        }
        catch (Exception e) when (RedisErrors.IsRedisFailure(e) || e is ArgumentException)
        {
            throw new StoreException($"Connecting to Redis at {options} failed: {e.Message}", e);
        }

        _connection.ConnectionFailed += OnConnectionFailed;
        _connection.ConnectionRestored += OnConnectionRestored;
        if (!_connection.IsConnected)
        {
            _down = 1;
            _status = new StoreStatus(false, _clock.GetUtcNow(), $"Redis at {options} cannot be reached");
        }

        var redis = new RedisContext(_connection, options);
        _coordination = new RedisHostCoordination(redis);
        var friends = new RedisFriendStore(redis);
        Sessions = new RedisSessionStore(redis, _coordination);
        Friends = friends;
        BotData = new RedisBotDataStore(redis);
        Services = new RedisServiceStore(redis, friends);
        Payments = new RedisPaymentStore(redis);
        RedisStoreLog.Opened(_logger, options.ToString(), options.KeyPrefix, (long)options.TurnLease.TotalMilliseconds, (long)options.CommandTimeout.TotalMilliseconds);
    }

    public RedisStoreOptions Options { get; }

    public ISessionStore Sessions { get; }

    public IFriendStore Friends { get; }

    /// <summary>Bot data, with <see cref="RedisBotDataStore.Update"/> for an atomic read-modify-write across hosts.</summary>
    public RedisBotDataStore BotData { get; }

    public IServiceStore Services { get; }

    /// <summary>Cards and payments, with the link signing key and the order holds that several hosts share.</summary>
    public RedisPaymentStore Payments { get; }

    /// <summary>Turn leases, delivery and period claims, the service states version.</summary>
    public RedisHostCoordination Coordination => _coordination;

    /// <summary>True while the client has a connection to Redis.</summary>
    public bool IsConnected => _connection.IsConnected;

    /// <summary>Unavailable from a lost connection until it is back (the admin API shows it; the error budget holds its counts meanwhile).</summary>
    public StoreStatus Status => Volatile.Read(ref _status);

    public void Dispose()
    {
        _coordination.Dispose();
        _connection.ConnectionFailed -= OnConnectionFailed;
        _connection.ConnectionRestored -= OnConnectionRestored;
        _connection.Dispose();
    }

    /// <summary>
    /// The store's interfaces are partly synchronous (a bot's data, an error count; a request's session read is not), so a
    /// request waits for Redis on a thread-pool thread, and the client reads Redis's answers on the thread pool too. With only as many threads as
    /// cores to start with, a burst of waiting requests leaves no thread to read the answers they wait for, until the pool
    /// slowly adds threads (StackExchange.Redis's "thread theft" timeouts). So the pool starts with enough threads for a
    /// burst (the client's own guidance); they are created only when needed.
    /// </summary>
    private static void EnoughPoolThreads()
    {
        ThreadPool.GetMinThreads(out var workers, out var io);
        if (workers < MinPoolThreads)
        {
            ThreadPool.SetMinThreads(MinPoolThreads, io);
        }
    }

    private const int MinPoolThreads = 128;

    private static ConfigurationOptions Configuration(RedisStoreOptions options)
    {
        var configuration = new ConfigurationOptions
        {
            AbortOnConnectFail = false,
            ConnectTimeout = (int)options.ConnectTimeout.TotalMilliseconds,
            SyncTimeout = (int)options.CommandTimeout.TotalMilliseconds,
            AsyncTimeout = (int)options.CommandTimeout.TotalMilliseconds,
            BacklogPolicy = BacklogPolicy.FailFast,
            ReconnectRetryPolicy = new LinearRetry(500),
            ConnectRetry = 1,
            KeepAlive = 5,
            DefaultDatabase = options.Database,
            Password = options.Password,
            Ssl = options.Tls,
            ClientName = "kakaoflow",
        };
        configuration.EndPoints.Add(options.EndPoint);
        return configuration;
    }

    // Several connections (commands, subscriptions) report each failure: one line per outage, one per recovery.
    private void OnConnectionFailed(object? sender, ConnectionFailedEventArgs e)
    {
        if (Interlocked.Exchange(ref _down, 1) == 0)
        {
            Volatile.Write(ref _status, new StoreStatus(false, _clock.GetUtcNow(), $"lost the connection to Redis at {Options} ({e.FailureType})"));
            RedisStoreLog.ConnectionLost(_logger, Options.ToString(), e.FailureType.ToString(), e.Exception);
        }
    }

    private void OnConnectionRestored(object? sender, ConnectionFailedEventArgs e)
    {
        if (Interlocked.Exchange(ref _down, 0) == 1)
        {
            Volatile.Write(ref _status, new StoreStatus(true, _clock.GetUtcNow(), null));
            RedisStoreLog.ConnectionRestored(_logger, Options.ToString());
        }
    }
}
