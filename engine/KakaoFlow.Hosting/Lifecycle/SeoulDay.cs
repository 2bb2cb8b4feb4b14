namespace KakaoFlow.Hosting.Lifecycle;

/// <summary>
/// The Asia/Seoul calendar day that error budgets count in. Korea keeps UTC+9 all year (no daylight saving
/// since 1988), so a fixed offset is exact and needs no time-zone database: the day flips at 15:00 UTC.
/// </summary>
internal static class SeoulDay
{
    public static readonly TimeSpan Offset = TimeSpan.FromHours(9);

    /// <summary><c>yyyy-MM-dd</c> of the Seoul day holding <paramref name="at"/>.</summary>
    public static string Of(DateTimeOffset at) =>
        at.ToOffset(Offset).ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);
}
