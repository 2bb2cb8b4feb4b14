using Microsoft.Extensions.Logging;

namespace KakaoFlow.Store.Redis;

internal static partial class RedisStoreLog
{
    [LoggerMessage(110, LogLevel.Information, "Store: Redis at {Server} (key prefix '{Prefix}'); turn lease {LeaseMs} ms, command timeout {TimeoutMs} ms")]
    public static partial void Opened(ILogger logger, string server, string prefix, long leaseMs, long timeoutMs);

    [LoggerMessage(111, LogLevel.Error, "Store: lost the connection to Redis at {Server} ({Failure}): turns answer messages.error until it is back; reconnecting")]
    public static partial void ConnectionLost(ILogger logger, string server, string failure, Exception? exception);

    [LoggerMessage(112, LogLevel.Warning, "Store: connected to Redis at {Server} again")]
    public static partial void ConnectionRestored(ILogger logger, string server);
}
