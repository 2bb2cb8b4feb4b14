using KakaoFlow.Storage;
using Microsoft.Extensions.Logging;

namespace KakaoFlow.Hosting;

/// <summary>
/// Logs a store outage (<see cref="StoreUnavailableException"/>: Redis unreachable, a full disk) once per
/// <see cref="Interval"/> rather than once per request: the first failure with its exception, then a count of the
/// requests that failed since. During an outage every request fails, and a line each would bury everything else.
/// </summary>
internal sealed class StoreOutageLog(ILogger<StoreOutageLog> logger)
{
    private readonly Lock _gate = new();
    private long _nextLineAt = long.MinValue;
    private int _since;

    /// <summary>The shortest time between two lines (real clock).</summary>
    public TimeSpan Interval { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Counts one failure of <paramref name="what"/> (an endpoint, a background task); logs when a line is due.</summary>
    public void Report(string what, Exception exception)
    {
        var now = Environment.TickCount64;
        int earlier;
        lock (_gate)
        {
            if (now < _nextLineAt)
            {
                _since++;
                return;
            }

            earlier = _since;
            _since = 0;
            _nextLineAt = now + (long)Interval.TotalMilliseconds;
        }

        ScaleOutLog.StoreUnavailable(logger, what, earlier, (long)Interval.TotalSeconds, exception.Message, earlier == 0 ? exception : null);
    }
}
