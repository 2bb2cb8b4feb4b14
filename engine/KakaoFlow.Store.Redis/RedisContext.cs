using StackExchange.Redis;

namespace KakaoFlow.Store.Redis;

/// <summary>The connection, database, key names and options every part of one <see cref="RedisStore"/> shares.</summary>
internal sealed class RedisContext(IConnectionMultiplexer connection, RedisStoreOptions options)
{
    public IConnectionMultiplexer Connection { get; } = connection;

    public IDatabase Database { get; } = connection.GetDatabase(options.Database);

    public RedisKeys Keys { get; } = new(options.KeyPrefix);

    public RedisStoreOptions Options { get; } = options;
}
