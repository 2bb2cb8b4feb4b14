namespace KakaoFlow.Storage;

/// <summary>How a store counts one more error into a day (<see cref="IServiceStore.RecordError"/>), the same in every store.</summary>
public static class ErrorDays
{
    /// <summary>Korea keeps UTC+9 all year (no daylight saving since 1988): the day flips at 15:00 UTC.</summary>
    private static readonly TimeSpan SeoulOffset = TimeSpan.FromHours(9);

    /// <summary><c>yyyy-MM-dd</c> of the Asia/Seoul day holding <paramref name="at"/>: the day errors are counted in.</summary>
    public static string DayOf(DateTimeOffset at) =>
        at.ToOffset(SeoulOffset).ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>
    /// The day after one more error: the count plus one, <paramref name="detail"/> appended to the details and only the
    /// latest <paramref name="keep"/> of them kept (oldest first), the warning flag as it was.
    /// </summary>
    public static ErrorDay Counted(ErrorDay? existing, string botId, string day, ErrorDetail detail, int keep)
    {
        List<ErrorDetail> recent = existing is null ? [] : [.. existing.Recent];
        recent.Add(detail);
        if (recent.Count > keep)
        {
            recent.RemoveRange(0, recent.Count - Math.Max(keep, 0));
        }

        return new ErrorDay(botId, day, (existing?.Count ?? 0) + 1, existing?.Warned ?? false, recent);
    }
}

/// <summary>What <see cref="IServiceStore.Prune"/> deleted.</summary>
public readonly record struct PrunedRecords(int ErrorDays, int Notifications);
