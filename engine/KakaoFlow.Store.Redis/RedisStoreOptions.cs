using System.Globalization;

namespace KakaoFlow.Store.Redis;

/// <summary>
/// Where the Redis store is and how long it waits. Every wait is well under the reply bound (3 s), so that a Redis that
/// is down or hangs costs a turn a fast <c>messages.error</c>, never the platform's 5 s timeout (docs/scale-out.md).
/// </summary>
public sealed record RedisStoreOptions
{
    /// <summary>The server, as <c>host:port</c>.</summary>
    public required string EndPoint { get; init; }

    /// <summary>The database number (<c>SELECT</c>); 0 by default.</summary>
    public int Database { get; init; }

    /// <summary>The password (<c>AUTH</c>), when the server asks for one.</summary>
    public string? Password { get; init; }

    /// <summary>TLS to the server (<c>rediss://</c>).</summary>
    public bool Tls { get; init; }

    /// <summary>Every key starts with it, so that several deployments (or test runs) can share one server.</summary>
    public string KeyPrefix { get; init; } = "kf:";

    /// <summary>Longest wait for one command's answer (sync and async) before the store reports Redis unavailable.</summary>
    public TimeSpan CommandTimeout { get; init; } = TimeSpan.FromMilliseconds(750);

    /// <summary>
    /// Longest wait for a connection, at start-up and at each reconnection attempt. No request waits for it: while there
    /// is no connection, commands fail at once.
    /// </summary>
    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// How long a host's hold on a user's turn lasts unless renewed (every third of it while the turn runs): what the
    /// user waits, at most, when the host that held it died. Shorter than the reply bound.
    /// </summary>
    public TimeSpan TurnLease { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>
    /// Reads <c>redis://[:PASSWORD@]HOST[:PORT][/DB]</c> (<c>rediss://</c> for TLS; port 6379 by default).
    /// </summary>
    /// <exception cref="FormatException">Not such a URL; the message says what is wrong.</exception>
    public static RedisStoreOptions FromUrl(string url)
    {
        ArgumentNullException.ThrowIfNull(url);
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || uri.Scheme is not ("redis" or "rediss") || string.IsNullOrEmpty(uri.Host))
        {
            throw new FormatException($"'{url}' is not a redis://HOST:PORT[/DB] URL");
        }

        var path = uri.AbsolutePath.Trim('/');
        var database = 0;
        if (path.Length > 0 && !(int.TryParse(path, NumberStyles.None, CultureInfo.InvariantCulture, out database) && database is >= 0 and < 10000))
        {
            throw new FormatException($"'{url}': the database after the port must be a number (redis://HOST:PORT/DB), not '{path}'");
        }

        if (!string.IsNullOrEmpty(uri.Query) || !string.IsNullOrEmpty(uri.Fragment))
        {
            throw new FormatException($"'{url}': options after '?' or '#' are not supported");
        }

        var port = uri.IsDefaultPort || uri.Port < 0 ? 6379 : uri.Port;
        var password = uri.UserInfo.Split(':', 2) is [_, var secret] && secret.Length > 0 ? Uri.UnescapeDataString(secret) : null;
        return new RedisStoreOptions
        {
            EndPoint = $"{uri.Host}:{port.ToString(CultureInfo.InvariantCulture)}",
            Database = database,
            Password = password,
            Tls = uri.Scheme == "rediss",
        };
    }

    /// <summary>The URL without the password, for logs and messages.</summary>
    public override string ToString() =>
        $"{(Tls ? "rediss" : "redis")}://{EndPoint}/{Database.ToString(CultureInfo.InvariantCulture)}";
}
