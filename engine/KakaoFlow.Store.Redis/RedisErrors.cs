using KakaoFlow.Storage;
using StackExchange.Redis;

namespace KakaoFlow.Store.Redis;

/// <summary>
/// Turns the client's exceptions into <see cref="StoreException"/>s at every public entry point, so that callers never
/// depend on StackExchange.Redis: a connection that is down or a command that timed out (and a server that is loading,
/// read-only, out of memory or busy) is <see cref="StoreUnavailableException"/>, which the host answers with a fast
/// <c>messages.error</c>; any other Redis error is a plain <see cref="StoreException"/>.
/// </summary>
internal static class RedisErrors
{
    private static readonly string[] TransientServerErrors = ["LOADING", "READONLY", "OOM", "BUSY", "MASTERDOWN", "MISCONF", "TRYAGAIN", "CLUSTERDOWN"];

    public static bool IsRedisFailure(Exception exception) => exception is RedisException or TimeoutException;

    /// <param name="exception">An exception for which <see cref="IsRedisFailure"/> is true.</param>
    /// <param name="what">What failed, as the start of a sentence: "Reading a session of bot 'pizza'".</param>
    public static StoreException Translate(Exception exception, string what)
    {
        var message = $"{what} failed: {exception.Message}";
        return IsUnavailable(exception)
            ? new StoreUnavailableException(message, exception)
            : new StoreException(message, exception);
    }

    /// <summary>Runs one store operation, translating its failure.</summary>
    public static T Run<T>(Func<T> operation, string what, string botId)
    {
        try
        {
            return operation();
        }
        catch (Exception e) when (IsRedisFailure(e))
        {
            throw Translate(e, $"{what} of bot '{botId}'");
        }
    }

    /// <summary>Runs one asynchronous store operation, translating its failure.</summary>
    public static async Task<T> RunAsync<T>(Func<Task<T>> operation, string what, string botId)
    {
        try
        {
            return await operation().ConfigureAwait(false);
        }
        catch (Exception e) when (IsRedisFailure(e))
        {
            throw Translate(e, $"{what} of bot '{botId}'");
        }
    }

    private static bool IsUnavailable(Exception exception) => exception switch
    {
        RedisConnectionException or TimeoutException => true,
        RedisServerException server => TransientServerErrors.Any(code => server.Message.StartsWith(code, StringComparison.Ordinal)),
        _ => false,
    };
}
