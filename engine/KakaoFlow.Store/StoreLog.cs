using Microsoft.Extensions.Logging;

namespace KakaoFlow.Store;

/// <summary>The LiteDB store's log lines (category <see cref="LiteDbStore"/>).</summary>
internal static partial class StoreLog
{
    [LoggerMessage(80, LogLevel.Error, "Writing buffered sessions to LiteDB failed; they stay in the session journal and the write is retried")]
    public static partial void SessionFlushFailed(ILogger logger, Exception exception);

    [LoggerMessage(81, LogLevel.Warning, "Session journal replayed: {Recovered} write(s) recovered, {Unreadable} unreadable record(s) skipped")]
    public static partial void SessionJournalReplayed(ILogger logger, int recovered, int unreadable);
}
