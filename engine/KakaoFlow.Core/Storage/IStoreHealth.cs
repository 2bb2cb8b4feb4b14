namespace KakaoFlow.Storage;

/// <summary>
/// Whether a store can write now. A host shows it (the admin API's <c>store</c>) and uses it to tell a storage outage,
/// which is nobody's bot's fault, from a bot's own errors. Thread-safe.
/// </summary>
public interface IStoreHealth
{
    StoreStatus Status { get; }

    /// <summary>The health of a store that has no storage to lose (in memory).</summary>
    static IStoreHealth AlwaysAvailable { get; } = new Available();

    private sealed class Available : IStoreHealth
    {
        public StoreStatus Status => StoreStatus.Ok;
    }
}

/// <summary>
/// A store's health: <see cref="Available"/>, and since when it has been in that state (null: since it opened); when
/// unavailable, <see cref="Reason"/> says what failed (the first failure's cause, in words).
/// </summary>
public sealed record StoreStatus(bool Available, DateTimeOffset? Since, string? Reason)
{
    public static StoreStatus Ok { get; } = new(true, null, null);
}
