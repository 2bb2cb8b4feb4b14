using System.Globalization;
using Jint.Runtime;
using KakaoFlow.Hooks;

namespace KakaoFlow.Scripting;

/// <summary>The hook's clock: the turn's time (from the host's TimeProvider) in Asia/Seoul, for <c>now()</c> and <c>Date</c>.</summary>
internal static class SeoulClock
{
    public static readonly TimeSpan Offset = TimeSpan.FromHours(9);

    public static TimeZoneInfo Zone { get; } = FindZone();

    /// <summary>ISO-8601 with the +09:00 offset, e.g. <c>2026-03-01T09:30:00.000+09:00</c>.</summary>
    public static string Format(DateTimeOffset time) =>
        time.ToOffset(Offset).ToString("yyyy-MM-dd'T'HH:mm:ss.fffzzz", CultureInfo.InvariantCulture);

    private static TimeZoneInfo FindZone()
    {
        try
        {
            return TimeZoneInfo.FindSystemTimeZoneById("Asia/Seoul");
        }
        catch (Exception ex) when (ex is TimeZoneNotFoundException or InvalidTimeZoneException)
        {
            // Korea has kept +09:00 without daylight saving since 1988.
            return TimeZoneInfo.CreateCustomTimeZone("Asia/Seoul", Offset, "Asia/Seoul", "KST");
        }
    }

    /// <summary>
    /// Makes <c>new Date()</c> and <c>Date.now()</c> agree with <c>now()</c>: the turn's time, not the machine's.
    /// An engine is reused by later turns, so each run sets <see cref="Now"/>.
    /// </summary>
    internal sealed class TimeSystem() : DefaultTimeSystem(Zone, CultureInfo.InvariantCulture)
    {
        public DateTimeOffset Now { get; set; }

        public override DateTimeOffset GetUtcNow() => Now.ToUniversalTime();
    }
}
