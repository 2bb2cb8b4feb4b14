using Microsoft.Extensions.Logging;

namespace KakaoFlow.Hosting;

internal static partial class Log
{
    [LoggerMessage(710, LogLevel.Warning, "Bot {Bot}, user {User}: the turn did not complete, so its {Count} charge(s) are refunded (code turn_failed)")]
    public static partial void ChargesVoided(ILogger logger, string bot, string user, int count);
}
