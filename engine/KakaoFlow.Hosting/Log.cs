using Microsoft.Extensions.Logging;

namespace KakaoFlow.Hosting;

/// <summary>Every log line of the host, as structured events. A user appears only as a <see cref="UserTag"/>.</summary>
internal static partial class Log
{
    [LoggerMessage(1, LogLevel.Warning, "The flows folder {Folder} does not exist; no bot is served")]
    public static partial void FlowsFolderMissing(ILogger logger, string folder);

    [LoggerMessage(2, LogLevel.Information, "Serving bot {Bot} ({Name}), version {Version}")]
    public static partial void BotLoaded(ILogger logger, string bot, string name, string version);

    [LoggerMessage(3, LogLevel.Error, "{Diagnostic}")]
    public static partial void CompileError(ILogger logger, string diagnostic);

    [LoggerMessage(4, LogLevel.Warning, "{Diagnostic}")]
    public static partial void CompileWarning(ILogger logger, string diagnostic);

    [LoggerMessage(5, LogLevel.Error, "Bot {Bot} is not served: {Errors} error(s) in its flow")]
    public static partial void BotNotServed(ILogger logger, string bot, int errors);

    [LoggerMessage(6, LogLevel.Error, "Bot {Bot} is not served: compiling it failed")]
    public static partial void BotCrashedCompiler(ILogger logger, string bot, Exception exception);

    [LoggerMessage(7, LogLevel.Information, "Reloaded bot {Bot}: version {OldVersion} -> {NewVersion} (compiled in {ElapsedMs} ms)")]
    public static partial void BotReloaded(ILogger logger, string bot, string oldVersion, string newVersion, long elapsedMs);

    [LoggerMessage(8, LogLevel.Error, "Reload of bot {Bot} failed: {Errors} error(s) in the changed flow; still serving version {Version}")]
    public static partial void BotReloadFailed(ILogger logger, string bot, int errors, string version);

    [LoggerMessage(9, LogLevel.Warning, "Bot {Bot} removed (its folder or flow.yaml is gone); no longer served, was version {Version}")]
    public static partial void BotRemoved(ILogger logger, string bot, string version);

    [LoggerMessage(10, LogLevel.Debug, "Turn {Bot} user {User}: {Kind} -> step {Step} in {ElapsedMs} ms")]
    public static partial void Turn(ILogger logger, string bot, string user, string kind, string step, long elapsedMs);

    [LoggerMessage(11, LogLevel.Warning, "Turn {Bot} user {User}: {Issue}")]
    public static partial void TurnIssue(ILogger logger, string bot, string user, string issue);

    [LoggerMessage(12, LogLevel.Error, "Turn {Bot} user {User} took longer than {TimeoutMs} ms; answered messages.error")]
    public static partial void TurnTimedOut(ILogger logger, string bot, string user, long timeoutMs);

    [LoggerMessage(13, LogLevel.Error, "Turn {Bot} user {User} failed; answered messages.error")]
    public static partial void TurnFailed(ILogger logger, string bot, string user, Exception exception);

    [LoggerMessage(14, LogLevel.Warning, "Turn {Bot} user {User} waited past {TimeoutMs} ms behind the user's earlier messages; answered messages.error")]
    public static partial void TurnQueueTimedOut(ILogger logger, string bot, string user, long timeoutMs);

    [LoggerMessage(15, LogLevel.Error, "Session {Bot} user {User} is unreadable; starting afresh")]
    public static partial void SessionUnreadable(ILogger logger, string bot, string user, Exception exception);

    [LoggerMessage(20, LogLevel.Information, "Friend {Bot} user {User}: {State}")]
    public static partial void Friend(ILogger logger, string bot, string user, string state);

    [LoggerMessage(21, LogLevel.Information, "Chat room {Bot} user {User} deleted; position reset to Home")]
    public static partial void ChatRoomDeleted(ILogger logger, string bot, string user);

    [LoggerMessage(22, LogLevel.Information, "Refused {Method} {Endpoint} for bot {Bot}: {Status} code {Code} ({Reason})")]
    public static partial void Refused(ILogger logger, string method, string endpoint, string bot, int status, int code, string reason);

    [LoggerMessage(23, LogLevel.Error, "Request {Method} {Endpoint} for bot {Bot} failed")]
    public static partial void RequestFailed(ILogger logger, string method, string endpoint, string bot, Exception exception);

    [LoggerMessage(30, LogLevel.Information, "Swept bot {Bot}: {Sessions} session(s) and {Blocked} blocked friend record(s) past retention {Retention}")]
    public static partial void Swept(ILogger logger, string bot, int sessions, int blocked, TimeSpan retention);

    [LoggerMessage(31, LogLevel.Error, "Sweeping expired sessions failed")]
    public static partial void SweepFailed(ILogger logger, Exception exception);

    [LoggerMessage(50, LogLevel.Information, "Watching {Folder} for flow changes (debounce {DebounceMs} ms, poll every {PollMs} ms)")]
    public static partial void Watching(ILogger logger, string folder, long debounceMs, long pollMs);

    [LoggerMessage(51, LogLevel.Warning, "Cannot watch {Folder} for changes ({Reason}); polling every {PollMs} ms instead")]
    public static partial void WatchUnavailable(ILogger logger, string folder, string reason, long pollMs);

    [LoggerMessage(52, LogLevel.Warning, "File change events for {Folder} were lost ({Reason}); looking at every bot again")]
    public static partial void WatchEventsLost(ILogger logger, string folder, string reason);

    [LoggerMessage(53, LogLevel.Warning, "Cannot list {Folder}: {Reason}")]
    public static partial void WatchReadFailed(ILogger logger, string folder, string reason);

    [LoggerMessage(54, LogLevel.Error, "Reloading flows failed; trying again at the next change or poll")]
    public static partial void ReloadCrashed(ILogger logger, Exception exception);

    [LoggerMessage(55, LogLevel.Error, "A listener of bot changes failed for bot {Bot}")]
    public static partial void ChangeListenerFailed(ILogger logger, string bot, Exception exception);

    [LoggerMessage(56, LogLevel.Information, "Turn {Bot} user {User}: step {Step} of version {OldVersion} is not in version {NewVersion}; continuing from Home")]
    public static partial void StepGoneAfterReload(ILogger logger, string bot, string user, string step, string oldVersion, string newVersion);

    [LoggerMessage(40, LogLevel.Information, "Hook log {Bot} {Location}: {Message}")]
    public static partial void HookLog(ILogger logger, string bot, string location, string message);

    [LoggerMessage(58, LogLevel.Information, "Quiet after a busy spell: gave memory back to the OS ({BeforeMb} MB held by the .NET heap before, {AfterMb} MB now; {ElapsedMs} ms)")]
    public static partial void MemoryTrimmed(ILogger logger, long beforeMb, long afterMb, long elapsedMs);

    [LoggerMessage(80, LogLevel.Error, "Writing buffered sessions to LiteDB failed; they stay in the session journal and the write is retried")]
    public static partial void SessionFlushFailed(ILogger logger, Exception exception);

    [LoggerMessage(81, LogLevel.Warning, "Replayed {Writes} session write(s) from the session journal: the previous run ended without writing them to LiteDB ({Unreadable} unreadable record(s) skipped)")]
    public static partial void SessionJournalReplayed(ILogger logger, int writes, int unreadable);
}
