using Microsoft.Extensions.Logging;

namespace KakaoFlow.Store;

/// <summary>The LiteDB store's log lines (category <see cref="LiteDbStore"/>).</summary>
internal static partial class StoreLog
{
    [LoggerMessage(80, LogLevel.Error, "Writing buffered sessions to LiteDB failed; they stay in the session journal and the write is retried")]
    public static partial void SessionFlushFailed(ILogger logger, Exception exception);

    [LoggerMessage(81, LogLevel.Warning, "Session journal replayed: {Recovered} write(s) recovered, {Unreadable} unreadable record(s) skipped")]
    public static partial void SessionJournalReplayed(ILogger logger, int recovered, int unreadable);

    [LoggerMessage(87, LogLevel.Error, "Session journal replayed: {Recovered} write(s) recovered, {Damaged} damaged record(s) skipped (acknowledged writes lost), {Unreadable} record(s) that were not sessions skipped")]
    public static partial void SessionJournalDamaged(ILogger logger, int recovered, int damaged, int unreadable);

    [LoggerMessage(82, LogLevel.Error, "The data store is unavailable: {Reason}. Turns are answered with messages.error and nothing is acknowledged until it writes again; acknowledged sessions stay in the session journal")]
    public static partial void StoreUnavailable(ILogger logger, string reason, Exception exception);

    [LoggerMessage(83, LogLevel.Information, "The data store is available again after {Outage}")]
    public static partial void StoreAvailable(ILogger logger, TimeSpan outage);

    [LoggerMessage(84, LogLevel.Warning, "Writing buffered sessions to LiteDB still fails ({Reason}); they stay in the session journal and the write is retried")]
    public static partial void SessionFlushStillFailing(ILogger logger, string reason);

    [LoggerMessage(85, LogLevel.Error, "Closing the data file {File} did not finish within {Timeout}; what was acknowledged and not written is in the session journal, which the next start replays")]
    public static partial void CloseTimedOut(ILogger logger, string file, TimeSpan timeout);

    /// <summary>The event of <see cref="SizedForMemory"/>: its line depends on the machine, so tests that count lines leave it out.</summary>
    internal const int SizedForMemoryEvent = 88;

    [LoggerMessage(SizedForMemoryEvent, LogLevel.Information, "The process may use {MemoryMiB} MiB of memory: at most {UnflushedUsers} users' sessions held before they are in LiteDB (then turns wait for the flusher), {CachedSessions} sessions cached as objects and {PackedMiB} MiB as records, LiteDB's page cache released above {LiteDbCacheMiB} MiB, {PerTransaction} sessions a transaction when behind")]
    public static partial void SizedForMemory(ILogger logger, long memoryMiB, int unflushedUsers, int cachedSessions, long packedMiB, long liteDbCacheMiB, int perTransaction);

    [LoggerMessage(86, LogLevel.Error, "Closing the data file {File} failed; what was acknowledged and not written is in the session journal, which the next start replays")]
    public static partial void CloseFailed(ILogger logger, string file, Exception exception);
}
