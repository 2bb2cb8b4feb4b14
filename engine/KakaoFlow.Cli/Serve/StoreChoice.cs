using KakaoFlow.Cli.Language;
using KakaoFlow.Cli.Resources;
using KakaoFlow.Store.Redis;

namespace KakaoFlow.Cli.Serve;

/// <summary>The value of <c>serve --store</c> (or <c>$KAKAOFLOW_STORE</c>): <c>litedb</c> (the default) or a Redis URL.</summary>
internal static class StoreChoice
{
    public const string LiteDb = "litedb";

    /// <summary>The Redis server chosen (null: LiteDB), or why the choice is refused.</summary>
    /// <param name="value">What was given; null or <c>litedb</c> for the LiteDB file.</param>
    /// <param name="adminToken">The owner's token from the environment: several hosts must share one.</param>
    /// <param name="source">What the user wrote the value in, for the message: <c>--store</c> or <c>$KAKAOFLOW_STORE</c>.</param>
    public static (RedisStoreOptions? Redis, string? Error) Parse(string? value, string? adminToken, string source = "--store")
    {
        if (value is null || value.Equals(LiteDb, StringComparison.OrdinalIgnoreCase))
        {
            return (null, null);
        }

        RedisStoreOptions redis;
        try
        {
            redis = RedisStoreOptions.FromUrl(value);
        }
        catch (FormatException e)
        {
            return (null, Messages.Format(CliMessages.Serve_BadStore, LiteDb, e.Message, source));
        }

        // A token generated into a local file would differ from host to host behind one address.
        return adminToken is null
            ? (null, Messages.Format(CliMessages.Serve_SharedStoreNeedsToken, redis, KakaoFlowEnvironment.AdminToken))
            : (redis, null);
    }
}
