namespace KakaoFlow.Storage;

/// <summary>How a store counts one more error into a day (<see cref="IServiceStore.RecordError"/>), the same in every store.</summary>
public static class ErrorDays
{
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
