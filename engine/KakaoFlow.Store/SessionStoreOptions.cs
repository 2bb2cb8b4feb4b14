namespace KakaoFlow.Store;

/// <summary>How the session store buffers writes and how many sessions it keeps in memory.</summary>
/// <remarks>Settable so that <c>AddLiteDbStore(..., configure)</c> can change them; a store copies them when it opens.</remarks>
public sealed record SessionStoreOptions
{
    /// <summary>
    /// How often dirty sessions are written from the journal to LiteDB. Longer coalesces more turns of one user into
    /// one LiteDB write (users in a conversation answer every few seconds) at the price of a longer journal to replay
    /// after a crash and more sessions held in memory until then (bounded by <see cref="FlushThreshold"/>).
    /// </summary>
    public TimeSpan FlushInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>A flush starts early when this many users have a session not written to LiteDB yet.</summary>
    public int FlushThreshold { get; set; } = 20_000;

    /// <summary>Sessions kept in memory after a flush (least recently used are dropped first).</summary>
    public int CacheCapacity { get; set; } = 20_000;

    /// <summary>The pause between chunks of a flush that is not behind (see <see cref="FlushThreshold"/>); zero: no pauses.</summary>
    public TimeSpan FlushPause { get; set; } = TimeSpan.FromMilliseconds(10);

    /// <summary>Called on the flusher thread when a background flush fails (it is retried).</summary>
    public Action<Exception>? FlushFailed { get; set; }
}
