using Microsoft.Extensions.Logging;

namespace KakaoFlow.Hosting;

/// <summary>Log lines of a host that may share its store with others (docs/scale-out.md).</summary>
internal static partial class ScaleOutLog
{
    [LoggerMessage(100, LogLevel.Error, "Store unavailable ({What}): answering messages.error; {Earlier} more failure(s) since the last such line (logged at most every {IntervalS} s): {Message}")]
    public static partial void StoreUnavailable(ILogger logger, string what, int earlier, long intervalS, string message, Exception? exception);
}
