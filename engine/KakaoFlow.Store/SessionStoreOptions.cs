namespace KakaoFlow.Store;

/// <summary>How the session store buffers writes and how many sessions it keeps in memory.</summary>
/// <remarks>Settable so that <c>AddLiteDbStore(..., configure)</c> can change them; a store copies them when it opens.</remarks>
public sealed record SessionStoreOptions
{
    /// <summary>
    /// How often dirty sessions are written from the journal to LiteDB. Longer coalesces more turns of one user into
    /// one LiteDB write (users in a conversation answer every few seconds, and a LiteDB write is the largest cost of a
    /// turn) at the price of a longer journal to replay after a crash and more sessions held until then (bounded by
    /// <see cref="FlushThreshold"/>; beyond <see cref="CacheCapacity"/> of them as records only).
    /// </summary>
    public TimeSpan FlushInterval { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>
    /// A flush starts early when this many users have a session not written to LiteDB yet (not counting those a background
    /// flush carried over, see <see cref="WriteIdleAfter"/>).
    /// </summary>
    public int FlushThreshold { get; set; } = 100_000;

    /// <summary>
    /// A background flush writes to LiteDB the users who have not written for this long; the others, still in their
    /// conversation, are carried over: their latest write is appended again to the new journal segment (a few hundred
    /// bytes, where a LiteDB write of a session costs tens of KB of work), so the old segments can be deleted all the
    /// same. A conversation then costs LiteDB about one write, at its end, however many turns it has. A flush that would
    /// write nobody, when appending the others again would not halve the journal, leaves them where they are. A flush writes
    /// every user when the journal holds half of <see cref="MaxJournalBytes"/>, and so do <see cref="JournaledSessionStore.Flush"/>,
    /// closing, deleting a user's session and the retention sweep (counting sessions does not). Zero: every background
    /// flush writes every user.
    /// </summary>
    public TimeSpan WriteIdleAfter { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>
    /// The most users a background flush carries over (<see cref="WriteIdleAfter"/>); the others still in their
    /// conversation are written to LiteDB. Beyond <see cref="FlushThreshold"/> users a flush carries over only users who
    /// wrote more than once (not a rush of new users, who each write once). A flush also carries over no more records
    /// than a fifth of
    /// <see cref="MaxJournalBytes"/>, so that the journal they stay in, and grow, is flushed early before it is half way
    /// to its bound (when a flush writes everyone). Each costs memory until written: its record, a few hundred bytes.
    /// With every user of a busy bot writing again every few seconds, carrying them all over instead of writing a part of
    /// them each flush took a third of the CPU off a turn (bench/README.md, eighteenth session). Below a GiB of memory
    /// for the GC (<see cref="ForMemory"/>) it is the scaled <see cref="FlushThreshold"/>, as all carrying was bounded
    /// before.
    /// </summary>
    public int MaxCarriedOverUsers { get; set; } = 200_000;

    /// <summary>
    /// Back-pressure: a write of a user who has no unflushed session yet waits for the flusher while this many users
    /// have one, counting those of a running flush it has not handed to the backing store yet (each chunk it writes
    /// lets as many waiting writes in). Users carried over (<see cref="MaxCarriedOverUsers"/>) are not counted, before
    /// or while a flush writes them: memory holds at most twice this many unflushed sessions, plus those carried over by
    /// the last flush and the one before, until the flush ends. Bounds the memory of a flusher that falls behind.
    /// </summary>
    public int MaxUnflushedUsers { get; set; } = 150_000;

    /// <summary>
    /// Back-pressure: every write waits for the flusher while the journal's segments not deleted yet hold this many
    /// bytes (a flusher that is behind or failing, or a few users writing very fast). Bounds the journal on disk.
    /// </summary>
    public long MaxJournalBytes { get; set; } = 512L * 1024 * 1024;

    /// <summary>How long a write waits for the flusher under back-pressure before it fails (the store is then unavailable).</summary>
    public TimeSpan BackPressureTimeout { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>When an acknowledged session write is safe: see <see cref="SessionDurability"/>.</summary>
    public SessionDurability Durability { get; set; } = SessionDurability.Os;

    /// <summary>Sessions kept in memory after a flush (least recently used are dropped first).</summary>
    public int CacheCapacity { get; set; } = 20_000;

    /// <summary>
    /// Memory for the second level of the cache: sessions beyond <see cref="CacheCapacity"/> kept as their few hundred
    /// bytes of JSON instead of objects (about 600 bytes each with the bench bot's sessions: 64 MiB hold about 100,000
    /// users); zero: none.
    /// </summary>
    public long PackedCacheBytes { get; set; } = 64L * 1024 * 1024;

    /// <summary>
    /// Users the filter of known users holds at its accuracy (about 1 % of new users are still looked up in LiteDB; 10 bits
    /// each: 2.4 MiB for the default). Beyond it a new user is looked up more often, never answered wrongly.
    /// </summary>
    public long KnownUsersCapacity { get; set; } = 2_000_000;

    /// <summary>
    /// LiteDB's page cache is released (the data file closed and opened again, after a flush or at a check every second
    /// between flushes) when it holds more than this: LiteDB 5.0 never shrinks it, and over a file of a million sessions
    /// it would grow toward the file's size (a host restarted under the load of 100,000 returning users: 112 MB in the 15 s
    /// before its first flush).
    /// Safe at any time because LiteDB runs one call at a time (<see cref="LiteDbFile"/>).
    /// </summary>
    public long LiteDbCacheBytes { get; set; } = 32L * 1024 * 1024;

    /// <summary>
    /// Sessions a flush that is behind (see <see cref="FlushThreshold"/>, or fell behind as it wrote: back-pressure's count
    /// at two thirds of <see cref="MaxUnflushedUsers"/>), the journal's replay and the retention sweep
    /// write or delete in one LiteDB transaction (a flush that is not behind: 1,024). LiteDB holds every page a
    /// transaction changes in memory until it commits, 10–20 MB per 1,024 users spread over a large file; fewer, larger
    /// transactions take less time.
    /// </summary>
    public int SessionsPerCatchUpTransaction { get; set; } = LiteDbSessionStore.SavesPerTransactionCatchingUp;

    /// <summary>
    /// The pause between chunks of a flush that is not behind (see <see cref="FlushThreshold"/>; a flush that falls
    /// behind as it writes stops pausing); zero: no pauses.
    /// </summary>
    public TimeSpan FlushPause { get; set; } = TimeSpan.FromMilliseconds(10);

    /// <summary>
    /// Called on the flusher thread when a background flush fails (it is retried), or, at its next flush, when a trim of
    /// the caches that ran beside one failed.
    /// </summary>
    public Action<Exception>? FlushFailed { get; set; }

    /// <summary>
    /// The memory the defaults are sized for: a rush of 1,000,000 new users, held back at <see cref="MaxUnflushedUsers"/>,
    /// took the GC's heap to 600–700 MB with them (docs/operations.md, "Memory and disk").
    /// </summary>
    public const long DefaultsFitMemoryBytes = 1L << 30;

    /// <summary>
    /// The defaults, with what they keep in memory scaled down in proportion when the GC may use less than
    /// <see cref="DefaultsFitMemoryBytes"/> (a container's memory limit, of which .NET takes three quarters, or
    /// <c>DOTNET_GCHeapHardLimit</c>): the users held unflushed (<see cref="MaxUnflushedUsers"/>,
    /// <see cref="FlushThreshold"/>, <see cref="MaxCarriedOverUsers"/>), the caches (<see cref="CacheCapacity"/>, <see cref="PackedCacheBytes"/>),
    /// LiteDB's page cache (<see cref="LiteDbCacheBytes"/>) and what one transaction adds to it
    /// (<see cref="SessionsPerCatchUpTransaction"/>). With the defaults a rush fails turns for want of memory in a
    /// heap of 256 MiB; scaled, it waits for the flusher (back-pressure) instead.
    /// </summary>
    /// <param name="availableBytes">What the GC may use (<see cref="GCMemoryInfo.TotalAvailableMemoryBytes"/>).</param>
    public static SessionStoreOptions ForMemory(long availableBytes)
    {
        var options = new SessionStoreOptions();
        if (availableBytes >= DefaultsFitMemoryBytes)
        {
            return options;
        }

        var share = Math.Max(availableBytes, 0) / (double)DefaultsFitMemoryBytes;
        return options with
        {
            MaxUnflushedUsers = Math.Max((int)(options.MaxUnflushedUsers * share), 2_000),
            FlushThreshold = Math.Max((int)(options.FlushThreshold * share), 1_000),
            MaxCarriedOverUsers = Math.Max((int)(options.FlushThreshold * share), 1_000), // the bound measured in small heaps
            CacheCapacity = Math.Max((int)(options.CacheCapacity * share), 500),
            PackedCacheBytes = (long)(options.PackedCacheBytes * share),
            LiteDbCacheBytes = Math.Max((long)(options.LiteDbCacheBytes * share), MinLiteDbCacheBytes),
            SessionsPerCatchUpTransaction = Math.Max((int)(options.SessionsPerCatchUpTransaction * share), LiteDbSessionStore.SavesPerTransaction),
        };
    }

    /// <summary><see cref="ForMemory"/> of what this process's GC may use.</summary>
    public static SessionStoreOptions ForThisProcess() => ForMemory(GC.GetGCMemoryInfo().TotalAvailableMemoryBytes);

    /// <summary>LiteDB's first five extensions of its page cache add up to 13 MB: a smaller bound would release it at every check.</summary>
    private const long MinLiteDbCacheBytes = 16L * 1024 * 1024;
}

/// <summary>What a turn's acknowledgement promises about its session (docs/operations.md, "Durability").</summary>
public enum SessionDurability
{
    /// <summary>The session journal's write was handed to the operating system: survives a killed process, not a power cut or an OS crash.</summary>
    Os,

    /// <summary>
    /// The journal's write was fsync'd (turns written together share one fsync), and LiteDB's files are fsync'd before the
    /// journal segments they replace are deleted: survives a power cut.
    /// </summary>
    Fsync,
}
