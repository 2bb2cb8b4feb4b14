using Microsoft.Extensions.Logging;

namespace KakaoFlow.Hosting;

/// <summary>Log events of the service lifecycle, the error budget, the notifier and the admin API (ids 50-79).</summary>
internal static partial class Log
{
    [LoggerMessage(50, LogLevel.Information, "Service {Bot}: {State} ({Reason}) by {By}")]
    public static partial void ServiceState(ILogger logger, string bot, string state, string reason, string by);

    // The error itself was logged where it happened (turn issue, time-out, failure): these lines only count it.
    [LoggerMessage(51, LogLevel.Warning, "Error counted for bot {Bot} user {User} on {Day}: {Count}/{Limit} today ({Kind})")]
    public static partial void ErrorCounted(ILogger logger, string bot, string user, string day, int count, int limit, string kind);

    [LoggerMessage(52, LogLevel.Error, "Counting an error of bot {Bot} failed")]
    public static partial void ErrorCountFailed(ILogger logger, string bot, Exception exception);

    [LoggerMessage(53, LogLevel.Debug, "Bot {Bot} is {State}; answered messages.stopped")]
    public static partial void AnsweredStopped(ILogger logger, string bot, string state);

    [LoggerMessage(57, LogLevel.Information, "Pruned bot {Bot}: {ErrorDays} error day(s) and {Notifications} delivered monitoring message(s) past retention {Retention}")]
    public static partial void Pruned(ILogger logger, string bot, int errorDays, int notifications, TimeSpan retention);

    [LoggerMessage(60, LogLevel.Warning, "Monitoring message {Id} to the owner of {Bot} ({Kind}): {Text}")]
    public static partial void Notification(ILogger logger, long id, string bot, string kind, string text);

    [LoggerMessage(61, LogLevel.Information, "Monitoring message {Id} delivered to the webhook after {Attempts} attempt(s)")]
    public static partial void NotificationDelivered(ILogger logger, long id, int attempts);

    [LoggerMessage(62, LogLevel.Warning, "Monitoring message {Id} not delivered (attempt {Attempts}): {Error}; next try in {Delay}")]
    public static partial void NotificationFailed(ILogger logger, long id, int attempts, string error, TimeSpan delay);

    [LoggerMessage(63, LogLevel.Error, "The notifier failed; retrying")]
    public static partial void NotifierFailed(ILogger logger, Exception exception);

    [LoggerMessage(70, LogLevel.Warning, "No owner token in KAKAOFLOW_ADMIN_TOKEN: the admin API uses the generated token kept in {Path}")]
    public static partial void AdminTokenFile(ILogger logger, string path);

    [LoggerMessage(71, LogLevel.Information, "No operator token (KAKAOFLOW_OPERATOR_TOKEN): block and unblock are unavailable")]
    public static partial void NoOperatorToken(ILogger logger);

    [LoggerMessage(72, LogLevel.Information, "Admin {Method} {Path} by {Role}: {Status}")]
    public static partial void Admin(ILogger logger, string method, string path, string role, int status);

    [LoggerMessage(73, LogLevel.Warning, "Error not counted for bot {Bot}: user {User} already counted {Cap} on {Day} ({Kind})")]
    public static partial void ErrorNotCounted(ILogger logger, string bot, string user, string day, int cap, string kind);

    [LoggerMessage(74, LogLevel.Information, "Turn {Bot} user {User}: not counted (caused by the user's input): {Issue}")]
    public static partial void InputIssue(ILogger logger, string bot, string user, string issue);

    [LoggerMessage(75, LogLevel.Error, "Bot {Bot} failed because the data store is unavailable; its failures count as one error per {Interval} ({Uncounted} more in the one before): {Reason}")]
    public static partial void StoreOutageCounted(ILogger logger, string bot, int uncounted, TimeSpan interval, string reason);
}
