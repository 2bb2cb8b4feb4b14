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

    [LoggerMessage(10, LogLevel.Information, "Turn {Bot} user {User}: {Kind} -> step {Step} in {ElapsedMs} ms")]
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

    [LoggerMessage(40, LogLevel.Information, "Hook log {Bot} {Location}: {Message}")]
    public static partial void HookLog(ILogger logger, string bot, string location, string message);
}
